"""What the audit page calls each action and each detail key, in the reader's language.

Every action code appended anywhere (`record("...")`, `record_apart("...")`) has a label here;
tests/oversight/test_trail_page.py greps the code and fails on one without. An unknown code
(an older or newer release) shows as itself.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from flask_babel import lazy_gettext as _l

from tracker.attachments.kinds import TYPE_LABELS as MIME_LABELS
from tracker.auth.forms import LOCALE_NAMES
from tracker.auth.labels import ROLE_LABELS
from tracker.cases.filings.labels import EVENT_LABELS
from tracker.cases.filings.labels import STATUS_LABELS as FILING_STATUS_LABELS
from tracker.cases.labels import LABELS as CASE_LABELS
from tracker.i18n import format_day, format_when
from tracker.transfers.forms import CHANNEL_LABELS
from tracker.transfers.forms import STATUS_LABELS as TRANSFER_STATUS_LABELS
from tracker.transfers.gate import CHECK_CODES
from tracker.transfers.gate import CHECK_LABELS as GATE_LABELS

#: detail keys whose values are stored codes, shown by their label
CODED_KEYS = frozenset({"level", "status", "kind", "channel", "decision", "role", "sensitivity"})
_CODES: dict[str, Any] = {
    **EVENT_LABELS,
    **FILING_STATUS_LABELS,
    **CASE_LABELS,
    **TRANSFER_STATUS_LABELS,
    **CHANNEL_LABELS,
    **ROLE_LABELS,
}
#: the decisions a request, a review or a disclosure records (the verbs the forms offer)
DECISIONS: dict[str, Any] = {
    "approve": _l("Approve"),
    "deny": _l("Deny"),
    "reject": _l("Reject"),
    "accept": _l("Accept"),
    "needs_info": _l("Ask for more information"),
}
#: codes of one detail key only: a failed sign-in names an address no account has by a keyed
#: hash, shown as what it is, never as if it were a name; the gate's failed checks by title;
#: a language by its own name
_KEY_CODES: dict[str, dict[str, Any]] = {
    "address": {"unknown": _l("unknown address")},
    "decision": DECISIONS,
    "failed": {code: GATE_LABELS[code] for code in CHECK_CODES},
    # why a sign-in was refused
    "reason": {
        "credentials": _l("wrong e-mail address or password"),
        "reauthentication": _l("wrong password when asked again"),
        "otp": _l("wrong or used one-time code"),
        "passkey": _l("passkey not accepted"),
    },
    "locale": LOCALE_NAMES,
    "content_type": MIME_LABELS,
    # how someone signed in, or what a refused request tried
    "method": {
        "password": _l("password"),
        "passkey": _l("passkey"),
        "token": _l("API token"),
        "GET": _l("opening a page"),
        "HEAD": _l("opening a page"),
        "POST": _l("sending a form or a change"),
        "PUT": _l("sending a change"),
        "PATCH": _l("sending a change"),
        "DELETE": _l("deleting"),
    },
}

ACTIONS: dict[str, Any] = {
    # access and accounts
    "access.denied": _l("Access refused"),
    "auth.sign_in": _l("Signed in"),
    "auth.sign_in_failed": _l("Sign-in failed"),
    "auth.sign_in_throttled": _l("Sign-in throttled"),
    "auth.sign_out": _l("Signed out"),
    "auth.signed_out_everywhere": _l("Signed out everywhere"),
    "auth.password_changed": _l("Password changed"),
    "auth.password_change_failed": _l("Password change failed"),
    "auth.token_issued": _l("API token issued"),
    "auth.token_revoked": _l("API token revoked"),
    "auth.totp_enrolled": _l("Two-factor sign-in enrolled"),
    "auth.totp_removed": _l("Two-factor sign-in removed"),
    "auth.recovery_codes_created": _l("Recovery codes created"),
    "auth.recovery_code_used": _l("Recovery code used"),
    "auth.passkey_added": _l("Passkey added"),
    "auth.passkey_removed": _l("Passkey removed"),
    "auth.passkey_used": _l("Passkey used to sign in"),
    "keys.totp_resealed": _l("Two-factor secrets resealed"),
    "keys.rewrapped": _l("File keys rewrapped"),
    "keys.project_keys_rewrapped": _l("Project keys rewrapped"),
    "sealed.integrity_failed": _l("Protected text failed its integrity check"),
    "user.created": _l("User created"),
    "user.updated": _l("User changed"),
    "user.invited": _l("Invitation to set a password sent"),
    "user.invitation_accepted": _l("Password set from an invitation"),
    "user.preferences_changed": _l("Own time zone or language changed"),
    "zone.created": _l("Zone created"),
    "organization.created": _l("Organisation created"),
    "organization.updated": _l("Organisation changed"),
    # case files
    "project.created": _l("Project created"),
    "project.updated": _l("Project changed"),
    "asset.created": _l("IP asset created"),
    "asset.updated": _l("IP asset changed"),
    "filing.created": _l("Filing recorded"),
    "filing.updated": _l("Filing changed"),
    "filing.deleted": _l("Filing removed"),
    "filing.event_recorded": _l("Event at the office recorded"),
    "disclosure.filed": _l("Disclosure filed"),
    "disclosure.resubmitted": _l("Disclosure resubmitted"),
    "disclosure.listed": _l("Disclosure list viewed"),
    "disclosure.viewed": _l("Disclosure viewed"),
    "disclosure.submitted": _l("Disclosure submitted"),
    "disclosure.accepted": _l("Disclosure accepted"),
    "disclosure.rejected": _l("Disclosure rejected"),
    "disclosure.needs_info": _l("Disclosure returned for more information"),
    "nda.created": _l("NDA registered"),
    "nda.updated": _l("NDA changed"),
    "review.draft": _l("Risk review drafted"),
    "review.draft_deleted": _l("Risk review draft deleted"),
    "review.submitted": _l("Risk review submitted"),
    "review.approved": _l("Risk review approved"),
    "review.rejected": _l("Risk review rejected"),
    "session.recorded": _l("Advisory session recorded"),
    "session.updated": _l("Advisory session changed"),
    "session.privileged_viewed": _l("Privileged notes viewed"),
    "follow_up.done": _l("Follow-up done"),
    "follow_up.reopened": _l("Follow-up reopened"),
    # files
    "attachment.uploaded": _l("File uploaded"),
    "attachment.downloaded": _l("File downloaded"),
    "attachment.integrity_failed": _l("File failed its integrity check"),
    "attachment.swept": _l("Unfinished uploads swept"),
    # data sharing
    "transfer.filed": _l("Data-sharing request filed"),
    "transfer.checked": _l("Data-sharing checks run"),
    "transfer.decided": _l("Data-sharing request decided"),
    "transfer.approval_refused": _l("Approval refused by the checks"),
    "transfer.exported": _l("Transfer ledger exported"),
    # documents
    "report.zone_pdf": _l("Zone report generated"),
    "asset.evidence_pack": _l("Evidence pack downloaded"),
    "filing.imported": _l("Docket imported"),
    # deadlines
    "calendar.issued": _l("Calendar feed address created"),
    "calendar.revoked": _l("Calendar feed address stopped"),
    # oversight
    "export.list": _l("List exported"),
}

#: detail keys as the page shows them
DETAIL_KEYS: dict[str, Any] = {
    "project_id": _l("Project"),
    "asset_id": _l("IP asset"),
    "asset_ids": _l("IP assets"),
    "attachment_id": _l("File"),
    "session_id": _l("Session"),
    "partner_id": _l("Partner"),
    "zone_id": _l("Zone"),
    "disclosure_ids": _l("Disclosures"),
    "version": _l("Version"),
    "version_id": _l("Version row"),
    "code": _l("Code"),
    "fields": _l("Fields"),
    "score": _l("Score"),
    "level": _l("Risk level"),
    "status": _l("Status"),
    "foreign_inventor": _l("Foreign inventor"),
    "follow_ups": _l("Follow-ups"),
    "follow_ups_added": _l("Follow-ups added"),
    "email": _l("E-mail"),
    "address": _l("Sign-in address"),
    "address_key": _l("Address key (keyed hash)"),
    "role": _l("Role"),
    "kind": _l("Kind"),
    "method": _l("Method"),
    "reason": _l("Reason"),
    "client": _l("Client address"),
    "list": _l("List"),
    "format": _l("Format"),
    "rows": _l("Rows"),
    "assets": _l("IP assets named"),
    "new_assets": _l("IP assets created"),
    "filings": _l("Filings created"),
    "filters": _l("Filters"),
    "size": _l("Size (bytes)"),
    "content_type": _l("Content type"),
    "record_type": _l("Record type"),
    "record_id": _l("Record"),
    "files": _l("Files"),
    "channel": _l("Channel"),
    "planned_on": _l("Planned on"),
    "decision": _l("Decision"),
    "failed": _l("Failed checks"),
    "path": _l("Path"),
    "temporary_files": _l("Temporary files"),
    "pending_rows": _l("Unfinished uploads"),
    "orphan_blobs": _l("Orphan blobs"),
    "kek_id": _l("Key"),
    "count": _l("Count"),
    "passkey": _l("Passkey"),
    "left": _l("Recovery codes left"),
    "demo": _l("Demo data"),
    "office": _l("Office"),
    "event_id": _l("Event"),
    "locale": _l("Language"),
    "projects": _l("Projects"),
}


def action_label(code: str) -> str:
    label = ACTIONS.get(code)
    return str(label) if label is not None else code


def action_choices() -> list[tuple[str, str]]:
    """The action filter's options, sorted by label."""
    return sorted(((code, str(label)) for code, label in ACTIONS.items()), key=lambda c: c[1])


