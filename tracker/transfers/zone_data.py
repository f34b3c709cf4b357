"""The zone report's data, read in a fixed number of statements whatever the zone's size.

Five statements: the projects of the zone inside the reader's scope with their current review
(level, valid until) and lead company; the NDA coverage per partner, grouped in SQL; the
undecided transfer requests with their project and partner; the heat map. The zone itself is
loaded by the caller. What a failing check means is rendered from its stored code and
parameters in the reader's language (`tracker.transfers.gate.check_detail`).

It lives beside the operator's zone page (`overview.py`) because it reads the zone's requests;
`tracker/reports/zone_report.py` lays it out as a PDF."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from tracker import policy
from tracker.auth.labels import role_label
from tracker.auth.models import Organization, User, Zone
from tracker.cases.ndas.models import Nda
from tracker.cases.projects.models import Project, project_partners
from tracker.cases.reviews.level import current_review_id, heat_map
from tracker.cases.reviews.models import RiskReview
from tracker.db import db
from tracker.transfers.gate import check_detail, check_label
from tracker.transfers.models import UNDECIDED, TransferRequest

#: more undecided requests than this are not listed (the report says how many there are)
REQUEST_LIMIT = 500


def zone_name(zone: Zone, locale: str) -> str:
    name = zone.name_ko if locale == "ko" else zone.name_en
    return f"{name} ({zone.code})"


def _projects(scope: list[sa.ColumnElement[bool]], today: dt.date) -> list[dict[str, Any]]:
    review = aliased(RiskReview)
    rows = db.session.execute(
        sa.select(
            Project.id,
            Project.code,
            Project.title,
            Organization.name,
            review.level,
            review.valid_until,
        )
        .join(Organization, Organization.id == Project.company_id)
        .outerjoin(review, review.id == current_review_id(today))
        .where(*scope)
        .order_by(Project.code)
    ).all()
    return [
        {
            "id": pid,
            "code": code,
            "title": title,
            "company": company,
            "level": level,
            "valid_until": valid_until,
            "ndas": [],
        }
        for pid, code, title, company, level, valid_until in rows
    ]


def _coverage(
    scope: list[sa.ColumnElement[bool]], today: dt.date
) -> dict[int, list[dict[str, Any]]]:
    """Each project's partners, with the nearest expiry among their NDAs in force (if any)."""
    in_force = (
        sa.select(Nda.project_id, Nda.partner_id, sa.func.min(Nda.expires_on).label("expires_on"))
        .where(Nda.status == "active", Nda.effective_on <= today, Nda.expires_on >= today)
        .group_by(Nda.project_id, Nda.partner_id)
        .subquery()
    )
    rows = db.session.execute(
        sa.select(project_partners.c.project_id, Organization.name, in_force.c.expires_on)
        .join(Project, Project.id == project_partners.c.project_id)
        .join(Organization, Organization.id == project_partners.c.organization_id)
        .outerjoin(
            in_force,
            sa.and_(
                in_force.c.project_id == project_partners.c.project_id,
                in_force.c.partner_id == project_partners.c.organization_id,
            ),
        )
        .where(*scope)
        .order_by(Organization.name)
    ).all()
    out: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for pid, partner, expires_on in rows:
        out[pid].append(
            {"partner": partner, "covered": expires_on is not None, "expires_on": expires_on}
        )
    return out


def _requests(scope: list[sa.ColumnElement[bool]]) -> list[dict[str, Any]]:
    rows = db.session.execute(
        sa.select(
            TransferRequest.id,
            TransferRequest.status,
            TransferRequest.checks,
            TransferRequest.created_at,
            Project.code,
            Organization.name,
        )
        .join(Project, Project.id == TransferRequest.project_id)
        .join(Organization, Organization.id == TransferRequest.partner_id)
        .where(*scope, TransferRequest.status.in_(UNDECIDED))
        .order_by(TransferRequest.created_at, TransferRequest.id)
        .limit(REQUEST_LIMIT)
    ).all()
    return [
        {
            "id": tid,
            "status": status,
            "project": code,
            "partner": partner,
            "submitted_at": created_at,
            "failing": [
                f"{check_label(c['code'])}: {check_detail(c)}"
                for c in (checks or [])
                if not c["ok"]
            ],
        }
        for tid, status, checks, created_at, code, partner in rows
    ]


def zone_report_data(
    user: User, zone: Zone, today: dt.date, locale: str, generated_at: dt.datetime
) -> dict[str, Any]:
    """The data `tracker.reports.zone_report.render_zone_report` lays out: the projects of
    `zone` that `user` may see (all of them for its operators, admins and auditors). Run it
    inside `force_locale(locale)` so the checks read in the reader's language."""
    scope = [Project.zone_id == zone.id, policy.visible_projects(user)]
    projects = _projects(scope, today)
    coverage = _coverage(scope, today)
    for project in projects:
        project["ndas"] = coverage.get(project["id"], [])
    return {
        "zones": [zone_name(zone, locale)],
        "generated_at": generated_at,
        "generated_by": f"{user.name} ({role_label(user.role)})",
        "heat_map": heat_map(sa.and_(*scope), today),
        "projects": projects,
        # data-sharing requests only for roles that may see them (admins may not: transfer.view)
        "requests": _requests(scope) if policy.may(user, "transfer.view") else [],
    }
