"""The readable trail on the API: actor names and roles, object types as resource names (old
rows translated), labels as the matrix lets the reader see them, a fixed statement count."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
import sqlalchemy as sa
from babel.dates import format_date

from tests.support import statements, xlsx_rows
from tracker.audit.models import AuditEvent
from tracker.audit.service import record
from tracker.db import db
from tracker.reports.exports import EXPORT_TYPES

ROLES = ("admin", "lawyer", "company", "operator", "auditor")


def _touch(world: Any, records: Any, actor: Any) -> None:
    for obj in (world.project, records.asset, records.disclosure, records.session, records.review):
        record("test.touched", obj, actor_id=actor.id)
    record("test.touched", world.users["company"], actor_id=actor.id)
    record("test.touched", world.zone, actor_id=actor.id)
    db.session.commit()


def _objects(api: Any) -> dict[str, dict[str, Any]]:
    r = api.get("/api/v1/audit?action=test.touched&per_page=200")
    assert r.status_code == 200, r.get_json()
    return {e["object"]["type"]: e for e in r.get_json()["items"]}


def test_actor_and_object_of_each_event(world, records, api_as):
    lawyer = world.users["lawyer"]
    _touch(world, records, lawyer)
    seen = _objects(api_as(world.users["auditor"]))
    assert set(seen) == {"project", "asset", "disclosure", "session", "risk_review", "user", "zone"}
    for event in seen.values():
        assert event["actor"] == {"id": lawyer.id, "name": lawyer.name, "role": "lawyer"}
        assert event["object_type"] == event["object"]["type"]
    # a project by its code and title
    assert seen["project"]["object"]["label"] == f"{world.project.code} · {world.project.title}"
    assert seen["asset"]["object"]["label"] == "Quiet converter layout"
    assert seen["disclosure"]["object"]["label"] == "Secret cathode"
    assert seen["user"]["object"]["label"] == world.users["company"].name
    assert seen["zone"]["object"]["label"] == world.zone.name_en
    # a session by its date as people write it, never its (privileged) text
    held_on = format_date(records.session.held_on, "medium", locale="en")
    assert seen["session"]["object"]["label"] == held_on
    # a review by its date and level
    assert seen["risk_review"]["object"]["label"].endswith(f" · {records.review.level.title()}")
    assert "#" not in str([e["object"]["label"] for e in seen.values()])
    assert records.session.privileged_notes not in str(seen["session"])


def test_admins_do_not_see_disclosure_titles(world, records, api_as):
    """Admins read the trail but may not read disclosures: the label is the kind's name (an
    id tells a person nothing)."""
    _touch(world, records, world.users["lawyer"])
    seen = _objects(api_as(world.users["admin"]))
    assert seen["asset"]["object"]["label"] == "Quiet converter layout"
    label = seen["disclosure"]["object"]["label"]
    assert label == "Disclosure"


@pytest.mark.parametrize("role", ROLES)
def test_who_reads_the_readable_trail(world, records, api_as, role):
    _touch(world, records, world.users["lawyer"])
    _touch(world, records, world.users["auditor"])
    r = api_as(world.users[role]).get("/api/v1/audit?action=test.touched&per_page=200")
    if role in ("company", "operator"):
        assert r.status_code == 403
        return
    items = r.get_json()["items"]
    actors = {e["actor"]["id"] for e in items}
    if role == "lawyer":  # only their own, with the labels of their own project
        assert actors == {world.users["lawyer"].id}
        labels = {e["object"]["type"]: e["object"]["label"] for e in items}
        assert labels["disclosure"] == "Secret cathode"
    else:
        assert actors == {world.users["lawyer"].id, world.users["auditor"].id}


def test_a_lawyer_no_longer_on_the_project_sees_no_titles(world, records, api_as):
    lawyer = world.users["lawyer"]
    _touch(world, records, lawyer)
    world.project.lawyers.remove(lawyer)
    db.session.commit()
    seen = _objects(api_as(lawyer))
    assert "Quiet converter layout" not in seen["asset"]["object"]["label"]
    assert "Secret cathode" not in seen["disclosure"]["object"]["label"]


def test_old_table_names_read_as_resource_names(world, records, api_as):
    """Rows written before issue 10 (table names) are translated on read and found by the new
    names; `audit verify` still passes (tests/attachments/test_attachment_audit.py too)."""
    auditor = world.users["auditor"]
    record("asset.updated", object_type="ip_assets", object_id=records.asset.id, actor_id=None)
    record("review.submitted", object_type="risk_reviews", object_id=records.review.id)
    db.session.commit()
    api = api_as(auditor)
    r = api.get(f"/api/v1/audit?object_type=asset&object_id={records.asset.id}").get_json()
    old = [e for e in r["items"] if e["action"] == "asset.updated"]
    assert old and old[0]["object"] == {
        "type": "asset",
        "id": records.asset.id,
        "label": "Quiet converter layout",
    }
    r = api.get("/api/v1/audit?object_type=risk_review&action=review.submitted").get_json()
    assert {e["object_type"] for e in r["items"]} == {"risk_review"} and r["total"] == 2


def test_statement_count_does_not_grow_with_the_page(world, records, api_as, browser_as):
    """The API and the page: COUNT, the page, one UNION of labels, whatever the rows."""
    api, page = api_as(world.users["auditor"]), browser_as(world.users["auditor"])
    _touch(world, records, world.users["lawyer"])
    api.get("/api/v1/audit?per_page=5")  # warm up
    page.get("/audit")
    with statements() as few:
        api.get("/api/v1/audit?action=test.touched&per_page=200")
    with statements() as few_html:
        page.get("/audit?action=test.touched")
    for _ in range(5):
        _touch(world, records, world.users["auditor"])
    with statements() as many:
        r = api.get("/api/v1/audit?action=test.touched&per_page=200")
    with statements() as many_html:
        html = page.get("/audit?action=test.touched").get_data(as_text=True)
    assert r.get_json()["total"] == 42 and html.count(">test.touched</td>") == 42
    assert len(many) == len(few) and len(many_html) == len(few_html)
    label_queries = [s for s in many if "UNION ALL" in s.upper()]
    assert len(label_queries) == 1


# --- the trail as a download (every list endpoint takes ?format=csv|xlsx) -----------------------


def _export_events() -> list[Any]:
    return list(
        db.session.execute(
            sa.select(AuditEvent).where(
                AuditEvent.action == "export.list", AuditEvent.object_type == "export"
            )
        ).scalars()
    )


def _table(r: Any, fmt: str) -> list[list[Any]]:
    assert r.status_code == 200, r.get_data()[:300]
    assert r.mimetype == EXPORT_TYPES[fmt]
    assert f'filename="audit-trail.{fmt}"' in r.headers["Content-Disposition"]
    if fmt == "csv":
        return list(csv.reader(io.StringIO(r.get_data().decode("utf-8-sig"))))
    return xlsx_rows(r.get_data())


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("role", ROLES)
def test_the_filtered_trail_as_a_download(world, records, api_as, role, fmt):
    lawyer, auditor = world.users["lawyer"], world.users["auditor"]
    _touch(world, records, lawyer)
    _touch(world, records, auditor)
    reader = world.users[role]
    before = len(_export_events())
    r = api_as(reader).get(f"/api/v1/audit?action=test.touched&object_type=asset&format={fmt}")
    db.session.expire_all()
    if role in ("company", "operator"):
        assert r.status_code == 403
        assert len(_export_events()) == before
        return
    header, *body = _table(r, fmt)
    assert header[:6] == ["Time", "Actor", "Role", "Action", "Object type", "Object"]
    rows = [dict(zip(header, row, strict=True)) for row in body]
    # the whole filtered list, not a page; a lawyer's holds only their own events
    want = {lawyer.name} if role == "lawyer" else {lawyer.name, auditor.name}
    assert {row["Actor"] for row in rows} == want and len(rows) == len(want)
    assert {row["Object"] for row in rows} == {"Quiet converter layout"}
    assert {row["Object id"] for row in rows} == {str(records.asset.id)}
    assert {row["Action code"] for row in rows} == {"test.touched"}
    (event,) = _export_events()[before:]
    assert event.actor_id == reader.id
    assert event.detail == {
        "list": "audit",
        "format": fmt,
        "rows": len(rows),
        "filters": {"action": "test.touched", "object_type": "asset"},
    }


def test_the_download_speaks_the_readers_language(world, records, api_as):
    auditor = world.users["auditor"]
    auditor.locale = "ko"
    _touch(world, records, world.users["lawyer"])
    r = api_as(auditor).get("/api/v1/audit?action=test.touched&object_type=project&format=csv")
    header, row = _table(r, "csv")
    assert header[:3] == ["시각", "행위자", "역할"]
    assert dict(zip(header, row, strict=True))["역할"] == "변호사"


def test_a_page_of_the_list_is_still_json(world, records, api_as):
    _touch(world, records, world.users["lawyer"])
    r = api_as(world.users["auditor"]).get("/api/v1/audit?format=json&per_page=2")
    assert r.status_code == 200 and len(r.get_json()["items"]) == 2
    bad = api_as(world.users["auditor"]).get("/api/v1/audit?format=pdf")
    assert bad.status_code == 422


def test_documented_as_csv_and_xlsx(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    operation = spec["paths"]["/api/v1/audit"]["get"]
    assert "format" in {p["name"] for p in operation["parameters"]}
    assert set(EXPORT_TYPES.values()) <= set(operation["responses"]["200"]["content"])
