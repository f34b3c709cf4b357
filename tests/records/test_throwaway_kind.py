"""Adding a record kind (docs/architecture.md): a kind declared in its own package and
registered by one line shows up in the deadline list, the audit trail with a readable label,
search and exports, with no change anywhere else; unregistered, it is gone again."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator
from typing import Any

import pytest
from marshmallow import Schema, fields

from tests.records.throwaway.kind import KIND
from tests.records.throwaway.models import Gadget, ThrowawayBase
from tracker import clock, records
from tracker.audit.service import record
from tracker.cases import search
from tracker.db import db
from tracker.reports.columns import schema_table

TITLE = "Sprocket calibration rig"


@pytest.fixture
def gadget(world: Any) -> Iterator[Gadget]:
    """A gadget of the world's project, its kind registered for this test only (the table is
    created inside the test's rolled-back transaction)."""
    ThrowawayBase.metadata.create_all(db.session.connection())
    with records.registered(KIND):
        thing = Gadget(
            project_id=world.project.id, title=TITLE, due_on=clock.today() + dt.timedelta(days=5)
        )
        db.session.add(thing)
        db.session.flush()
        search.index(thing)
        record("gadget.created", thing, actor_id=world.users["lawyer"].id)
        db.session.commit()
        yield thing
    assert records.find("gadget") is None


def _gadget_deadlines(api: Any) -> list[dict[str, Any]]:
    r = api.get("/api/v1/deadlines?per_page=200")
    assert r.status_code == 200, r.get_json()
    return [i for i in r.get_json()["items"] if i["source_type"] == "gadget"]


def test_the_deadline_list_has_it(gadget, world, api_as, browser_as):
    lawyer = world.users["lawyer"]
    [item] = _gadget_deadlines(api_as(lawyer))
    assert (item["kind"], item["title"], item["source_id"]) == ("gadget_due", TITLE, gadget.id)
    page = browser_as(lawyer).get("/deadlines")
    assert page.status_code == 200
    assert "Gadget due" in page.get_data(as_text=True)
    # out of scope: the policy's scope filters the kind's source like every other
    assert _gadget_deadlines(api_as(world.outsiders["lawyer"])) == []


def test_the_trail_labels_it(gadget, world, api_as):
    r = api_as(world.users["auditor"]).get("/api/v1/audit?action=gadget.created")
    [event] = r.get_json()["items"]
    assert event["object"] == {"type": "gadget", "id": gadget.id, "label": TITLE}
    history = api_as(world.users["auditor"]).get("/api/v1/audit?object_type=gadget")
    assert history.status_code == 200


def test_search_finds_it(gadget, world, api_as):
    lawyer = world.users["lawyer"]
    entries = db.session.execute(search.search_entries(lawyer, "sprocket")).scalars().all()
    assert [(e.record_type, e.record_id) for e in entries] == [("gadget", gadget.id)]
    found = api_as(lawyer).get("/api/v1/projects?q=sprocket").get_json()["items"]
    assert [p["id"] for p in found] == [world.project.id]


def test_exports_name_it(gadget, world, api_as, app):
    r = api_as(world.users["lawyer"]).get("/api/v1/deadlines?format=csv")
    rows = list(csv.reader(io.StringIO(r.get_data(as_text=True).lstrip("\ufeff"))))
    [row] = [row for row in rows if TITLE in row]
    assert "Gadget due" in row and "Gadget" in row  # its deadline kind and its name

    class Uses(Schema):
        id = fields.Integer()
        gadget_id = fields.Integer()

    with app.test_request_context():
        head, cells = schema_table(Uses(), [{"id": 1, "gadget_id": gadget.id}])
    assert head == ["ID", "Gadget name", "gadget_id"]
    assert cells == [["1", TITLE, str(gadget.id)]]


def test_unregistered_it_is_gone(world, api_as):
    ThrowawayBase.metadata.create_all(db.session.connection())
    with records.registered(KIND):
        assert records.kind("gadget") is KIND
    assert records.find("gadget") is None
    assert "gadget_due" not in records.deadline_kinds()
    assert _gadget_deadlines(api_as(world.users["lawyer"])) == []


def test_a_taken_type_name_is_refused():
    with records.registered(KIND), pytest.raises(ValueError, match="gadget"):
        records.register(RecordKindCopy())


def RecordKindCopy() -> records.RecordKind:  # noqa: N802 (reads as the descriptor it builds)
    return records.RecordKind(type="gadget", model=Gadget, name="Another gadget")
