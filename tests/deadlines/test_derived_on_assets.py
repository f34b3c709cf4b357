"""Derived deadlines on an asset: listed with `derived: true` and their rule, moved when the
dates they come from move, marked done through PATCH, never deleted while their rule applies."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from tracker.cases.assets import derived
from tracker.cases.assets.models import DerivedDeadline, IpAsset
from tracker.db import db


def _create(api, project_id, **over):
    body = {
        "title": "Separator film",
        "kind": "patent",
        "sensitivity": "confidential",
        "jurisdictions": ["KR", "WO"],
        "priority_on": "2026-03-31",
        "filed_on": "2026-03-31",
    }
    body.update(over)
    r = api.post(f"/api/v1/projects/{project_id}/assets", json=body)
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def _by_key(asset):
    return {d["key"]: d for d in asset["deadlines"] if d["derived"]}


def test_derived_deadlines_follow_priority_on(world, api_as, today):
    api = api_as(world.users["lawyer"])
    asset = _create(api, world.project.id)
    derived_items = _by_key(asset)
    # Paris: 12 months from 2026-03-31; national phase in KR at 31 months (PCT Guide)
    assert derived_items["priority"]["due_on"] == "2027-03-31"
    assert derived_items["priority"]["kind"] == "priority"
    assert derived_items["priority"]["rule"].startswith("paris.priority.patent@")
    assert derived_items["national_phase:KR"]["due_on"] == "2028-10-31"
    assert all(d["derived"] is False for d in asset["deadlines"] if not d["key"])

    moved = api.patch(
        f"/api/v1/assets/{asset['id']}",
        json={"version": asset["version"], "priority_on": "2025-02-28", "filed_on": "2026-01-15"},
    )
    assert moved.status_code == 200, moved.get_json()
    after = _by_key(moved.get_json())
    assert after["priority"]["due_on"] == "2026-02-28"
    assert after["national_phase:KR"]["due_on"] == "2027-09-28"
    listed = api.get(f"/api/v1/deadlines?kind=ip_priority&project_id={world.project.id}")
    assert [i["due_on"] for i in listed.get_json()["items"]] == ["2026-02-28"]
    assert listed.get_json()["items"][0]["overdue"] is True


def test_mark_done_keeps_until_the_date_moves(world, api_as, today):
    api = api_as(world.users["lawyer"])
    asset = _create(api, world.project.id)
    entries = asset["deadlines"]
    for entry in entries:
        if entry["key"] == "priority":
            entry["done"] = True
    # the round trip: the response's list sent back, derived entries mark done only
    r = api.patch(
        f"/api/v1/assets/{asset['id']}", json={"version": asset["version"], "deadlines": entries}
    )
    assert r.status_code == 200, r.get_json()
    asset = r.get_json()
    assert _by_key(asset)["priority"]["done"] is True
    assert len(_by_key(asset)) == len(_by_key(r.get_json()))
    items = api.get("/api/v1/deadlines?kind=ip_priority").get_json()["items"]
    assert [i["done"] for i in items if i["source_id"] == asset["id"]] == [True]

    # an unrelated change keeps the mark
    r = api.patch(
        f"/api/v1/assets/{asset['id']}", json={"version": asset["version"], "title": "Film"}
    )
    asset = r.get_json()
    assert _by_key(asset)["priority"]["done"] is True
    # a moved date is a new deadline: not done
    r = api.patch(
        f"/api/v1/assets/{asset['id']}",
        json={"version": asset["version"], "priority_on": "2026-01-31"},
    )
    asset = r.get_json()
    assert _by_key(asset)["priority"] == {
        **_by_key(asset)["priority"],
        "done": False,
        "due_on": "2027-01-31",
    }


def test_derived_deadlines_cannot_be_deleted_or_invented(world, api_as, today):
    api = api_as(world.users["lawyer"])
    asset = _create(api, world.project.id)
    count = len(_by_key(asset))
    r = api.patch(
        f"/api/v1/assets/{asset['id']}", json={"version": asset["version"], "deadlines": []}
    )
    assert r.status_code == 200
    asset = r.get_json()
    assert len(_by_key(asset)) == count  # an empty list removes hand-entered ones only
    bad = api.patch(
        f"/api/v1/assets/{asset['id']}",
        json={"version": asset["version"], "deadlines": [{"key": "annuity:XX:9", "done": True}]},
    )
    assert bad.status_code == 422 and "deadlines" in bad.get_json()["errors"]
    missing = api.patch(
        f"/api/v1/assets/{asset['id']}",
        json={"version": asset["version"], "deadlines": [{"note": "no kind, no date"}]},
    )
    assert missing.status_code == 422


def test_a_rule_that_stops_applying_takes_its_deadline_away(world, api_as, today):
    api = api_as(world.users["lawyer"])
    asset = _create(api, world.project.id)
    assert "pct" in _by_key(asset)
    r = api.patch(
        f"/api/v1/assets/{asset['id']}",
        json={"version": asset["version"], "jurisdictions": ["KR"]},
    )
    assert "pct" not in _by_key(r.get_json()) and "priority" in _by_key(r.get_json())


def test_priority_after_filing_is_refused(world, api_as, today):
    api = api_as(world.users["lawyer"])
    r = api.post(
        f"/api/v1/projects/{world.project.id}/assets",
        json={"title": "X", "kind": "patent", "sensitivity": "public",
              "priority_on": "2026-05-01", "filed_on": "2026-04-01"},
    )  # fmt: skip
    assert r.status_code == 422 and "priority_on" in r.get_json()["errors"]


def test_only_lawyers_mark_done_and_operators_see_no_ip_deadlines(world, api_as, today):
    asset = _create(api_as(world.users["lawyer"]), world.project.id)
    for role in ("company", "admin", "auditor", "operator"):
        r = api_as(world.users[role]).patch(
            f"/api/v1/assets/{asset['id']}",
            json={"version": asset["version"], "deadlines": [{"key": "priority", "done": True}]},
        )
        assert r.status_code == 403, role
    limited = api_as(world.users["operator"]).get(f"/api/v1/assets/{asset['id']}").get_json()
    assert "deadlines" not in limited and "priority_on" not in limited
    outsider = api_as(world.outsiders["lawyer"]).patch(
        f"/api/v1/assets/{asset['id']}",
        json={"version": asset["version"], "deadlines": [{"key": "priority", "done": True}]},
    )
    assert outsider.status_code == 404


def test_rederive_catches_assets_of_another_rules_version(world, today):
    asset = IpAsset(
        project=world.project, title="Old", kind="patent", sensitivity="public",
        jurisdictions=["KR"], priority_on=dt.date(2026, 1, 10),
    )  # fmt: skip
    db.session.add(asset)
    db.session.flush()
    assert asset.docketed_with is None and asset.derived_deadlines == []
    assert derived.rederive_stale() >= 1
    rows = db.session.execute(
        sa.select(DerivedDeadline.key, DerivedDeadline.due_on).where(
            DerivedDeadline.asset_id == asset.id
        )
    ).all()
    assert ("priority", dt.date(2027, 1, 10)) in rows
    assert derived.rederive_stale() == 0


def test_the_asset_page_shows_derived_deadlines(world, api_as, browser_as, today):
    asset = _create(api_as(world.users["lawyer"]), world.project.id)
    page = browser_as(world.users["company"]).get(f"/assets/{asset['id']}")
    text = page.get_data(as_text=True)
    assert "Deadlines by docketing rule" in text and "Mar 31, 2027" in text
    # the rule by its label, never its id
    assert "Paris Convention priority period" in text and "@2026" not in text


def test_the_lawyer_marks_a_derived_deadline_done_on_the_page(world, api_as, browser_as, today):
    from tests.support import csrf_token

    asset = _create(api_as(world.users["lawyer"]), world.project.id)
    browser = browser_as(world.users["lawyer"])
    page = browser.get(f"/assets/{asset['id']}").get_data(as_text=True)
    assert 'name="key" value="priority"' in page
    token = csrf_token(browser, f"/assets/{asset['id']}")
    path = f"/assets/{asset['id']}/derived-deadlines"
    assert browser.post(path, data={"key": "priority", "done": "true"}).status_code == 400
    r = browser.post(path, data={"key": "priority", "done": "true", "csrf_token": token})
    assert r.status_code == 302
    done = api_as(world.users["lawyer"]).get(f"/api/v1/assets/{asset['id']}").get_json()
    assert _by_key(done)["priority"]["done"] is True
    assert browser.post(path, data={"key": "nope", "csrf_token": token}).status_code == 400
    company = browser_as(world.users["company"])
    assert 'name="key"' not in company.get(f"/assets/{asset['id']}").get_data(as_text=True)
    ctoken = csrf_token(company, f"/assets/{asset['id']}")
    refused = company.post(path, data={"key": "priority", "done": "false", "csrf_token": ctoken})
    assert refused.status_code == 403
