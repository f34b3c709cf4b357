"""The start page per role, the navigation's count and the heat map's links."""

from __future__ import annotations

import re

import pytest

from tests.dashboard.waiting import fill
from tests.support import approved_review, statements
from tracker.audit.verify import write_checkpoint
from tracker.db import db


def _page(client, path="/"):
    response = client.get(path)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_second_lawyer_sees_the_review_and_its_count_in_the_navigation(busy, browser_as):
    html = _page(browser_as(busy.second))
    review = busy.items["review"][0]
    assert f'href="/reviews/{review.id}"' in html
    assert f'href="/disclosures/{busy.items["disclosure"][0].id}"' in html
    assert f'href="/sessions/{busy.items["session"][0].id}"' in html
    assert re.search(r'class="badge waiting"[^>]*><span aria-hidden="true">3</span>', html)
    # the navigation counts on every page
    assert 'class="badge waiting"' in _page(browser_as(busy.second), "/projects")


def test_first_lawyer_has_no_review_to_decide(busy, browser_as):
    html = _page(browser_as(busy.users["lawyer"]))
    assert f'href="/reviews/{busy.items["review"][0].id}"' not in html
    assert "No risk review waits for you." in html


def test_company_sees_its_requests_with_failing_checks_projects_and_advice(busy, browser_as):
    html = _page(browser_as(busy.users["company"]))
    for transfer in busy.items["transfer"]:
        assert f'href="/transfers/{transfer.id}"' in html
    assert "There is no active NDA with Partner Ltd on this project." in html
    assert busy.project.code in html and "no NDA in force" in html
    assert "Send NDA draft" in html  # the open follow-up
    assert "Partner may be in breach" not in html  # privileged notes never shown


def test_operator_sees_heat_map_with_links_requests_and_expiring_ndas(busy, browser_as):
    html = _page(browser_as(busy.users["operator"]))
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="heat-map"' in html
    assert 'href="/projects?likelihood=2&amp;impact=3"' in html
    pending = next(t for t in busy.items["transfer"] if t.status == "pending_review")
    blocked = next(t for t in busy.items["transfer"] if t.status == "blocked")
    assert f'href="/transfers/{pending.id}"' in html
    assert f'href="/transfers/{blocked.id}"' not in html
    assert "NDAs expiring within 90 days" in html
    # the queue's heading is the digest's (one table of queue names)
    assert "<h2>Transfer requests to decide <span" in html


@pytest.mark.parametrize("role", ["admin", "auditor"])
def test_admin_and_auditor_see_zones_heat_map_events_and_checkpoint(
    busy, browser_as, role, app, tmp_path, monkeypatch
):
    path = tmp_path / "checkpoint.json"
    monkeypatch.setitem(app.config, "TRACKER_AUDIT_CHECKPOINT_FILE", str(path))
    client = browser_as(busy.users[role])
    html = _page(client)
    assert busy.zone.code in html and 'class="heat-map"' in html
    assert "Recent audit events" in html and "Signed in" in html
    # the events in words: the action's label, the actor's name, no code, no id, no UTC
    panel = html.split('id="recent-events"')[1]
    assert "auth.sign_in" not in panel and "Actor id" not in panel and "UTC" not in panel
    assert busy.users[role].name in panel
    assert "No checkpoint yet" in html
    write_checkpoint(path, 1, "0" * 64)
    # the checkpoint's time in the reader's zone and language, not an ISO text
    checked = _page(client)
    assert re.search(
        r"checkpointed at event 1 on [A-Z][a-z]{2} \d+, \d{4} \d+:\d\d\s[AP]M", checked
    )
    assert not re.search(r"\d{4}-\d\d-\d\dT", checked)
    path.write_text("damaged")
    assert "The checkpoint file cannot be read" in _page(client)


@pytest.mark.parametrize("role", ["lawyer", "company", "operator"])
def test_outsiders_see_none_of_the_items(busy, browser_as, role):
    html = _page(browser_as(busy.outsiders[role]))
    for kind in ("disclosure", "review", "transfer"):
        for record in busy.items[kind]:
            path = {"review": "reviews", "disclosure": "disclosures", "transfer": "transfers"}
            assert f'href="/{path[kind]}/{record.id}"' not in html
    assert busy.project.code not in html
    assert 'class="badge waiting"' not in html


def test_korean_start_page(busy, browser_as):
    busy.second.locale = "ko"
    db.session.flush()
    html = _page(browser_as(busy.second))
    assert "결정할 위험 평가" in html


def test_page_runs_a_fixed_number_of_statements(busy, browser_as):
    client = browser_as(busy.second)
    with statements() as few:
        _page(client)
    fill(busy.project, busy.users["lawyer"], busy.users["company"], 4)
    with statements() as many:
        _page(client)
    assert len(many) == len(few)


def test_heat_map_cell_lists_its_projects(busy, browser_as, make_project):
    db.session.add(approved_review(busy.project, busy.users["lawyer"].id, likelihood=2, impact=3))
    other = make_project(zone=busy.zone, company=busy.company)
    db.session.add(approved_review(other, busy.users["lawyer"].id, likelihood=4, impact=4))
    db.session.flush()
    client = browser_as(busy.users["operator"])
    assert 'data-likelihood="2" data-impact="3" data-count="1"' in _page(client)
    html = _page(client, "/projects?likelihood=2&impact=3")
    assert busy.project.code in html and other.code not in html
    html = _page(client, "/projects?likelihood=4&impact=4")
    assert other.code in html and busy.project.code not in html
    # out of range: the filter is ignored, never a 500
    html = _page(client, "/projects?likelihood=9&impact=x")
    assert other.code in html and busy.project.code in html


def test_lawyer_sees_overdue_deadlines_with_project_code(busy, browser_as):
    html = _page(browser_as(busy.users["lawyer"]))
    deadlines = html[
        html.index('id="deadlines"') : html.index("</section>", html.index('id="deadlines"'))
    ]
    assert "Send NDA draft" in deadlines and "overdue" in deadlines
    assert busy.project.code in deadlines and busy.other.code not in deadlines
    outsider = _page(browser_as(busy.outsiders["lawyer"]))
    assert "Send NDA draft" not in outsider


def _zone_row(html: str, code: str) -> list[str]:
    table = html[html.index('<section id="zones">') :]
    table = table[: table.index("</section>")]
    heads = re.findall(r"<th>(.*?)</th>", table)
    row = table[table.index(f"{code} ·") :]
    cells = re.findall(r"<td>(.*?)</td>", row[: row.index("</tr>")], re.S)
    return [*zip(heads[1:], cells, strict=True)]


@pytest.mark.parametrize("role", ["admin", "auditor"])
def test_request_counts_per_zone_agree_with_their_labels(busy, browser_as, role):
    html = _page(browser_as(busy.users[role]))
    row = dict(_zone_row(html, busy.zone.code))
    if role == "admin":  # admins may not see data-sharing requests
        assert "Requests waiting for a decision" not in row and "Blocked requests" not in row
        assert "Requests" not in html[html.index('<section id="zones">') :].split("</section>")[0]
    else:
        assert row["Requests waiting for a decision"] == "1" and row["Blocked requests"] == "1"
        assert "counted by the result of their last recorded check" in html
