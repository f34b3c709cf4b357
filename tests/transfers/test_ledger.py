"""Lists filtered in SQL, the ledger and its CSV export (audited), and a fixed number of
statements per page whatever the number of rows."""

from __future__ import annotations

import contextlib
import csv
import io
import zoneinfo
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import event

from tests.support import day, transfer_draft
from tests.transfers.conftest import partnered_project
from tracker.audit.models import AuditEvent
from tracker.db import db
from tracker.transfers import service
from tracker.transfers.models import TransferRequest


def file(w: Any, project: Any = None, partner: Any = None, **over: Any) -> TransferRequest:
    project = project or w.project
    data = {
        "partner_id": (partner or w.partner).id,
        "asset_ids": [w.asset.id] if project is w.project else [],
        **over,
    }
    return service.file_transfer(w.users["company"], project, transfer_draft(w, **data))


def approve(w: Any, t: TransferRequest) -> TransferRequest:
    return service.decide_transfer(w.users["operator"], t, "approve", "")


@pytest.fixture
def second(gate_world: Any, make_project: Any, make_org: Any) -> Any:
    """A second project of the same zone and company, with its own partner, NDA and review."""
    return partnered_project(gate_world, make_project, make_org, "Kyushu University", "JP")


def ids(payload: dict[str, Any]) -> list[int]:
    return [t["id"] for t in payload["items"]]


def test_list_filters(gate_world, second, api_as):
    w = gate_world
    project2, partner2, asset2 = second
    a = file(w)
    b = file(w, project2, partner2, asset_ids=[asset2.id], planned_on=day(51))
    c = file(w)
    approve(w, c)
    db.session.commit()
    api = api_as(w.users["operator"])
    get = lambda q: api.get("/api/v1/transfers", query_string=q).get_json()  # noqa: E731
    assert set(ids(get({}))) == {a.id, b.id, c.id}
    assert set(ids(get({"project_id": project2.id}))) == {b.id}
    assert set(ids(get({"partner_id": partner2.id}))) == {b.id}
    assert set(ids(get({"status": "approved"}))) == {c.id}
    assert set(ids(get({"status": "pending_review"}))) == {a.id, b.id}
    assert set(ids(get({"zone_id": w.zone.id}))) == {a.id, b.id, c.id}
    assert ids(get({"zone_id": w.zone.id + 1000})) == []
    assert set(ids(get({"planned_from": day(37).isoformat()}))) == {b.id}
    assert set(ids(get({"planned_to": day(36).isoformat()}))) == {a.id, c.id}
    page = get({"per_page": 2})
    assert page["total"] == 3 and len(page["items"]) == 2
    bad = api.get("/api/v1/transfers?status=lost")
    assert bad.status_code == 422


@pytest.mark.parametrize(
    ("who", "status"),
    [("admin", 403), ("lawyer", 200), ("company", 200), ("operator", 200), ("auditor", 200)],
)
def test_list_and_ledger_per_role(gate_world, api_as, who, status):
    w = gate_world
    t = file(w)
    approve(w, t)
    db.session.commit()
    for path in (
        "/api/v1/transfers",
        "/api/v1/transfers/ledger",
        "/api/v1/transfers/ledger?format=csv",
    ):
        r = api_as(w.users[who]).get(path)
        assert r.status_code == status, path
        if status == 200 and "csv" not in path:
            assert ids(r.get_json()) == [t.id]


@pytest.mark.parametrize("who", ["lawyer", "company", "operator"])
def test_list_and_ledger_hide_out_of_scope(gate_world, api_as, who):
    w = gate_world
    approve(w, file(w))
    db.session.commit()
    api = api_as(w.outsiders[who])
    assert api.get("/api/v1/transfers").get_json()["items"] == []
    assert api.get("/api/v1/transfers/ledger").get_json()["items"] == []
    rows = list(
        csv.reader(
            io.StringIO(api.get("/api/v1/transfers/ledger?format=csv").get_data(as_text=True))
        )
    )
    assert len(rows) == 1  # the header only


def test_ledger_holds_only_approved(gate_world, api_as):
    w = gate_world
    approved = approve(w, file(w))
    denied = service.decide_transfer(w.users["operator"], file(w), "deny", "no")
    file(w)
    db.session.commit()
    payload = api_as(w.users["auditor"]).get("/api/v1/transfers/ledger").get_json()
    assert ids(payload) == [approved.id]
    assert denied.id not in ids(payload)
    item = payload["items"][0]
    assert item["decided_by_id"] == w.users["operator"].id
    assert [c["ok"] for c in item["decision_checks"]] == [True] * 6


