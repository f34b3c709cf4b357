"""Fixtures of the security proofs: `world` plus one record of every kind in its project."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import sqlalchemy as sa

from tests.support import (
    DISCLOSURE_CANARY,
    FILE_CANARY,
    approved_review,
    make_asset,
    make_disclosure,
    make_nda,
    make_review,
    make_session,
    pdf,
    upload,
)
from tracker import clock
from tracker.auth.models import Passkey
from tracker.auth.notifications import Notification, notify
from tracker.cases.filings.models import Filing
from tracker.db import db
from tracker.transfers import service as transfers


@pytest.fixture
def records(world: Any, api_as: Any, make_user: Any) -> Any:
    """`world` with an asset, an NDA, a submitted disclosure, an advisory session (with a
    follow-up), a risk review, an attachment and a transfer request in `world.project`, and a
    spare account `target`. Secret text carries a canary: CANARY the privileged notes,
    DISCLOSURE_CANARY the disclosure's description, FILE_CANARY the file's content."""
    w = world
    w.target = make_user("company")  # the account the admin pages and API act on
    lawyer, company = w.users["lawyer"], w.users["company"]
    w.asset = make_asset(w.project)
    w.filing = Filing(asset=w.asset, office="KR", route="first", filed_on=dt.date(2024, 3, 31))
    db.session.add(w.filing)
    w.nda = make_nda(w.project, w.partner, expires_on=dt.date(2099, 6, 30), assets=[w.asset])
    review = approved_review(w.project, lawyer.id, valid_until=dt.date(2099, 1, 1))
    db.session.add(review)
    db.session.flush()
    w.disclosure = make_disclosure(
        w.project, company, description=f"Halves the losses at 800 V. {DISCLOSURE_CANARY}"
    )
    w.session = make_session(w.project, lawyer)  # its privileged notes carry CANARY
    w.follow_up = w.session.follow_ups[0]
    w.review = make_review(w.project, lawyer)
    db.session.commit()
    response = upload(
        api_as(lawyer), w.project.id, pdf(marker=FILE_CANARY.encode()), name="plan.pdf"
    )
    assert response.status_code == 201, response.get_data(as_text=True)
    w.attachment_id = response.get_json()["id"]
    w.transfer = transfers.file_transfer(
        company,
        w.project,
        transfers.TransferDraft(
            partner_id=w.partner.id,
            asset_ids=[w.asset.id],
            attachment_ids=[],
            purpose="Joint test",
            channel="secure_platform",
            planned_on=clock.today() + dt.timedelta(days=7),
        ),
    )
    # the company user's notice of the disclosure (only its reader may mark it read)
    notify(company.id, "disclosure_decided", w.disclosure, w.project.id)
    db.session.flush()
    w.notification_id = db.session.execute(
        sa.select(Notification.id).where(Notification.user_id == company.id)
    ).scalar_one()
    # a passkey of the in-scope lawyer: only its owner may remove it (the others get 404)
    w.passkey = Passkey(
        user_id=w.users["lawyer"].id,
        credential_id=b"sweep-credential",
        public_key=b"not-a-key",
        name="sweep",
    )
    db.session.add(w.passkey)
    db.session.commit()
    return w
