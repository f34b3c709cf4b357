"""Invitations: an account made without a password gets a one-time link (72 hours) by e-mail
(a real SMTP server); the link sets the password under the usual rules and signs in; a used,
replaced, expired or unknown link is 404; only the link's hash is stored, and neither the
audit trail nor the logs hold it."""

from __future__ import annotations

import logging
import re
from typing import Any

import pytest
import sqlalchemy as sa
import time_machine

from tests.deadlines.conftest import smtp_server  # noqa: F401  (the real SMTP server fixture)
from tests.support import csrf_token, mail_to, moment, sign_in
from tracker.audit.models import AuditEvent
from tracker.auth.invitations import Invitation
from tracker.auth.models import User
from tracker.db import db

GOOD_PASSWORD = "a long enough passphrase"
SENDER = "tracker@tracker.example.kr"
LINK = re.compile(r"https?://[^/\s]+/invite/([A-Za-z0-9_-]+)")


@pytest.fixture
def mailbox(app: Any, smtp_server: Any, monkeypatch: pytest.MonkeyPatch) -> Any:  # noqa: F811
    return mail_to(app, smtp_server, monkeypatch, SENDER)


@pytest.fixture
def admin_api(make_user: Any, api_as: Any) -> Any:
    return api_as(make_user("admin"))


def _invite(admin_api: Any, email: str = "new@example.test", locale: str = "en") -> int:
    response = admin_api.post(
        "/api/v1/users",
        json={"email": email, "name": "New Person", "role": "auditor", "locale": locale},
    )
    assert response.status_code == 201, response.get_json()
    assert "password" not in response.get_json()
    return int(response.get_json()["id"])


def _token(mailbox: Any, index: int = -1) -> str:
    msg = mailbox.messages()[index]
    found = LINK.search(msg.get_body(("plain",)).get_content())
    assert found, "no link in the mail"
    return found.group(1)


def _set_password(client: Any, token: str, password: str = GOOD_PASSWORD) -> Any:
    page = client.get(f"/invite/{token}")
    assert page.status_code == 200
    form_token = re.search(
        r'name="csrf_token" type="hidden" value="([^"]+)"', page.get_data(as_text=True)
    )
    assert form_token
    return client.post(
        f"/invite/{token}", data={"csrf_token": form_token.group(1), "new": password}
    )


def test_a_new_account_without_password_is_invited_and_sets_it(admin_api, mailbox, client, caplog):
    caplog.set_level(logging.DEBUG)
    uid = _invite(admin_api, locale="ko")
    (msg,) = mailbox.messages()
    assert msg["To"] == "new@example.test" and msg["From"] == SENDER
    assert "비밀번호" in msg["Subject"]  # the account's language
    token = _token(mailbox)
    assert len(token) >= 40
    # only a hash is stored; the token is in no audit event and no log line
    (row,) = db.session.execute(sa.select(Invitation).where(Invitation.user_id == uid)).scalars()
    assert row.token_hash != token and token not in row.token_hash
    events = db.session.execute(sa.select(AuditEvent)).scalars().all()
    assert "user.invited" in {e.action for e in events}
    assert all(token not in repr(e.detail) for e in events)
    # the account cannot sign in before the link is used
    assert sign_in(client, "new@example.test", "!invited").status_code == 401
    # a weak password is refused and changes nothing
    weak = _set_password(client, token, "short")
    assert weak.status_code == 422
    assert db.session.execute(sa.select(Invitation.id).where(Invitation.user_id == uid)).first()
    done = _set_password(client, token)
    assert done.status_code == 302
    # signed in: an auditor must enrol a second factor first, so every page leads there
    landing = client.get("/")
    assert landing.status_code == 302 and landing.headers["Location"].endswith(
        "/account/second-factor"
    )
    assert client.get("/account/second-factor").status_code == 200
    assert "user.invitation_accepted" in {
        e.action for e in db.session.execute(sa.select(AuditEvent)).scalars()
    }
    assert token not in caplog.text
    # used: the link is gone (asked by someone not signed in)
    assert client.application.test_client().get(f"/invite/{token}").status_code == 404
    fresh = db.session.get(User, uid)
    assert fresh is not None
    other = type(client)(client.application)
    assert sign_in(other, "new@example.test", GOOD_PASSWORD).status_code == 302


def test_a_new_invitation_ends_the_earlier_link(admin_api, mailbox, client):
    uid = _invite(admin_api)
    first = _token(mailbox)
    assert admin_api.post(f"/api/v1/users/{uid}/invitation").status_code == 204
    second = _token(mailbox)
    assert first != second and len(mailbox.messages()) == 2
    assert client.get(f"/invite/{first}").status_code == 404
    assert client.get(f"/invite/{second}").status_code == 200


def test_the_link_expires_after_72_hours(admin_api, mailbox, client):
    _invite(admin_api)
    token = _token(mailbox)
    with time_machine.travel(moment(2.9), tick=False):
        assert client.get(f"/invite/{token}").status_code == 200
    with time_machine.travel(moment(3.1), tick=False):
        assert client.get(f"/invite/{token}").status_code == 404
        form = {"new": GOOD_PASSWORD, "csrf_token": csrf_token(client)}
        assert client.post(f"/invite/{token}", data=form).status_code == 404


