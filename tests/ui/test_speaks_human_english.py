"""The English half of issue 19's walk: every page every demo role reaches, in English and in
a time zone other than the firm's (Europe/Berlin), shows no stored code (an audit action, a
status or kind, a rule id, a MIME type, a detail key), no UTC or ISO time and no ISO date."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.support import sign_in
from tests.ui.test_speaks_human import walk
from tracker.auth.models import User
from tracker.db import db
from tracker.demo import DEMO_PASSWORD, demo_logins, load_demo


@pytest.mark.crawl
@pytest.mark.parametrize("email", [e for e, _ in demo_logins()][:5])
def test_every_page_of_every_role_speaks_english(app, email):
    load_demo()
    db.session.execute(sa.update(User).values(locale="en", time_zone="Europe/Berlin"))
    db.session.flush()
    client = app.test_client()
    assert sign_in(client, email, DEMO_PASSWORD).status_code == 302
    walk(client, set(), lang="en")
