"""The API's request lists written from plain rows (`tracker.transfers.listing`): each item
is what `TransferOutSchema` writes of the same request, for every role (the digests only for
those who may download the files), and a reader of every project is counted without the
projects."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from tests.support import PLANNED, statements, transfer_body
from tests.transfers.test_files import document, upload
from tracker.api.transfers import TransferOutSchema
from tracker.db import db
from tracker.transfers.models import TransferRequest


@pytest.fixture
def requests(gate_world: Any, api_as: Any) -> Any:
    """Three requests: one with two files and an asset, approved; one planned later, told
    orally; one with a file and no asset."""
    w = gate_world
    company = api_as(w.users["company"])
    files = [upload(company, w.project.id, document(bytes([65 + i])), f"f{i}.pdf") for i in (0, 1)]
    first = company.post(
        f"/api/v1/projects/{w.project.id}/transfers",
        json=transfer_body(w, attachment_ids=[f["id"] for f in files]),
    ).get_json()
    operator = api_as(w.users["operator"])
    assert (
        operator.post(
            f"/api/v1/transfers/{first['id']}/decision", json={"decision": "approve", "note": "ok"}
        ).status_code
        == 200
    )
    later = (PLANNED + dt.timedelta(days=30)).isoformat()
    for body in (
        transfer_body(w, planned_on=later, channel="oral"),
        transfer_body(w, asset_ids=[], attachment_ids=[files[0]["id"]]),
    ):
        r = company.post(f"/api/v1/projects/{w.project.id}/transfers", json=body)
        assert r.status_code == 201, r.get_json()
    return w


PATHS = (
    "/api/v1/transfers",
    "/api/v1/transfers?status=approved",
    "/api/v1/transfers/ledger",
    "/api/v1/transfers?sort=-project",
    "/api/v1/transfers?sort=planned_on&per_page=2&page=2",
    "/api/v1/transfers?zone_id={zone}",
    "/api/v1/projects/{project}/transfers",
)


@pytest.mark.parametrize("role", ["lawyer", "company", "operator", "auditor"])
@pytest.mark.parametrize("path", PATHS)
def test_items_are_what_the_schema_writes(app, requests, api_as, role, path):
    w = requests
    user = w.users[role]
    body = api_as(user).get(path.format(zone=w.zone.id, project=w.project.id)).get_json()
    ids = [item["id"] for item in body["items"]]
    assert ids and body["total"] >= len(ids)
    with app.test_request_context(), force_locale(user.locale):
        from flask_login import login_user

        login_user(user)
        loaded = {t.id: t for t in db.session.scalars(sa.select(TransferRequest))}
        expected = TransferOutSchema(many=True).dump([loaded[i] for i in ids])
    assert body["items"] == expected
    sees = role in ("lawyer", "company")
    files = [f for item in body["items"] for f in item["files"]]
    if "ledger" in path or "approved" in path or path == "/api/v1/transfers":
        assert len(files) >= 2 and all(("sha256" in f) is sees for f in files)


def test_a_reader_of_every_project_is_counted_without_the_projects(requests, api_as):
    api = api_as(requests.users["auditor"])
    with statements() as seen:
        assert api.get("/api/v1/transfers").get_json()["total"] == 3
    counts = [s for s in seen if "count(" in s.lower()]
    assert len(counts) == 1 and "projects" not in counts[0]
    with statements() as seen:
        assert api.get("/api/v1/transfers?zone_id=0").get_json()["total"] == 0