@pytest.mark.parametrize(
    "token", ["unknown", "x" * 2000, "%00abc", "a%0d%0aSet-Cookie:x", "..%2f..%2fetc"]
)
def test_unknown_or_hostile_links_are_not_found(app, client, token):
    response = client.get(f"/invite/{token}")
    assert response.status_code == 404
    form = {"new": GOOD_PASSWORD, "csrf_token": csrf_token(client)}
    assert client.post(f"/invite/{token}", data=form).status_code == 404


def test_only_admins_invite(world, api_as, mailbox):
    target = world.users["auditor"]
    for role, user in world.users.items():
        status = api_as(user).post(f"/api/v1/users/{target.id}/invitation").status_code
        assert status == (204 if role == "admin" else 403), role
    for user in world.outsiders.values():
        assert api_as(user).post(f"/api/v1/users/{target.id}/invitation").status_code == 403
    assert len(mailbox.messages()) == 1


def test_inviting_a_missing_user_is_404(admin_api, mailbox):
    for ident in ("999999", "99999999999999999999", "0"):
        assert admin_api.post(f"/api/v1/users/{ident}/invitation").status_code == 404
    assert mailbox.messages() == []


def test_without_a_mail_server_an_invitation_is_refused(admin_api):
    response = admin_api.post(
        "/api/v1/users", json={"email": "n@example.test", "name": "N", "role": "auditor"}
    )
    assert response.status_code == 409
    assert response.mimetype == "application/problem+json"
    assert (
        db.session.execute(sa.select(User.id).where(User.email == "n@example.test")).first() is None
    )


def test_a_password_may_still_be_given(admin_api, mailbox):
    response = admin_api.post(
        "/api/v1/users",
        json={"email": "p@example.test", "name": "P", "role": "auditor", "password": GOOD_PASSWORD},
    )
    assert response.status_code == 201
    assert mailbox.messages() == []


def test_the_admin_form_asks_no_password_and_sends_an_invitation(
    make_user, browser_as, make_org, mailbox
):
    client = browser_as(make_user("admin"))
    page = client.get("/admin/users").get_data(as_text=True)
    assert 'type="password"' not in page
    company = make_org("company")
    token = csrf_token(client, "/admin/users")
    response = client.post(
        "/admin/users",
        data={
            "csrf_token": token,
            "email": "html@example.test",
            "name": "Html",
            "role": "company",
            "organization_id": company.id,
            "zone_id": 0,
            "locale": "ko",
            "active": "y",
        },
    )
    assert response.status_code == 302
    user = db.session.execute(sa.select(User).where(User.email == "html@example.test")).scalar_one()
    assert len(mailbox.messages()) == 1
    # a new link from the account's page
    resent = client.post(f"/admin/users/{user.id}/invitation", data={"csrf_token": token})
    assert resent.status_code == 302
    assert len(mailbox.messages()) == 2
    assert client.post(f"/admin/users/{user.id}/invitation", data={}).status_code == 400


def test_the_invitation_page_is_rate_limited(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_ADDRESS_LIMIT", "3 per 15 minutes")
    codes = [client.get(f"/invite/guess{i}").status_code for i in range(5)]
    assert codes[:3] == [404, 404, 404] and codes[-1] == 429


def test_the_admin_pages_without_a_mail_server_say_so(make_user, browser_as, world):
    client = browser_as(make_user("admin"))
    token = csrf_token(client, "/admin/users")
    form = {
        "csrf_token": token,
        "email": "m@example.test",
        "name": "M",
        "role": "auditor",
        "locale": "en",
    }
    response = client.post("/admin/users", data={**form, "organization_id": 0, "zone_id": 0})
    assert response.status_code == 409
    assert "No mail server is set up" in response.get_data(as_text=True)
    assert (
        db.session.execute(sa.select(User.id).where(User.email == "m@example.test")).first() is None
    )
    target = world.users["auditor"]
    resent = client.post(
        f"/admin/users/{target.id}/invitation", data={"csrf_token": token}, follow_redirects=True
    )
    assert resent.status_code == 200
    assert "No mail server is set up" in resent.get_data(as_text=True)
    assert db.session.execute(sa.select(Invitation.id)).first() is None


def test_a_new_link_for_an_account_with_a_second_factor_still_asks_for_it(
    make_user, admin_api, mailbox, client
):
    """A resent invitation proves the mailbox, not the second factor: setting the password
    opens no session for a lawyer who has one; signing in asks for the code."""
    lawyer = make_user("lawyer", email="enrolled@example.test")
    assert lawyer.totp_enrolled
    db.session.commit()
    assert admin_api.post(f"/api/v1/users/{lawyer.id}/invitation").status_code == 204
    done = _set_password(client, _token(mailbox))
    assert done.status_code == 302 and done.headers["Location"].endswith("/login")
    assert client.get("/").status_code == 302  # not signed in
    assert client.get("/").headers["Location"].split("?")[0].endswith("/login")
    token = csrf_token(client)
    first = client.post(
        "/login",
        data={"email": "enrolled@example.test", "password": GOOD_PASSWORD, "csrf_token": token},
    )
    assert first.status_code == 302 and first.headers["Location"].endswith("/login/totp")
