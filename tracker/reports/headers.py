"""The headers and coded values of export tables: one translated label per column key, and
the labels of the stored codes (statuses, kinds, levels) the case file's own table does not
name. Record kinds add the headers of their own columns (`RecordKind.columns`)."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from tracker import clock, records
from tracker.i18n import zone_of

#: columns whose stored codes read as translated labels
CODED = frozenset(
    {
        "status",
        "recorded_status",
        "kind",
        "sensitivity",
        "level",
        "risk_level",
        "security_level",
        "nct_status",
        "strategic_item",
        "source_type",
    }
)

#: record statuses the case file's LABELS do not name (reviews, disclosures, transfers)
STATUS_LABELS: dict[str, Any] = {
    "submitted": _l("Submitted"),
    "approved": _l("Approved"),
    "rejected": _l("Rejected"),
    "accepted": _l("Accepted"),
    "needs_info": _l("More information requested"),
    "blocked": _l("Blocked"),
    "pending_review": _l("Pending review"),
    "denied": _l("Denied"),
}

COLUMN_LABELS: dict[str, Any] = {
    "id": _l("ID"),
    "code": _l("Code"),
    "title": _l("Title"),
    "zone": _l("Zone"),
    "zone_id": _l("Zone ID"),
    "company": _l("Company"),
    "company_id": _l("Company ID"),
    "partner": _l("Partner"),
    "partner_id": _l("Partner ID"),
    "partner_name": _l("Partner name"),
    "partner_country": _l("Partner country"),
    "partners": _l("Partners"),
    "partner_ids": _l("Partner IDs"),
    "organization": _l("Organisation"),
    "organization_id": _l("Organisation ID"),
    "project": _l("Project"),
    "project_id": _l("Project ID"),
    "asset": _l("Asset"),
    "asset_id": _l("Asset ID"),
    "assets": _l("Assets"),
    "asset_ids": _l("Asset IDs"),
    "lawyer": _l("Lawyer"),
    "lawyer_id": _l("Lawyer ID"),
    "lawyers": _l("Lawyers"),
    "lawyer_ids": _l("Lawyer IDs"),
    "author": _l("Author"),
    "author_id": _l("Author ID"),
    "reviewer": _l("Reviewer"),
    "reviewer_id": _l("Reviewer ID"),
    "filed_by": _l("Filed by"),
    "filed_by_id": _l("Filed by (ID)"),
    "created_by": _l("Created by"),
    "created_by_id": _l("Created by (ID)"),
    "requested_by": _l("Requested by"),
    "requested_by_id": _l("Requested by (ID)"),
    "decided_by": _l("Decided by"),
    "decided_by_id": _l("Decided by (ID)"),
    "approved_by": _l("Approved by"),
    "approved_by_id": _l("Approved by (ID)"),
    "approved_at": _l("Approved at"),
    "security_level_set_by": _l("Security grade set by"),
    "security_level_set_by_id": _l("Security grade set by (ID)"),
    "security_level_set_at": _l("Security grade set at"),
    "security_level": _l("Security grade"),
    "start_date": _l("Start date"),
    "end_date": _l("End date"),
    "budget_krw": _l("Budget (KRW)"),
    "status": _l("Status"),
    "recorded_status": _l("Recorded status"),
    "version": _l("Version"),
    "risk_level": _l("Risk level"),
    "created_at": _l("Created at"),
    "updated_at": _l("Updated at"),
    "signed_on": _l("Signed on"),
    "effective_on": _l("Effective on"),
    "expires_on": _l("Expires on"),
    "governing_law": _l("Governing law"),
    "purpose": _l("Purpose"),
    "return_or_destroy": _l("Return or destroy"),
    "audit_rights": _l("Audit rights"),
    "kind": _l("Kind"),
    "sensitivity": _l("Sensitivity"),
    "nct_status": _l("National core technology"),
    "nct_ref": _l("Approval or report reference"),
    "strategic_item": _l("Strategic item"),
    "export_licence_ref": _l("Export licence"),
    "export_licence_until": _l("Export licence valid until"),
    "description": _l("Description"),
    "jurisdictions": _l("Jurisdictions"),
    "owners": _l("Owners"),
    "application_no": _l("Application number"),
    "filed_on": _l("Filed on"),
    "registration_no": _l("Registration number"),
    "registered_on": _l("Registered on"),
    "originality_cert_no": _l("Originality certificate number"),
    "confidentiality_marked": _l("Marked confidential"),
    "deadlines": _l("Deadlines"),
    "inventors": _l("Inventors"),
    "conceived_on": _l("Conceived on"),
    "disclosed_externally": _l("Disclosed externally"),
    "has_foreign_inventor": _l("Foreign inventor"),
    "reviewer_note": _l("Reviewer's note"),
    "decided_at": _l("Decided at"),
    "held_on": _l("Held on"),
    "duration_minutes": _l("Duration (minutes)"),
    "attendees": _l("Attendees"),
    "topics": _l("Topics"),
    "advice": _l("Advice"),
    "follow_ups": _l("Follow-ups"),
    "catalogue_version": _l("Question catalogue"),
    "answers": _l("Answers"),
    "summary": _l("Summary"),
    "likelihood": _l("Likelihood"),
    "impact": _l("Impact"),
    "score": _l("Score"),
    "level": _l("Level"),
    "nct_forced": _l("Raised by national core technology"),
    "drivers": _l("Risk drivers"),
    "conditions": _l("Conditions"),
    "valid_until": _l("Valid until"),
    "channel": _l("Channel"),
    "planned_on": _l("Planned date"),
    "files": _l("Files"),
    "checks": _l("Checks"),
    # inside nested records (owners, inventors, deadlines, follow-ups)
    "name": _l("Name"),
    "share_pct": _l("Share (%)"),
    "nationality": _l("Nationality"),
    "employer": _l("Employer"),
    "foreign": _l("Foreign"),
    "due_on": _l("Due on"),
    "note": _l("Note"),
    "done": _l("Done"),
    "done_at": _l("Done at"),
    "owner": _l("Owner"),
    # deadlines (issue 9) and the asset dates they derive from
    "source_type": _l("Source"),
    "source_id": _l("Source ID"),
    "overdue": _l("Overdue"),
    "derived": _l("Derived by a rule"),
    "rule": _l("Docketing rule"),
    "office": _l("Office"),
    "filing_id": _l("Filing ID"),
    "grace_until": _l("Late payment until"),
    "project_code": _l("Project code"),
    "next_due_on": _l("Next deadline"),
    "key": _l("Rule key"),
    "priority_on": _l("Priority date"),
    "nct_filed_on": _l("NCT approval or report filed on"),
    "disclosure_id": _l("Disclosure ID"),
}


def header(key: str, *, time: bool = False) -> str:
    """The translated header of a column (times are in the reader's zone, and the header says
    its offset: "Created at (+09:00)")."""
    label = COLUMN_LABELS.get(key)
    if label is None:
        label = next((k.columns[key] for k in records.kinds() if key in k.columns), key)
    text = str(label)
    return f"{text} ({reader_offset()})" if time else text


def reader_offset() -> str:
    """The reader's offset from UTC now ("+09:00")."""
    return clock.now().astimezone(zone_of()).isoformat()[-6:]