def test_ledger_csv_is_complete_safe_and_audited(gate_world, api_as):
    w = gate_world
    t = approve(w, file(w, purpose='=HYPERLINK("http://evil")'))
    for _ in range(3):
        approve(w, file(w))
    db.session.commit()
    api = api_as(w.users["operator"])
    r = api.get("/api/v1/transfers/ledger?format=csv&per_page=1")
    assert r.status_code == 200
    assert r.mimetype == "text/csv"
    assert "attachment" in r.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(r.get_data(as_text=True).lstrip("\ufeff"))))
    assert len(rows) == 4  # the whole list, not one page
    row = next(x for x in rows if x["ID"] == str(t.id))
    assert row["Purpose"].startswith("'=")
    assert row["Partner"] == w.partner.name and row["Partner country"] == "GB"
    assert row["Approved by"] == w.users["operator"].name
    assert row["Approved by (ID)"] == str(w.users["operator"].id)
    assert row["Zone"] == f"{w.zone.name_en} ({w.zone.code})" and row["Zone ID"] == str(w.zone.id)
    # the reader's zone (Seoul), with its offset in the header and the value
    local = t.decided_at.astimezone(zoneinfo.ZoneInfo("Asia/Seoul"))
    assert row["Approved at (+09:00)"].startswith(local.strftime("%Y-%m-%d %H:%M"))
    assert row["Approved at (+09:00)"].endswith("+09:00")
    assert "Active NDA: ✔" in row["Checks"] and row["Channel"] == "Secure platform"
    event_ = db.session.execute(
        sa.select(AuditEvent).where(AuditEvent.action == "transfer.exported")
    ).scalar_one()
    assert event_.detail["rows"] == 4 and event_.actor_id == w.users["operator"].id
    assert event_.detail["list"] == "transfer-ledger" and event_.detail["format"] == "csv"


def test_ledger_xlsx(gate_world, api_as):
    from openpyxl import load_workbook

    w = gate_world
    t = approve(w, file(w, purpose="=1+1 <b>&"))
    db.session.commit()
    r = api_as(w.users["auditor"]).get("/api/v1/transfers/ledger?format=xlsx")
    assert r.status_code == 200
    assert r.mimetype.endswith("spreadsheetml.sheet")
    assert 'filename="transfer-ledger.xlsx"' in r.headers["Content-Disposition"]
    book = load_workbook(io.BytesIO(r.get_data()))
    cells = [c for row in book.active.iter_rows() for c in row]
    assert all(c.data_type != "f" for c in cells)  # never a formula
    values = [c.value for c in cells]
    assert "=1+1 <b>&" in values and str(t.id) in values and w.partner.name in values
    header = [c.value for c in next(book.active.iter_rows())]
    planned = [c for c in cells if c.column == header.index("Planned date") + 1 and c.row > 1]
    assert planned[0].is_date and planned[0].value.date() == t.planned_on  # a real date cell
    bad = api_as(w.users["auditor"]).get("/api/v1/transfers/ledger?format=pdf")
    assert bad.status_code == 422


def test_transfer_list_csv_export(gate_world, api_as):
    w = gate_world
    file(w)
    db.session.commit()
    r = api_as(w.users["lawyer"]).get("/api/v1/transfers?format=csv")
    assert r.status_code == 200 and r.mimetype == "text/csv"
    [row] = list(csv.DictReader(io.StringIO(r.get_data(as_text=True).lstrip("\ufeff"))))
    assert row["Status"] == "Pending review" and row["Decided by"] == ""  # not yet decided
    assert row["Requested by"] == w.users["company"].name


# --- a fixed number of statements per page --------------------------------------------------------


@contextlib.contextmanager
def counted() -> Iterator[list[str]]:
    statements: list[str] = []

    def before(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
            statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", before)


def test_statements_do_not_grow_with_rows(gate_world, browser_as, second):
    w = gate_world
    project2, partner2, asset2 = second
    clients = {who: browser_as(w.users[who]) for who in ("operator", "company")}
    paths = ["/transfers", "/transfers/ledger", f"/projects/{w.project.id}/transfers"]

    def measure() -> dict[str, int]:
        counts = {}
        for path in [*paths, "/zone"]:
            c = clients["operator"] if path == "/zone" else clients["company"]
            with counted() as statements:
                assert c.get(path).status_code == 200
            counts[path] = len(statements)
        return counts

    approve(w, file(w))
    file(w)  # one waits in the operator's queue
    db.session.commit()
    small = measure()
    for _ in range(6):
        approve(w, file(w))
        file(w, project2, partner2, asset_ids=[asset2.id])
    db.session.commit()
    assert measure() == small
