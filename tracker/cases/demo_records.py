"""Demo records for a demo project: an advisory session, an approved risk review and a submitted
invention disclosure, written through the same services as the pages (so they are audited and
indexed for search like real ones)."""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal

import sqlalchemy as sa

from tracker import clock
from tracker.audit.service import record
from tracker.auth.models import User
from tracker.cases.disclosures import service as disclosures
from tracker.cases.projects.models import Project
from tracker.cases.reviews import service as risk
from tracker.cases.reviews.models import RiskReview
from tracker.cases.sessions import service as advice
from tracker.cases.sessions.models import AdvisorySession
from tracker.db import db

log = logging.getLogger(__name__)

#: the demo's answers where the project's records say nothing
DEFAULT_ANSWERS = {
    "asset_sensitivity": "confidential",
    "economic_value": "high",
    "core_technology_share": "significant",
    "partner_jurisdiction": "low_risk",
    "partner_access": "detailed_data",
    "nda_coverage": "active_partial",
    "transfer_channel": "secure_platform",
    "personnel_exposure": "few_remote",
    "prior_incidents": "none",
}


def add_demo_records(
    project: Project, lawyer: User, company_user: User | None, reviewer: User | None = None
) -> None:
    """Add the demo records to `project` (nothing when it already has a session).

    The review is written by `lawyer` and decided by `reviewer`, else by another lawyer
    assigned to the project (four eyes). With no second lawyer the demo still approves it,
    recording `lawyer` as reviewer and saying so in the conditions, so the demo's data-sharing
    gate has a current review to check."""
    exists = db.session.execute(
        sa.select(AdvisorySession.id).where(AdvisorySession.project_id == project.id).limit(1)
    ).first()
    if exists:
        return
    today = clock.today()
    partner = project.partners[0].name if project.partners else "the foreign partner"
    _session(project, lawyer, partner, today)
    _review(project, lawyer, reviewer or _second_lawyer(project, lawyer), today)
    if company_user is not None and company_user.organization_id == project.company_id:
        _disclosure(project, company_user, today)


def _session(project: Project, lawyer: User, partner: str, today: dt.date) -> None:
    advice.record_session(
        project,
        lawyer,
        {
            "held_on": today - dt.timedelta(days=21),
            "duration_minutes": 90,
            "attendees": [lawyer.name, "연구책임자 Principal investigator", f"{partner} liaison"],
            "topics": [
                "NDA scope before the joint workshop",
                "Ownership of jointly developed results",
                "Export control check of the shared drawings",
            ],
            "advice": (
                f"Share only the summary slides with {partner} until the NDA covering the "
                "design files is signed. Mark every technical document 'Confidential' and "
                "upload it here before sending, so the originality certificate can be "
                "requested. Joint results: agree the ownership shares in writing before the "
                "first joint filing."
            ),
            "privileged_notes": (
                "The draft joint research agreement gives the partner a royalty-free licence "
                "to background IP; push back in the next round. The company's earlier e-mail "
                "of the layout may already count as an export: assess before the workshop."
            ),
            "follow_ups": [
                {
                    "title": "Send the NDA draft with return-or-destroy and audit clauses",
                    "owner": lawyer.name,
                    "due_on": today + dt.timedelta(days=14),
                },
                {
                    "title": "List the files shared by e-mail since the project start",
                    "owner": "연구책임자 Principal investigator",
                    "due_on": today - dt.timedelta(days=3),
                },
            ],
        },
    )


def _second_lawyer(project: Project, author: User) -> User | None:
    return next((u for u in project.lawyers if u.id != author.id), None)


def _review(project: Project, author: User, reviewer: User | None, today: dt.date) -> None:
    answers = {**DEFAULT_ANSWERS, **risk.prefill(project)["answers"]}
    review = risk.submit_review(
        project,
        author,
        answers,
        "Partner in an export-control regime country; detailed design data shared through the "
        "secure platform only; NDA in place but without audit rights.",
    )
    valid_until = today + dt.timedelta(days=365)
    conditions = (
        "보안 플랫폼으로만 공유 (only through the secure platform); no source leaves Korea."
    )
    if reviewer is not None:
        risk.decide_review(review, reviewer, "approve", valid_until, conditions)
        return
    log.warning(
        "demo: project %s has one lawyer; approving its review without four eyes", project.id
    )
    _approve_without_second_lawyer(review, author, valid_until, conditions)


def _approve_without_second_lawyer(
    review: RiskReview, author: User, valid_until: dt.date, conditions: str
) -> None:
    review.status = "approved"
    review.reviewer_id = author.id
    review.decided_at = clock.now()
    review.valid_until = valid_until
    review.conditions = f"{conditions} (Demo data: approved without a second lawyer.)"
    db.session.flush()
    record(
        "review.approved",
        review,
        detail={"project_id": review.project_id, "level": review.level, "demo": True},
    )


def _disclosure(project: Project, company_user: User, today: dt.date) -> None:
    partner = project.partners[0] if project.partners else None
    inventors = [
        {"name": company_user.name, "share_pct": Decimal("70"), "nationality": "KR"},
        {
            "name": "Partner researcher",
            "share_pct": Decimal("30"),
            "nationality": partner.country if partner else None,
            "employer": partner.name if partner else None,
        },
    ]
    disclosures.file_disclosure(
        project,
        company_user,
        {
            "title": f"Improvement arising from {project.title}"[:300],
            "description": (
                "A method found during the joint experiments that cuts the calibration time "
                "in half; first shown to the partner at the monthly video call."
            ),
            "conceived_on": today - dt.timedelta(days=45),
            "disclosed_externally": False,
            "inventors": inventors,
        },
    )


def add_waiting_review(project: Project, author: User) -> None:
    """A re-review submitted by `author` and not yet decided: it waits for the second lawyer
    (the demo's `lawyer2`), who sees it in their queue."""
    answers = {**DEFAULT_ANSWERS, **risk.prefill(project)["answers"]}
    answers["partner_access"] = "source_or_raw"
    risk.submit_review(
        project,
        author,
        answers,
        "Re-review before the joint prototype test: the partner asks for the raw measurement "
        "data of the converter runs.",
    )
