"""Text no database column can hold (NUL, which PostgreSQL refuses; unpaired surrogates, which
no encoding carries) is refused with the field named, wherever it comes from: 422 from the API
and the forms, never a 500 (it was a 500 on PostgreSQL). The property over every character is
in tests/security/test_service_properties.py."""

from __future__ import annotations

import pytest

from tests.support import count, csrf_token
from tests.test_plausible_dates import _disclosure_form
from tracker.cases.disclosures.models import Disclosure
from tracker.cases.projects.models import Project
from tracker.db import db


@pytest.mark.parametrize(
    ("title", "expected"),
    [("a\x00b", "NUL character"), ("\x00", "NUL character"), ("x\ud800", "surrogate")],
)
def test_the_api_refuses_unstorable_text(world, api_as, title, expected):
    api = api_as(world.users["admin"])
    path = f"/api/v1/projects/{world.project.id}"
    version = api.get(path).get_json()["version"]
    r = api.patch(path, json={"title": title, "version": version})
    assert r.status_code == 422, r.get_json()
    assert expected in r.get_json()["errors"]["title"][0]
    db.session.expire_all()
    assert db.session.get(Project, world.project.id).title == world.project.title


@pytest.mark.parametrize(
    ("locale", "expected"), [("en", "must not contain the NUL character"), ("ko", "NUL 문자")]
)
def test_forms_refuse_nul(world, browser_as, locale, expected):
    user = world.users["company"]
    user.locale = locale
    db.session.flush()
    c = browser_as(user)
    data = _disclosure_form(c, world.project.id, "2026-03-02")
    data["title"] = "Sensor\x00 array"
    r = c.post(f"/projects/{world.project.id}/disclosures/new", data=data)
    assert r.status_code == 422
    assert expected in r.get_data(as_text=True)
    assert count(Disclosure) == 0
    assert csrf_token(c, f"/projects/{world.project.id}/disclosures/new")  # still usable


def test_other_control_characters_are_kept(world, api_as):
    api = api_as(world.users["admin"])
    path = f"/api/v1/projects/{world.project.id}"
    version = api.get(path).get_json()["version"]
    title = "tab\there\x01\x7f\u2028\ufeff 한글"
    r = api.patch(path, json={"title": title, "version": version})
    assert r.status_code == 200 and r.get_json()["title"] == title
