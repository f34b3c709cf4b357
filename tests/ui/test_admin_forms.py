"""Admin forms: the new-account role has no default; options read as labels, not codes."""

from __future__ import annotations

import re

import sqlalchemy as sa

from tests.deadlines.conftest import smtp_server  # noqa: F401  (the real SMTP server fixture)
from tests.support import csrf_token, mail_to
from tracker.auth.models import User
from tracker.db import db


def test_a_new_account_needs_a_chosen_role(world, browser_as, app, smtp_server, monkeypatch):  # noqa: F811
    mail_to(app, smtp_server, monkeypatch, "tracker@example.kr")  # the account is invited
    admin = browser_as(world.users["admin"])
    page = admin.get("/admin/users").get_data(as_text=True)
    role_select = re.search(r'<select[^>]*name="role".*?</select>', page, re.S).group(0)
    assert '<option value="">' in role_select and "selected" not in role_select
    assert ">Lawyer<" in role_select and ">lawyer<" not in role_select
    data = {
        "csrf_token": csrf_token(admin, "/admin/users"),
        "email": "new.person@example.com",
        "name": "New Person",
        "organization_id": "0",
        "zone_id": "0",
        "locale": "en",
        "active": "y",
    }
    r = admin.post("/admin/users", data=data)
    assert r.status_code == 422 and "Choose a role." in r.get_data(as_text=True)
    assert (
        db.session.execute(sa.select(User).where(User.email == "new.person@example.com")).first()
        is None
    )
    r = admin.post("/admin/users", data={**data, "role": "auditor"})
    assert r.status_code == 302
