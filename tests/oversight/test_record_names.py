"""Rows you can tell apart: the audit trail, its history pages and its exports name every
record as a person would (a request by partner, assets and planned date; an NDA by partner and
dates; a review by date and level; a filing by office and number; a session by its date; a
project by code and title), in Korean and English, never "#3"; and one rule links a record."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from babel.dates import format_date
from flask_babel import force_locale

from tests.support import PLANNED, day, make_nda, transfer_draft
from tracker import ui
from tracker.audit.service import record
from tracker.cases.filings import service as filings
from tracker.cases.labels import label as level_label
from tracker.db import db
from tracker.transfers import kind as transfer_kind
from tracker.transfers.service import file_transfer

ROLES = ("admin", "lawyer", "company", "operator", "auditor")


@pytest.fixture
def named(world: Any, records: Any) -> Any:
    world.asset = records.asset
    records.nda = make_nda(world.project, world.partner)
    records.transfer = file_transfer(world.users["company"], world.project, transfer_draft(world))
    records.filing = filings.create_filing(
        records.asset,
        {
            "office": "KR",
            "route": "first",
            "filed_on": day(-30),
            "application_no": "10-2024-0041234",
        },
    )
    lawyer = world.users["lawyer"]
    for obj in (
        world.project,
        records.nda,
        records.transfer,
        records.filing,
        records.review,
        records.session,
    ):
        record("test.named", obj, actor_id=lawyer.id)
    db.session.commit()
    return records


def _expected(world: Any, r: Any, locale: str) -> dict[str, str]:
    def day(value: Any) -> str:
        return format_date(value, "medium", locale=locale)

    planned = f"{day(PLANNED)} 예정" if locale == "ko" else f"planned {day(PLANNED)}"
    review_day = r.review.decided_at or r.review.created_at
    return {
        "project": f"{world.project.code} · {world.project.title}",
        "nda": f"{world.partner.name} · {day(r.nda.effective_on)} – {day(r.nda.expires_on)}",
        "transfer": f"{world.partner.name} · Quiet converter layout · {planned}",
        "filing": ("대한민국" if locale == "ko" else "South Korea") + " 10-2024-0041234",
        "risk_review": f"{day(review_day.date())} · ",  # then the level's label
        "session": day(r.session.held_on),
    }


@pytest.mark.parametrize("locale", ["en", "ko"])
def test_trail_page_and_history_name_the_records(world, named, browser_as, app, locale):
    auditor = world.users["auditor"]
    auditor.locale = locale
    db.session.commit()
    client = browser_as(auditor)
    html = client.get("/audit?action=test.named").get_data(as_text=True)
    expected = _expected(world, named, locale)
    for kind, name in expected.items():
        assert name in html, (kind, name)
    with app.test_request_context("/"), force_locale(locale):
        level = level_label(named.review.level)
    assert f"{expected['risk_review']}{level}" in html
    ids = {named.nda.id, named.transfer.id, named.filing.id, named.review.id, named.session.id}
    assert not any(f"#{i}<" in html or f"#{i} " in html for i in ids)
    # a record's history page is headed by its name
    history = client.get(f"/audit/transfer/{named.transfer.id}").get_data(as_text=True)
    assert expected["transfer"] in history


@pytest.mark.parametrize("locale", ["en", "ko"])
def test_audit_export_names_the_records(world, named, browser_as, locale):
    auditor = world.users["auditor"]
    auditor.locale = locale
    db.session.commit()
    r = browser_as(auditor).get("/audit?action=test.named&format=csv")
    assert r.status_code == 200
    rows = list(csv.reader(io.StringIO(r.get_data().decode("utf-8-sig"))))
    objects = {row[5] for row in rows[1:]}
    for kind, name in _expected(world, named, locale).items():
        assert any(o.startswith(name) for o in objects), (kind, name, objects)
    assert not any("#" in o for o in objects)


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("en", "Acme · Anode, Binder + 1 more · planned Dec 10, 2026"),
        ("ko", "Acme · Anode, Binder 외 1건 · 2026. 12. 10. 예정"),
    ],
)
def test_a_request_names_two_assets_then_how_many_more(app, locale, expected):
    titles = "\x1f".join(["Cathode", "Anode", "Binder"])
    with app.test_request_context("/"), force_locale(locale):
        assert transfer_kind.KIND.label is not None
        assert transfer_kind.KIND.label.name(["Acme", titles, "2026-12-10"]) == expected


@pytest.mark.parametrize("role", ROLES)
def test_one_rule_links_a_record(world, named, app, role):
    """`ui.record_link`: the record's page when the role may open it, else nothing; a kind
    without a page of its own (a filing whose asset is not given) links to its project."""
    user = world.users[role]
    pid = world.project.id
    with app.test_request_context("/"):
        session = ui.record_link(user, "session", named.session.id, pid)
        transfer = ui.record_link(user, "transfer", named.transfer.id, pid)
        filing = ui.record_link(user, "filing", named.filing.id, pid)
        on_asset = ui.record_link(user, "filing", named.filing.id, pid, named.asset.id)
        unknown = ui.record_link(user, "nothing", 1, pid)
    assert unknown is None
    assert (session == f"/sessions/{named.session.id}") == (role in ("lawyer", "company"))
    assert session is None or role in ("lawyer", "company")
    sees_transfers = role in ("lawyer", "company", "operator", "auditor")
    assert transfer == (f"/transfers/{named.transfer.id}" if sees_transfers else None)
    sees_filings = role != "operator"
    assert filing == (f"/projects/{pid}" if sees_filings else None)
    anchor = f"/assets/{named.asset.id}#filing-{named.filing.id}"
    assert on_asset == (anchor if sees_filings else None)


@pytest.mark.parametrize(("locale", "kind"), [("en", "Kind of record"), ("ko", "기록 종류")])
def test_the_filter_asks_for_a_kind_never_an_id(world, records, browser_as, api_as, locale, kind):
    """A person does not know ids: the form offers the kind of record and says how to reach
    one record's trail (its History link); a record's id still filters (hidden, the API's)."""
    auditor = world.users["auditor"]
    auditor.locale = locale
    db.session.commit()
    client = browser_as(auditor)
    html = client.get("/audit").get_data(as_text=True)
    assert kind in html and 'name="object_type"' in html
    assert 'name="object_id"' not in html and "Object id" not in html
    one = client.get(f"/audit?object_type=asset&object_id={records.asset.id}")
    assert one.status_code == 200
    assert f'type="hidden" name="object_id" value="{records.asset.id}"' in one.get_data(
        as_text=True
    )
    # bad values: never a 500 (a page drops a NUL argument, as any malformed filter; the
    # API names it); an id no row can have matches nothing
    bad = client.get("/audit?object_id=abc")
    assert bad.status_code == 422
    # the reader is told why the page shows the whole trail (the field is hidden)
    said = ("cannot be read, so the filters are not applied", "읽을 수 없어 필터를")
    assert any(s in bad.get_data(as_text=True) for s in said)
    assert any(s in client.get("/audit?actor_id=x1").get_data(as_text=True) for s in said)
    assert not any(s in one.get_data(as_text=True) for s in said)
    assert client.get("/audit?object_id=%00").status_code == 200
    assert client.get("/audit?object_id=99999999999999999999").status_code == 200
    api = api_as(auditor)
    for bad in ("abc", "%00"):
        assert api.get(f"/api/v1/audit?object_id={bad}").status_code == 422, bad
