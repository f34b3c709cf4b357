"""Dates outside 1900–2200 are refused wherever they come from (API, forms, services); an
impossible date reads "not a valid date" in Korean and English."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from tests.support import count, csrf_token, disclosure_body
from tracker.cases.disclosures.models import Disclosure
from tracker.cases.projects.models import Project
from tracker.db import db


@pytest.mark.parametrize("day", ["0006-03-02", "1899-12-31"])
def test_the_api_refuses_an_implausible_conception_date(world, api_as, day):
    r = api_as(world.users["company"]).post(
        f"/api/v1/projects/{world.project.id}/disclosures", json=disclosure_body(conceived_on=day)
    )
    assert r.status_code == 422, r.get_json()
    assert "conceived_on" in str(r.get_json()["errors"])
    assert count(Disclosure) == 0


def test_the_api_refuses_a_deadline_far_ahead(world, api_as):
    api = api_as(world.users["lawyer"])
    r = api.post(
        f"/api/v1/projects/{world.project.id}/assets",
        json={
            "title": "A",
            "kind": "patent",
            "sensitivity": "confidential",
            "deadlines": [{"kind": "annuity", "due_on": "2301-01-01"}],
        },
    )
    assert r.status_code == 422 and "due_on" in str(r.get_json()["errors"])


def _disclosure_form(client, project_id, day):
    return {
        "csrf_token": csrf_token(client, f"/projects/{project_id}/disclosures/new"),
        "title": "T",
        "description": "D",
        "conceived_on": day,
        "inventors-0-name": "Kim",
        "inventors-0-share_pct": "100",
        "inventors-0-nationality": "KR",
    }


@pytest.mark.parametrize(
    ("locale", "day", "expected"),
    [
        ("en", "0006-03-02", "Not a plausible date"),
        ("ko", "0006-03-02", "있을 수 없는 날짜"),
        ("en", "2026-02-30", "Not a valid date"),
        ("ko", "2026-02-30", "올바르지 않은 날짜"),
    ],
)
def test_forms_refuse_impossible_and_implausible_dates(world, browser_as, locale, day, expected):
    user = world.users["company"]
    user.locale = locale
    db.session.flush()
    c = browser_as(user)
    r = c.post(
        f"/projects/{world.project.id}/disclosures/new",
        data=_disclosure_form(c, world.project.id, day),
    )
    assert r.status_code == 422
    assert expected in r.get_data(as_text=True)
    assert count(Disclosure) == 0


def test_a_row_holding_an_old_implausible_date_can_still_be_edited(world, api_as):
    """The rule judges what changes: a date stored before it (year 0006) does not block an
    edit of another field, and it is still refused when it is what changes."""
    db.session.execute(
        sa.update(Project).where(Project.id == world.project.id).values(start_date=dt.date(6, 3, 2))
    )
    db.session.expire_all()
    api = api_as(world.users["lawyer"])
    path = f"/api/v1/projects/{world.project.id}"
    r = api.patch(path, json={"title": "Renamed", "version": 1})
    assert r.status_code == 200, r.get_json()
    r = api.patch(path, json={"start_date": "0007-01-01", "version": 2})
    assert r.status_code == 422 and "start_date" in str(r.get_json()["errors"])
