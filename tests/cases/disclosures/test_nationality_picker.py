"""Nationality and country are picked by name (the reader's language) and stored as the ISO
code; "독일", "Germany" and "de" are all Germany."""

from __future__ import annotations

import pytest

from tests.cases.disclosures.test_disclosures_pages import _form
from tests.support import ROLES, csrf_token, fresh
from tracker.auth.countries import country_code, country_name
from tracker.auth.models import Organization
from tracker.cases.disclosures.models import Disclosure
from tracker.db import db


@pytest.mark.parametrize("typed", ["독일", "Germany", "germany", " de ", "DE"])
def test_a_country_typed_by_name_or_code_is_stored_as_its_code(world, browser_as, typed):
    c = browser_as(world.users["company"])
    path = f"/projects/{world.project.id}/disclosures/new"
    r = c.post(path, data=_form(csrf_token(c, path), **{"inventors-1-nationality": typed}))
    assert r.status_code == 302, r.get_data(as_text=True)[:500]
    disclosure = fresh(Disclosure, int(r.headers["Location"].rsplit("/", 1)[1]))
    assert [i.nationality for i in disclosure.inventors] == ["KR", "DE"]


@pytest.mark.parametrize("typed", ["Atlantis", "ZZ", "독일어", "x" * 101])
def test_a_country_nobody_knows_is_refused_and_nothing_is_filed(world, browser_as, typed):
    c = browser_as(world.users["company"])
    path = f"/projects/{world.project.id}/disclosures/new"
    r = c.post(path, data=_form(csrf_token(c, path), **{"inventors-1-nationality": typed}))
    assert r.status_code == 422
    assert db.session.query(Disclosure).count() == 0


def test_the_form_offers_the_names_in_the_readers_language(world, browser_as):
    user = world.users["company"]
    user.locale = "ko"
    db.session.commit()
    c = browser_as(user)
    html = c.get(f"/projects/{world.project.id}/disclosures/new").get_data(as_text=True)
    assert 'list="countries"' in html and '<option value="독일">' in html
    assert "ISO" not in html


@pytest.mark.parametrize("role", ["lawyer", "company", "auditor"])
def test_the_page_names_the_country(world, browser_as, role):
    c = browser_as(world.users["company"])
    path = f"/projects/{world.project.id}/disclosures/new"
    r = c.post(path, data=_form(csrf_token(c, path), **{"inventors-1-nationality": "독일"}))
    reader = world.users[role]
    reader.locale = "ko"
    db.session.commit()
    html = browser_as(reader).get(r.headers["Location"]).get_data(as_text=True)
    assert "<td>독일</td>" in html and "<td>DE</td>" not in html


def test_the_api_keeps_iso_codes(world, api_as):
    """The API's contract is unchanged: two-letter codes (a name is for people typing)."""
    body = {
        "title": "Hull coating",
        "description": "A coating that lowers drag.",
        "conceived_on": "2026-02-01",
        "disclosed_externally": False,
        "inventors": [
            {"name": "Lee", "share_pct": "60", "nationality": "대한민국"},
            {"name": "Weber", "share_pct": "40", "nationality": "Germany"},
        ],
    }
    r = api_as(world.users["company"]).post(
        f"/api/v1/projects/{world.project.id}/disclosures", json=body
    )
    assert r.status_code == 422
    assert db.session.query(Disclosure).count() == 0


@pytest.mark.parametrize("role", ROLES)
def test_only_the_admin_adds_an_organisation_by_country_name(world, browser_as, role):
    c = browser_as(world.users[role])
    data = {"name": "Weber Werke", "kind": "partner", "country": "독일"}
    r = c.post("/admin/organizations", data={**data, "csrf_token": csrf_token(c, "/account")})
    found = db.session.query(Organization).filter_by(name="Weber Werke").one_or_none()
    if role == "admin":
        assert r.status_code == 302 and found is not None and found.country == "DE"
    else:
        assert r.status_code == 403 and found is None


def test_the_helpers():
    assert country_code("미국") == country_code("United States") == "US"
    assert country_code(5) is None and country_code("") is None
    assert country_name("DE", "ko") == "독일" and country_name("DE", "en") == "Germany"
