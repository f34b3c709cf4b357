"""Data-sharing requests as a record kind (`tracker.records`): labelled by their partner."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from tracker import policy
from tracker.auth.models import Organization, User, Zone
from tracker.cases.assets.models import IpAsset
from tracker.cases.projects.models import Project
from tracker.i18n import format_day
from tracker.records import (
    Files,
    Label,
    Page,
    RecordKind,
    Rows,
    SearchText,
    Waiting,
    ZoneCount,
    queue_total,
)
from tracker.records.pages import ProjectId, waiting_row
from tracker.transfers.gate import rendered
from tracker.transfers.models import UNDECIDED, TransferRequest, transfer_assets


def _requests(user: User, statuses: tuple[str, ...]) -> Rows:
    t = TransferRequest
    scope = (policy.visible_projects(user), t.status.in_(statuses))
    counted = (
        sa.select(sa.func.count())
        .select_from(t)
        .join(Project, Project.id == t.project_id)
        .where(*scope)
    )
    return (
        sa.select(
            sa.literal_column("'transfer'").label("type"),
            t.id,
            t.project_id,
            (Project.code + " → " + Organization.name).label("title"),
            t.created_at.label("since"),
            t.status,
            t.checks,
            t.planned_on,
            # a zone's (an operator's) counted on its own from the indexes; a company's few
            # requests by the window over them
            queue_total(counted if policy.scope_zone(user) is not None else None),
        )
        .join(Project, Project.id == t.project_id)
        .join(Organization, Organization.id == t.partner_id)
        .where(*scope)
        .order_by(t.created_at, t.id)
    )


def _to_decide(user: User, _today: dt.date) -> Rows:
    stmt = _requests(user, ("pending_review",))
    return stmt if policy.may(user, "transfer.decide") else stmt.where(sa.false())


def _mine(user: User, _today: dt.date) -> Rows:
    stmt = _requests(user, UNDECIDED)
    return stmt if policy.may(user, "transfer.request") else stmt.where(sa.false())


def _queue_item(item: dict[str, Any]) -> None:
    """A request in a queue shows its failed checks as the API words them."""
    item["failed_checks"] = rendered([c for c in item.pop("checks") or [] if not c["ok"]])


def _undecided(project_id: ProjectId) -> sa.Select[Any]:
    t = TransferRequest
    return waiting_row("transfer", t.id, t.purpose, t.status, t.created_at).where(
        t.project_id == project_id, t.status.in_(UNDECIDED)
    )


def _of_zone(status: str) -> Callable[[User], sa.ScalarSelect[int]]:
    """The correlated count of a zone's requests with the stored `status` in a user's scope."""

    def count(user: User) -> sa.ScalarSelect[int]:
        return (
            sa.select(sa.func.count())
            .select_from(TransferRequest)
            .join(Project, Project.id == TransferRequest.project_id)
            .where(
                Project.zone_id == Zone.id,
                TransferRequest.status == status,
                policy.visible_projects(user),
            )
            .correlate(Zone)
            .scalar_subquery()
        )

    return count


def _search(transfer: TransferRequest) -> Iterable[SearchText]:
    # names only: the partner and the assets it shares (never the purpose's free text)
    names = [transfer.partner.name, *(a.title for a in transfer.assets)]
    yield SearchText("transfer", "transfer.view", " ".join(names), transfer.partner.name)


#: the asset titles a request's name lists before "+ n more"
NAMED_ASSETS = 2
#: between the titles of the aggregate (a control character no stored title holds)
_TITLES_APART = "\x1f"


def _asset_titles() -> sa.ScalarSelect[Any]:
    """The titles of a request's assets, in one text (a correlated subquery: no statement of
    its own). Asset titles are seen by everyone who may see a request."""
    return (
        sa.select(sa.func.aggregate_strings(IpAsset.title, _TITLES_APART))
        .join(transfer_assets, transfer_assets.c.asset_id == IpAsset.id)
        .where(transfer_assets.c.transfer_id == TransferRequest.id)
        .correlate(TransferRequest)
        .scalar_subquery()
    )


def _named(partner: str | None, titles: str | None, planned_on: str | None) -> str:
    """ "Acme GmbH · Quiet converter, Cathode + 1 more · planned 2026. 12. 10." """
    found = sorted(t for t in (titles or "").split(_TITLES_APART) if t)
    assets = ", ".join(found[:NAMED_ASSETS])
    if len(found) > NAMED_ASSETS:
        more = len(found) - NAMED_ASSETS
        assets = ngettext(
            "%(assets)s + %(num)d more", "%(assets)s + %(num)d more", more, assets=assets
        )
    planned = _("planned %(day)s", day=format_day(planned_on)) if planned_on else ""
    return " · ".join(p for p in (partner or "", assets, planned) if p)


KIND = RecordKind(
    type="transfer",
    model=TransferRequest,
    name=_l("Data-sharing request"),
    label=Label(
        (Organization.name, _asset_titles(), TransferRequest.planned_on),
        "transfer.view",
        join=(Organization, Organization.id == TransferRequest.partner_id),
        text=_named,
    ),
    page=Page("transfers.transfer_detail", "transfer_id"),
    api="api_transfers.get_transfer",
    view_action="transfer.view",
    files=Files("transfer", "transfer.view"),
    queues={"transfers_to_decide": _to_decide, "my_requests": _mine},
    queue_item=_queue_item,
    search=_search,
    waiting=Waiting("transfer.view", _undecided),
    # the open requests by their stored status: the operator's queue and the blocked ones
    zone_counts={
        "transfers_to_decide": ZoneCount("transfer.view", _of_zone("pending_review")),
        "transfers_blocked": ZoneCount("transfer.view", _of_zone("blocked")),
    },
)
