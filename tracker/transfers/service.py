"""Filing, re-checking and deciding transfer requests; the queries behind lists and the ledger.

Every function here flushes and audits; none commits (the request does, once).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _

from tracker import clock
from tracker.audit.service import record, record_apart
from tracker.auth.models import Organization, User
from tracker.auth.notifications import notify
from tracker.cases import search
from tracker.cases.assets.models import IpAsset
from tracker.cases.projects.models import Project
from tracker.db import db
from tracker.errors import InvalidInput, StateConflict, check_version
from tracker.transfers import files as attachment_refs
from tracker.transfers.facts import GateInput
from tracker.transfers.gate import Check, all_pass, evaluate_gate, evaluate_many, rendered
from tracker.transfers.models import CHANNELS, UNDECIDED, TransferFile, TransferRequest
from tracker.web.ids import get_or_none

DECISIONS = {"approve": "approved", "deny": "denied"}


class GateRefused(StateConflict):
    """An approval refused because checks fail now (409 with the failing checks)."""

    def __init__(self, transfer_id: int, failed: list[Check]) -> None:
        super().__init__(
            _("The request fails the gate now and cannot be approved."),
            {"checks": rendered(failed)},
        )
        self.transfer_id = transfer_id
        self.failed_codes = [c["code"] for c in failed]


def _input(transfer: TransferRequest) -> GateInput:
    return GateInput(transfer.project_id, transfer.partner, transfer.assets, transfer.planned_on)


def live_checks(transfers: Sequence[TransferRequest]) -> list[list[Check]]:
    """The checks of each request as they come out now (nothing is stored), in a fixed number
    of statements however many requests (their assets should be loaded already)."""
    return evaluate_many([_input(t) for t in transfers], clock.today())


def _gate(transfer: TransferRequest) -> list[Check]:
    return live_checks([transfer])[0]


def _status(checks: Sequence[Check]) -> str:
    return "pending_review" if all_pass(checks) else "blocked"


def _failed_codes(checks: Sequence[Check]) -> list[str]:
    return [c["code"] for c in checks if not c["ok"]]


@dataclass
class TransferDraft:
    """What the requester asks to share (validated by `file_transfer`)."""

    partner_id: int | None
    asset_ids: Sequence[int]
    attachment_ids: Sequence[int]
    purpose: str
    channel: str
    planned_on: dt.date | None


def _project_assets(project: Project, ids: set[int]) -> list[IpAsset]:
    stmt = (
        sa.select(IpAsset)
        .where(IpAsset.id.in_(ids), IpAsset.project_id == project.id)
        .order_by(IpAsset.id)
    )
    return list(db.session.execute(stmt).scalars())


def _validated(
    project: Project, draft: TransferDraft
) -> tuple[Organization, list[IpAsset], list[TransferFile], dt.date]:
    errors: dict[str, list[str]] = {}
    partner = get_or_none(Organization, draft.partner_id)
    if partner is None or partner.kind != "partner":
        errors["partner_id"] = [_("Choose a known foreign partner.")]
    wanted = set(draft.asset_ids)
    assets = _project_assets(project, wanted)
    if len(assets) != len(wanted):
        errors["asset_ids"] = [_("Every asset must belong to this project.")]
    files, file_errors = attachment_refs.files_for(project, draft.attachment_ids)
    if file_errors:
        errors["attachment_ids"] = file_errors
    carried = attachment_refs.carried_asset_ids(project, draft.attachment_ids) - wanted
    if carried:
        assets = sorted(assets + _project_assets(project, carried), key=lambda a: a.id)
    if not wanted and not draft.attachment_ids:
        errors.setdefault("asset_ids", []).append(_("Name at least one asset or file."))
    if not draft.purpose.strip():
        errors["purpose"] = [_("Say what the data is shared for.")]
    if draft.channel not in CHANNELS:
        errors["channel"] = [_("Choose one of the listed channels.")]
    if draft.planned_on is None:
        errors["planned_on"] = [_("Give the planned date.")]
    elif draft.planned_on < clock.today():
        errors["planned_on"] = [_("The planned date cannot be in the past.")]
    if partner is None or draft.planned_on is None or errors:
        raise InvalidInput(errors)
    return partner, assets, files, draft.planned_on


def file_transfer(user: User, project: Project, draft: TransferDraft) -> TransferRequest:
    """File a request and run the gate on it. Raises InvalidInput (nothing written).

    Audits `transfer.filed` and `transfer.checked`."""
    partner, assets, files, planned_on = _validated(project, draft)
    checks = evaluate_gate(project, partner, assets, planned_on, clock.today())
    transfer = TransferRequest(
        project=project,
        partner=partner,
        purpose=draft.purpose.strip(),
        channel=draft.channel,
        planned_on=planned_on,
        status=_status(checks),
        checks=checks,
        checked_at=clock.now(),
        requested_by_id=user.id,
        assets=assets,
        files=files,
    )
    db.session.add(transfer)
    db.session.flush()
    search.index(transfer)
    record(
        "transfer.filed",
        transfer,
        detail={
            "project_id": project.id,
            "partner_id": partner.id,
            "asset_ids": [a.id for a in assets],
            "files": [
                {"attachment_id": f.attachment_id, "version": f.attachment_version} for f in files
            ],
            "channel": draft.channel,
            "planned_on": planned_on.isoformat(),
        },
    )
    _audit_check(transfer, checks)
    return transfer


def _audit_check(transfer: TransferRequest, checks: Sequence[Check]) -> None:
    record(
        "transfer.checked",
        transfer,
        detail={"status": _status(checks), "failed": _failed_codes(checks)},
    )


def recheck_transfer(transfer: TransferRequest) -> TransferRequest:
    """Run the gate again on an undecided request (after the facts changed). Audited.

    Raises StateConflict when the request was already decided."""
    recheck_transfers([transfer])
    return transfer


def recheck_transfers(transfers: Sequence[TransferRequest]) -> None:
    """Run the gate again on undecided requests and store each result (each audited as
    `transfer.checked`); the facts of all of them are loaded at once.

    Raises StateConflict when one was already decided (nothing is stored)."""
    for transfer in transfers:
        if transfer.status not in UNDECIDED:
            raise StateConflict(
                _("This request has already been decided."), {"transfer_status": transfer.status}
            )
    now = clock.now()
    for transfer, checks in zip(transfers, live_checks(transfers), strict=True):
        transfer.checks = checks
        transfer.status = _status(checks)
        transfer.checked_at = now
    db.session.flush()
    for transfer in transfers:
        _audit_check(transfer, transfer.checks)


def decide_transfer(
    user: User,
    transfer: TransferRequest,
    decision: str,
    note: str | None,
    expected_version: int | None = None,
) -> TransferRequest:
    """Approve or deny an undecided request, once.

    The gate runs again now; approval is refused (GateRefused, a StateConflict with the failed
    checks, audited on its own as `transfer.approval_refused`) when any check fails. A deny
    needs a note (InvalidInput). The status changes by a conditional UPDATE, so of two simultaneous
    decisions exactly one wins; the other gets StateConflict. Audited as `transfer.decided`
    with the snapshot of the checks."""
    note = (note or "").strip()
    if decision not in DECISIONS:
        raise InvalidInput({"decision": [_("Choose approve or deny.")]})
    if decision == "deny" and not note:
        raise InvalidInput({"note": [_("Say why the request is denied.")]})
    check_version(transfer, expected_version, required=False)
    if transfer.status not in UNDECIDED:
        raise StateConflict(
            _("This request has already been decided."), {"transfer_status": transfer.status}
        )
    checks = _gate(transfer)
    if decision == "approve" and not all_pass(checks):
        refusal = GateRefused(transfer.id, [c for c in checks if not c["ok"]])
        _audit_refusal(refusal)
        raise refusal
    result = db.session.execute(
        sa.update(TransferRequest)
        .where(TransferRequest.id == transfer.id, TransferRequest.status.in_(UNDECIDED))
        .values(
            status=DECISIONS[decision],
            decided_by_id=user.id,
            decided_at=clock.now(),
            decision_note=note or None,
            decision_checks=checks,
            checks=checks,
            version=TransferRequest.version + 1,
        )
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise StateConflict(_("This request has already been decided."))
    db.session.refresh(transfer)
    record(
        "transfer.decided",
        transfer,
        detail={"decision": decision, "failed": _failed_codes(checks)},
    )
    notify(transfer.requested_by_id, "transfer_decided", transfer, transfer.project_id)
    return transfer


def _audit_refusal(refusal: GateRefused) -> None:
    record_apart(
        "transfer.approval_refused",
        reason="the refused approval answers 409 and rolls back; the refusal stays on record",
        object_type=TransferRequest.__audit_type__,
        object_id=refusal.transfer_id,
        detail={"failed": refusal.failed_codes},
    )


def preview_checks(transfer: TransferRequest) -> list[Check]:
    """The checks as they would come out now, for the operator's page (nothing is stored)."""
    return _gate(transfer)
