"""The dashboard's JSON is written by the schema's compiled dump (`tracker.api.plain`): the same
document marshmallow writes, for every role, with deadlines, queues, checks, heat map and
counts in it."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from flask import current_app

from tests.deadlines.conftest import fill as fill_deadlines
from tests.support import ROLES
from tracker import clock
from tracker.api.dashboard import DashboardSchema
from tracker.api.plain import dumper
from tracker.dashboard.service import build_dashboard


@pytest.fixture
def full(busy):
    fill_deadlines(busy.project, busy.users["lawyer"], "IN")
    return busy


@pytest.mark.parametrize("role", ROLES)
def test_the_compiled_dump_writes_what_the_schema_writes(full, api_as, role):
    user = full.second if role == "lawyer" else full.users[role]
    data = build_dashboard(user, clock.today())
    expected = DashboardSchema().dump(data)
    assert dumper(DashboardSchema())(data) == expected
    assert expected["deadlines"] or role == "company" or expected["queues"]
    body = api_as(user).get("/api/v1/dashboard").get_json()
    provider = current_app.json
    assert body == json.loads(provider.dumps(expected))


def test_a_key_the_data_lacks_is_left_out_and_none_stays_none():
    dump = dumper(DashboardSchema())
    data = {"role": "admin", "deadlines": [], "queues": {}, "heat_map": None, "counts": {}}
    assert dump(data) == DashboardSchema().dump(data)
    item = {"kind": "x", "due_on": dt.date(2027, 1, 2), "done": 1, "rule": None}
    data["deadlines"] = [item]
    assert dump(data) == DashboardSchema().dump(data)
    assert dump(data)["deadlines"] == [
        {"kind": "x", "due_on": "2027-01-02", "done": True, "rule": None}
    ]
