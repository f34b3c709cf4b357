"""The audit page: names, roles, translated actions, labels linking to records, readable
details, the filters, the CSV/XLSX export, the verification banner and every record's history,
for every role."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from tests.support import make_nda, pdf, transfer_draft, upload, xlsx_rows
from tracker.audit.models import AuditEvent
from tracker.audit.service import record
from tracker.cases.disclosures.models import DISCLOSURE_STATUSES
from tracker.cases.reviews.models import REVIEW_STATUSES
from tracker.db import db
from tracker.oversight.actions import ACTIONS
from tracker.transfers.service import file_transfer

ROLES = ("admin", "lawyer", "company", "operator", "auditor")
TRACKER = Path(__file__).parents[2] / "tracker"
#: codes built at run time: `f"review.{review.status}"` and the like
DYNAMIC = {"review.": REVIEW_STATUSES, "disclosure.": DISCLOSURE_STATUSES}


def _codes_in_use() -> set[str]:
    codes = set()
    call = re.compile(r"(?<![\w.])record(?:_apart)?\(\s*(f?)\"([a-z][a-z_.{}]*)\"", re.S)
    ternary = re.compile(
        r"(?<![\w.])record(?:_apart)?\(\s*\"([a-z_.]+)\" if [^\n]+? else \"([a-z_.]+)\"", re.S
    )
    for path in TRACKER.rglob("*.py"):
        text = path.read_text()
        for is_f, code in call.findall(text):
            if is_f:
                prefix = code.split("{")[0]
                codes |= {prefix + status for status in DYNAMIC[prefix]}
            else:
                codes.add(code)
        for pair in ternary.findall(text):
            codes |= set(pair)
    return codes


def test_every_action_in_use_has_a_label():
    codes = _codes_in_use()
    assert {"attachment.downloaded", "follow_up.reopened", "review.approved"} <= codes
    missing = sorted(c for c in codes if c not in ACTIONS)
    assert not missing, f"actions without a label in tracker/oversight/actions.py: {missing}"


def _touch(world: Any, records: Any, actor: Any) -> None:
    record("asset.updated", records.asset, actor_id=actor.id, detail={"fields": ["title"]})
    record("disclosure.viewed", records.disclosure, actor_id=actor.id)
    db.session.commit()


def _html(client: Any, path: str, status: int = 200) -> str:
    r = client.get(path)
    assert r.status_code == status, r.get_data(as_text=True)[:300]
    return r.get_data(as_text=True)


@pytest.mark.parametrize("role", ROLES)
def test_the_page_for_every_role(world, records, browser_as, role):
    lawyer, auditor = world.users["lawyer"], world.users["auditor"]
    _touch(world, records, lawyer)
    _touch(world, records, auditor)
    client = browser_as(world.users[role])
    if role in ("company", "operator"):
        _html(client, "/audit", 403)
        _html(client, f"/audit/asset/{records.asset.id}", 403)
        _html(client, "/audit?format=csv", 403)
        return
    html = _html(client, "/audit?action=asset.updated")
    assert "IP asset changed" in html and ">asset.updated<" not in html
    assert lawyer.name in html and "Lawyer" in html
    # the label links to the record's page; the detail reads as text
    assert f'href="/assets/{records.asset.id}">Quiet converter layout</a>' in html
    assert "Fields:</span> title" in html
    if role == "lawyer":
        assert auditor.name not in html and "your own actions" in html
    else:
        assert auditor.name in html
    disclosures = _html(client, "/audit?action=disclosure.viewed")
    # admins may not read disclosures: no title, no link
    assert ("Secret cathode" in disclosures) == (role != "admin")


def test_banner_only_for_whole_trail_readers(world, browser_as):
    assert 'class="banner' in _html(browser_as(world.users["auditor"]), "/audit")
    assert 'class="banner' not in _html(browser_as(world.users["lawyer"]), "/audit")


def test_page_in_korean(world, records, browser_as):
    auditor = world.users["auditor"]
    auditor.locale = "ko"
    _touch(world, records, world.users["lawyer"])
    html = _html(browser_as(auditor), "/audit?action=asset.updated")
    assert "IP 자산 수정" in html and "변호사" in html and "항목:</span> title" in html


def test_filters(world, records, browser_as):
    lawyer, auditor = world.users["lawyer"], world.users["auditor"]
    _touch(world, records, lawyer)
    _touch(world, records, auditor)
    client = browser_as(world.users["admin"])
    by_name = _html(client, f"/audit?actor={lawyer.name.split()[-1]}&action=asset.updated")
    rows = by_name.count("IP asset changed</td>")
    assert rows == 1 and lawyer.name in by_name
    assert "No events." in _html(client, "/audit?actor=nobody-by-this-name")
    # the action list names every labelled action
    page = _html(client, "/audit")
    assert '<option value="attachment.downloaded">File downloaded</option>' in page
    # object type and id
    one = _html(client, f"/audit?object_type=asset&object_id={records.asset.id}")
    assert "IP asset changed</td>" in one and "Disclosure viewed</td>" not in one
    # dates, both ends included (UTC days)
    today = dt.datetime.now(dt.UTC).date()
    assert "IP asset changed" in _html(client, f"/audit?since={today}&until={today}")
    tomorrow = today + dt.timedelta(days=1)
    assert "No events." in _html(client, f"/audit?since={tomorrow}")
    assert client.get("/audit?since=2026-02-31").status_code == 422


def _export_events() -> list[AuditEvent]:
    return list(
        db.session.execute(
            sa.select(AuditEvent).where(AuditEvent.action == "export.list")
        ).scalars()
    )


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_of_the_filtered_trail(world, records, browser_as, fmt):
    lawyer = world.users["lawyer"]
    _touch(world, records, lawyer)
    client = browser_as(world.users["auditor"])
    r = client.get(f"/audit?action=asset.updated&format={fmt}")
    assert r.status_code == 200
    assert f'filename="audit-trail.{fmt}"' in r.headers["Content-Disposition"]
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(r.get_data().decode("utf-8-sig"))))
    else:
        rows = xlsx_rows(r.get_data())
    header, body = rows[0], rows[1:]
    assert header[:6] == ["Time", "Actor", "Role", "Action", "Object type", "Object"]
    assert len(body) == 1
    row = dict(zip(header, body[0], strict=True))
    assert row["Actor"] == lawyer.name and row["Role"] == "Lawyer"
    assert row["Action"] == "IP asset changed" and row["Object"] == "Quiet converter layout"
    assert row["Detail"] == "Fields: title" and row["Actor id"] == str(lawyer.id)
    (event,) = _export_events()
    assert event.object_type == "export" and event.detail["list"] == "audit"
    assert event.detail["rows"] == 1 and event.detail["format"] == fmt
    assert event.detail["filters"] == {"action": "asset.updated"}


def test_lawyer_export_holds_only_own_events(world, records, browser_as):
    _touch(world, records, world.users["auditor"])
    _touch(world, records, world.users["lawyer"])
    r = browser_as(world.users["lawyer"]).get("/audit?format=csv")
    text = r.get_data().decode("utf-8-sig")
    assert world.users["lawyer"].name in text and world.users["auditor"].name not in text


# --- the banner ---------------------------------------------------------------------------------


@pytest.fixture
def checkpoint(app: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "checkpoint.json"
    monkeypatch.setitem(app.config, "TRACKER_AUDIT_CHECKPOINT_FILE", str(path))
    return path


def _banner(client: Any) -> str:
    html = _html(client, "/audit")
    return html.split('class="banner', 1)[1].split("</div>", 1)[0]


def test_banner_reads_the_old_single_json_checkpoint(world, records, browser_as, checkpoint):
    _touch(world, records, world.users["lawyer"])
    at = (dt.datetime.now(dt.UTC) - dt.timedelta(hours=3)).isoformat()
    checkpoint.write_text(json.dumps({"seq": 1, "mac": "0" * 64, "at": at}))
    banner = _banner(browser_as(world.users["auditor"]))
    assert "chain intact up to event 1" in banner and "3 hours ago" in banner


def test_banner_reads_the_last_line_of_a_json_lines_checkpoint(
    world, records, browser_as, checkpoint
):
    _touch(world, records, world.users["lawyer"])
    old = (dt.datetime.now(dt.UTC) - dt.timedelta(days=2)).isoformat()
    new = (dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)).isoformat()
    lines = [
        {"seq": 1, "mac": "0" * 64, "at": old},
        {"seq": 2, "mac": "1" * 64, "at": new},
    ]
    checkpoint.write_text("".join(json.dumps(x) + "\n" for x in lines))
    head = db.session.execute(sa.select(sa.func.max(AuditEvent.seq))).scalar_one()
    banner = _banner(browser_as(world.users["admin"]))
    assert "up to event 2" in banner and "5 minutes ago" in banner
    assert f"{head - 2} events since" in banner or f"{head + 1 - 2} events since" in banner


def test_banner_shows_a_broken_or_missing_checkpoint(world, browser_as, checkpoint):
    client = browser_as(world.users["auditor"])
    assert "No checkpoint yet" in _banner(client)
    checkpoint.write_text('{"seq": 3, "mac": "x", "at": "2026-11-30T00:00:00+00:00"}\n{"seq": 4, ')
    assert "cannot be read" in _banner(client)
    checkpoint.write_text(
        json.dumps(
            {
                "seq": 4,
                "mac": "x",
                "at": "2026-11-30T00:00:00+00:00",
                "intact": False,
                "problem": "event 3 does not match its MAC",
            }
        )
        + "\n"
    )
    banner = _banner(client)
    assert "BROKEN" in banner and "event 3 does not match its MAC" in banner


# --- history on every record page -------------------------------------------------------------


def _record_pages(world: Any, records: Any) -> dict[str, tuple[str, str]]:
    """type -> (record page, history link)."""
    pid = world.project.id
    return {
        "project": (f"/projects/{pid}", f"/audit/project/{pid}"),
        "asset": (f"/assets/{records.asset.id}", f"/audit/asset/{records.asset.id}"),
        "disclosure": (
            f"/disclosures/{records.disclosure.id}",
            f"/audit/disclosure/{records.disclosure.id}",
        ),
        "session": (f"/sessions/{records.session.id}", f"/audit/session/{records.session.id}"),
        "risk_review": (f"/reviews/{records.review.id}", f"/audit/risk_review/{records.review.id}"),
    }


@pytest.mark.parametrize("role", ROLES)
def test_history_link_on_record_pages(world, records, browser_as, role):
    client = browser_as(world.users[role])
    readers = role in ("admin", "auditor", "lawyer")
    for kind, (page, history) in _record_pages(world, records).items():
        r = client.get(page)
        if r.status_code != 200:  # the page itself is not for this role (the matrix)
            continue
        assert (f'href="{history}"' in r.get_data(as_text=True)) == readers, (kind, role)
        assert client.get(history).status_code == (200 if readers else 403), (kind, role)


def test_history_shows_that_records_events(world, records, browser_as):
    lawyer, auditor = world.users["lawyer"], world.users["auditor"]
    _touch(world, records, lawyer)
    _touch(world, records, auditor)
    other = records.asset.id + 1000
    record("asset.updated", object_type="asset", object_id=other, actor_id=lawyer.id)
    db.session.commit()
    path = f"/audit/asset/{records.asset.id}"
    html = _html(browser_as(auditor), path)
    assert "History" in html and "Quiet converter layout" in html
    assert html.count("IP asset changed</td>") == 2 and "Disclosure viewed</td>" not in html
    own = _html(browser_as(lawyer), path)
    assert own.count("IP asset changed</td>") == 1 and auditor.name not in own
    assert browser_as(auditor).get("/audit/nothing/1").status_code == 404
    csv_text = browser_as(auditor).get(path + "?format=csv").get_data().decode("utf-8-sig")
    assert csv_text.count("IP asset changed") == 2


def test_detail_names_the_records_it_refers_to(world, records, browser_as):
    """`project_id: 3` reads as the project's code and title; a record the reader may not see
    by name is said to be not shown, never a number."""
    pid = world.project.id
    detail = {"project_id": pid, "asset_id": records.asset.id, "level": "high"}
    record("test.named", records.disclosure, actor_id=world.users["lawyer"].id, detail=detail)
    db.session.commit()
    html = _html(browser_as(world.users["auditor"]), "/audit?action=test.named")
    project = f"{world.project.code} · {world.project.title}"
    assert f"Project:</span> {project}<" in html
    assert "IP asset:</span> Quiet converter layout<" in html
    assert "Risk level:</span> High" in html  # a stored code reads as its label
    outsider = _html(browser_as(world.users["lawyer"]), "/audit?action=test.named")
    assert f"Project:</span> {project}<" in outsider
    world.project.lawyers.remove(world.users["lawyer"])
    db.session.commit()
    gone = _html(browser_as(world.users["lawyer"]), "/audit?action=test.named")
    assert "Project:</span> a record not shown to you<" in gone
    assert "Quiet converter layout" not in gone and f"(#{pid})" not in gone


@pytest.mark.parametrize("role", ROLES)
def test_history_link_on_transfers_ndas_and_files(
    world, records, api_as, browser_as, blob_dir, role
):
    """A transfer's page, the NDA register's rows and the file list link to each record's
    history for those who may read the trail."""
    world.asset = records.asset
    nda = make_nda(world.project, world.partner)
    transfer = file_transfer(world.users["company"], world.project, transfer_draft(world))
    db.session.commit()
    attachment = upload(api_as(world.users["lawyer"]), world.project.id, pdf()).get_json()
    pid = world.project.id
    pages = {
        f"/transfers/{transfer.id}": f"/audit/transfer/{transfer.id}",
        f"/projects/{pid}/ndas": f"/audit/nda/{nda.id}",
        f"/projects/{pid}/files": f"/audit/attachment/{attachment['id']}",
    }
    client = browser_as(world.users[role])
    readers = role in ("admin", "auditor", "lawyer")
    shown = 0
    for page, history in pages.items():
        r = client.get(page)
        if r.status_code != 200:
            continue
        shown += 1
        assert (f'href="{history}"' in r.get_data(as_text=True)) == readers, (page, role)
    assert shown >= 2
