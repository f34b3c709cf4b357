"""The demo data gives every role real work: deadlines in each window, an overdue follow-up, a
review waiting for the second lawyer, a disclosure and a request waiting."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from tracker import clock
from tracker.auth.models import User
from tracker.cases.disclosures.models import Disclosure
from tracker.cases.reviews.models import RiskReview
from tracker.db import db
from tracker.deadlines import service
from tracker.demo import load_demo
from tracker.transfers.models import TransferRequest


def _user(email):
    return db.session.execute(sa.select(User).where(User.email == email)).scalar_one()


def test_demo_deadlines_in_every_window_and_waiting_work():
    assert load_demo()
    today = clock.today()
    lawyer = _user("lawyer@tracker.example")
    items = [i for i in service.deadlines(lawyer, today) if not i["done"]]
    days = [(i["due_on"] - today).days for i in items]
    assert any(d < 0 for d in days), "overdue"
    assert any(0 <= d <= 7 for d in days), "within 7 days"
    assert any(7 < d <= 30 for d in days), "within 30 days"
    assert any(30 < d <= 90 for d in days), "within 90 days"
    kinds = {i["kind"] for i in items}
    assert {"ip_priority", "ip_pct", "nct_review", "licence_expiry", "nda_expiry"} <= kinds
    assert any(i["derived"] for i in items)
    assert any(i["kind"] == "follow_up" and i["overdue"] for i in items)

    operator = _user("operator@tracker.example")
    soon = service.deadlines(operator, today, within_days=90, kind="nda_expiry")
    assert len(soon) == 1 and soon[0]["due_on"] == today + dt.timedelta(days=60)

    second = _user("lawyer2@tracker.example")
    waiting = (
        db.session.execute(
            sa.select(RiskReview).where(
                RiskReview.status == "submitted", RiskReview.author_id != second.id
            )
        )
        .scalars()
        .all()
    )
    assert waiting, "a review waits for the second lawyer"
    assert db.session.execute(
        sa.select(Disclosure.id).where(Disclosure.status == "submitted")
    ).first()
    statuses = set(db.session.execute(sa.select(TransferRequest.status)).scalars())
    assert {"pending_review", "blocked"} <= statuses
