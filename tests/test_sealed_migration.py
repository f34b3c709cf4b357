"""Migration 0016 seals the text already stored and its downgrade unseals it: on the demo data,
down to 0010 every sealed value is plain again (and disclosures are searchable by their
description, as that release did), up to 0016 every value is sealed, reads as before and is
out of the search index."""

from __future__ import annotations

from typing import Any

import flask_migrate
import pytest
import sqlalchemy as sa

from tests.support import demo_app
from tracker.cases.assets.models import IpAsset
from tracker.cases.disclosures.models import Disclosure
from tracker.cases.reviews.models import RiskReview
from tracker.cases.sessions.models import AdvisorySession
from tracker.db import db
from tracker.sealing import PREFIX

COLUMNS = (
    ("advisory_sessions", "privileged_notes"),
    ("disclosures", "description"),
    ("ip_assets", "description"),
    ("risk_reviews", "conditions"),
)


def _stored() -> dict[tuple[str, str, int], str]:
    found = {}
    for table, column in COLUMNS:
        rows = db.session.execute(
            sa.text(f"SELECT id, {column} FROM {table} WHERE {column} IS NOT NULL")  # noqa: S608
        ).all()
        for row_id, value in rows:
            found[(table, column, row_id)] = value
    return found


def sealed_models() -> list[tuple[Any, str]]:
    return [
        (AdvisorySession, "privileged_notes"),
        (Disclosure, "description"),
        (IpAsset, "description"),
        (RiskReview, "conditions"),
    ]


def _read_through_models() -> dict[tuple[str, str, int], str]:
    found: dict[tuple[str, str, int], Any] = {}
    for model, column in sealed_models():
        for row in db.session.execute(sa.select(model)).scalars():
            value = getattr(row, column)
            if value is not None:
                found[(model.__tablename__, column, row.id)] = value
    return found


@pytest.mark.real_commits
def test_upgrade_seals_and_downgrade_unseals_the_stored_text(tmp_path_factory, worker_id):
    app = demo_app(tmp_path_factory, worker_id, "sealmig")
    with app.app_context():
        # the demo leaves some sealed columns empty: give every one a value
        for model, column in sealed_models():
            row = db.session.execute(sa.select(model).order_by(model.id).limit(1)).scalar_one()
            setattr(row, column, f"Migrated {model.__tablename__} text")
        db.session.commit()
        plain = _read_through_models()
        kinds = {(t, c) for t, c, _ in plain}
        assert kinds == set(COLUMNS), kinds  # the demo has text in every sealed column
        assert all(v.startswith(PREFIX) for v in _stored().values())
        db.session.remove()

        flask_migrate.downgrade(revision="0010")
        assert _stored() == plain  # every value plain again, exactly
        disclosure_id, description = next(
            (k[2], v) for k, v in plain.items() if k[0] == "disclosures"
        )
        text = db.session.execute(
            sa.text(
                "SELECT text FROM search_entries "
                "WHERE record_type = 'disclosure' AND record_id = :i"
            ),
            {"i": disclosure_id},
        ).scalar_one()
        assert description in text
        db.session.remove()

        flask_migrate.upgrade()
        stored = _stored()
        assert set(stored) == set(plain)
        assert all(v.startswith(PREFIX) for v in stored.values())
        assert not any(v in s for v in plain.values() for s in stored.values())
        texts = db.session.execute(sa.text("SELECT text FROM search_entries")).scalars().all()
        assert not any(v in t for v in plain.values() if len(v) > 20 for t in texts)
        app.extensions.pop("tracker_project_keys", None)
        assert _read_through_models() == plain
        db.session.remove()
        db.engine.dispose()
