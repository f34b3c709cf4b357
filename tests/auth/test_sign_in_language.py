"""The language chosen on the sign-in page is kept: it becomes the account's language."""

from __future__ import annotations

import pytest

from tests.support import ROLES, audit_actions, csrf_token, fresh, sign_in
from tracker.auth.models import User
from tracker.db import db


def _choose(client, lang: str) -> None:
    token = csrf_token(client)
    assert client.post(f"/language/{lang}", data={"csrf_token": token}).status_code == 302


@pytest.mark.parametrize("role", ROLES)
def test_the_language_picked_before_signing_in_wins(world, client, role):
    me = world.users[role]
    me.locale = "ko"
    db.session.commit()
    _choose(client, "en")
    assert sign_in(client, me.email).status_code == 302
    assert fresh(User, me.id).locale == "en"
    assert '<html lang="en">' in client.get("/").get_data(as_text=True)
    (event,) = audit_actions("user.preferences_changed")
    assert event.detail == {"fields": ["locale"]}


def test_without_a_choice_the_account_keeps_its_language(world, client):
    me = world.users["lawyer"]
    me.locale = "ko"
    db.session.commit()
    assert sign_in(client, me.email).status_code == 302
    assert fresh(User, me.id).locale == "ko"
    assert '<html lang="ko">' in client.get("/").get_data(as_text=True)
    assert not audit_actions("user.preferences_changed")


def test_the_previous_persons_language_is_not_a_choice(world, client):
    """After a sign-out the page keeps speaking the last language, but the next person who
    signs in on that browser keeps their own."""
    first, second = world.users["lawyer"], world.users["company"]
    first.locale, second.locale = "en", "ko"
    db.session.commit()
    assert sign_in(client, first.email).status_code == 302
    token = csrf_token(client, "/account")
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert sign_in(client, second.email).status_code == 302
    assert fresh(User, second.id).locale == "ko"


def test_a_failed_sign_in_keeps_the_choice_for_the_next_try(world, client):
    me = world.users["company"]
    me.locale = "ko"
    db.session.commit()
    _choose(client, "en")
    assert sign_in(client, me.email, "not the password").status_code == 401
    assert fresh(User, me.id).locale == "ko"  # nobody signed in: nothing changed
    assert sign_in(client, me.email).status_code == 302
    assert fresh(User, me.id).locale == "en"