#: a date or a moment as the trail stores it (ISO 8601): shown as the reader writes it
_ISO_DAY = re.compile(r"\d{4}-\d\d-\d\d")
_ISO_MOMENT = re.compile(r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)?")


def _moment_or_day(value: str) -> str:
    """An ISO date or time in the reader's language and zone; other text as it is."""
    try:
        if _ISO_DAY.fullmatch(value):
            return format_day(dt.date.fromisoformat(value))
        if _ISO_MOMENT.fullmatch(value):
            return format_when(dt.datetime.fromisoformat(value))
    except ValueError:  # shaped like one, but no such day
        return value
    return value


def _value(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return str(_l("yes") if value else _l("no"))
    if isinstance(value, list):
        return ", ".join(_value(v) for v in value) or "—"
    if isinstance(value, dict):
        return "; ".join(f"{_key(k)} {_value(v)}" for k, v in value.items())
    if isinstance(value, str):
        return _moment_or_day(value)
    return str(value)


def _key(key: str) -> str:
    label = DETAIL_KEYS.get(key)
    return str(label) if label is not None else key.replace("_", " ")


def detail_items(
    detail: dict[str, Any], named: dict[str, str] | None = None
) -> list[tuple[str, str]]:
    """The detail as (translated key, readable value) pairs; `named`: the labels of the
    records it names by id (`tracker.oversight.trail`), shown instead of the bare id."""
    named = named or {}
    return [(_key(k), named.get(k) or _coded(k, v)) for k, v in sorted(detail.items())]


def _coded(key: str, value: Any) -> str:
    if isinstance(value, list) and key in _KEY_CODES:
        return ", ".join(_coded(key, v) for v in value) or "—"
    if isinstance(value, str) and value in _KEY_CODES.get(key, {}):
        return str(_KEY_CODES[key][value])
    if key in CODED_KEYS and isinstance(value, str) and value in _CODES:
        return str(_CODES[value])
    return _value(value)


def detail_text(detail: dict[str, Any], named: dict[str, str] | None = None) -> str:
    """The detail as one line of text: `key: value; key: value`."""
    return "; ".join(f"{k}: {v}" for k, v in detail_items(detail, named))
