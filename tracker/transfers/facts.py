"""What the gate's checks are judged on, loaded for any number of requests at once.

One request or the whole zone queue: the same four statements (the partners' NDAs, the assets
those NDAs cover, the projects' current reviews, which partners are on which projects), so the
zone page runs the checks of every open request in a fixed number of statements and the rules
in `tracker.transfers.gate` are written once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

import sqlalchemy as sa

from tracker.auth.models import Organization
from tracker.cases.assets.models import IpAsset
from tracker.cases.ndas.models import Nda, nda_assets
from tracker.cases.projects.models import Project, project_partners
from tracker.cases.reviews.level import current_review_id
from tracker.cases.reviews.models import RiskReview
from tracker.db import db


@dataclass(frozen=True)
class GateInput:
    """A request as the gate sees it (filed already, or about to be)."""

    project_id: int
    partner: Organization
    assets: Sequence[IpAsset]
    planned_on: dt.date


@dataclass
class GateFacts:
    """The facts one request is judged on."""

    #: the partner's NDAs on the project, by id
    ndas: list[Nda] = field(default_factory=list)
    #: NDA id -> the ids of the assets it covers
    covered: dict[int, set[int]] = field(default_factory=dict)
    #: the project's current review (latest approved, unexpired), if any
    review: RiskReview | None = None
    partner_on_project: bool = False


def load_facts(inputs: Sequence[GateInput], today: dt.date) -> list[GateFacts]:
    """The facts of each input, in order: at most four statements however many inputs."""
    if not inputs:
        return []
    project_ids = {i.project_id for i in inputs}
    partner_ids = {i.partner.id for i in inputs}
    ndas = (
        db.session.execute(
            sa.select(Nda)
            .where(Nda.project_id.in_(project_ids), Nda.partner_id.in_(partner_ids))
            .order_by(Nda.id)
        )
        .scalars()
        .all()
    )
    covered: dict[int, set[int]] = {n.id: set() for n in ndas}
    if ndas:
        rows = db.session.execute(
            sa.select(nda_assets.c.nda_id, nda_assets.c.asset_id).where(
                nda_assets.c.nda_id.in_(covered)
            )
        )
        for nda_id, asset_id in rows:
            covered[nda_id].add(asset_id)
    reviews = {
        r.project_id: r
        for r in db.session.execute(
            sa.select(RiskReview)
            .join(Project, RiskReview.project_id == Project.id)
            .where(Project.id.in_(project_ids), RiskReview.id == current_review_id(today))
        ).scalars()
    }
    on_project = {
        (project_id, partner_id)
        for project_id, partner_id in db.session.execute(
            sa.select(project_partners.c.project_id, project_partners.c.organization_id).where(
                project_partners.c.project_id.in_(project_ids),
                project_partners.c.organization_id.in_(partner_ids),
            )
        )
    }
    by_pair: dict[tuple[int, int], list[Nda]] = {}
    for nda in ndas:
        by_pair.setdefault((nda.project_id, nda.partner_id), []).append(nda)
    facts = []
    for i in inputs:
        pair = (i.project_id, i.partner.id)
        own = by_pair.get(pair, [])
        facts.append(
            GateFacts(
                ndas=own,
                covered={n.id: covered[n.id] for n in own},
                review=reviews.get(i.project_id),
                partner_on_project=pair in on_project,
            )
        )
    return facts
