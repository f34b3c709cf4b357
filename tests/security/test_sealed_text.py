"""Sealed text (issue 21): privileged notes, disclosure and asset descriptions and review
conditions are in no database file, dump or backup in plain text; the lawyer in scope reads
them through the API and the pages, also after `keys rotate`; a value altered or moved to
another row or column is refused on read (a clear error and an audit event), never shown."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess  # nosec B404
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from tests.support import (
    approved_review,
    audit_actions,
    make_asset,
    make_disclosure,
    make_session,
    sign_in,
)
from tracker import sealing
from tracker.cases import search
from tracker.cases.assets.models import IpAsset
from tracker.cases.disclosures.models import Disclosure
from tracker.cases.reviews.models import RiskReview
from tracker.cases.sessions.models import AdvisorySession
from tracker.db import db
from tracker.ops.postgresql import libpq_url, pg_tool
from tracker.sealing import ProjectKey

#: one canary per sealed column, so a find names the column that leaked
CANARIES = {
    "privileged_notes": "cnry-notes-7f3a91",
    "disclosure": "cnry-disclosure-b2c4d8",
    "asset": "cnry-asset-e5f6a0",
    "conditions": "cnry-conditions-1d2e3f",
}


def _sealed_records(world: Any) -> dict[str, int]:
    """A record with a canary in every sealed column of the world's project (flushed)."""
    lawyer, company = world.users["lawyer"], world.users["company"]
    session = make_session(
        world.project, lawyer, privileged_notes=f"Notes {CANARIES['privileged_notes']}"
    )
    disclosure = make_disclosure(
        world.project, company, description=f"Invention {CANARIES['disclosure']}"
    )
    asset = make_asset(world.project, description=f"Secret {CANARIES['asset']}")
    review = approved_review(
        world.project, lawyer.id, conditions=f"Only if {CANARIES['conditions']}"
    )
    db.session.add(review)
    db.session.flush()
    return {
        "session": session.id,
        "disclosure": disclosure.id,
        "asset": asset.id,
        "review": review.id,
    }


def _reads(api: Any, browser: Any, ids: dict[str, int]) -> None:
    """The lawyer in scope reads every canary through the API and the pages."""
    got = {
        "privileged_notes": api.get(f"/api/v1/sessions/{ids['session']}").get_json(),
        "disclosure": api.get(f"/api/v1/disclosures/{ids['disclosure']}").get_json(),
        "asset": api.get(f"/api/v1/assets/{ids['asset']}").get_json(),
        "conditions": api.get(f"/api/v1/risk-reviews/{ids['review']}").get_json(),
    }
    assert CANARIES["privileged_notes"] in got["privileged_notes"]["privileged_notes"]
    assert CANARIES["disclosure"] in got["disclosure"]["description"]
    assert CANARIES["asset"] in got["asset"]["description"]
    assert CANARIES["conditions"] in got["conditions"]["conditions"]
    pages = {
        "privileged_notes": f"/sessions/{ids['session']}",
        "disclosure": f"/disclosures/{ids['disclosure']}",
        "asset": f"/assets/{ids['asset']}",
        "conditions": f"/reviews/{ids['review']}",
    }
    for name, path in pages.items():
        r = browser.get(path)
        assert r.status_code == 200, path
        assert CANARIES[name] in r.get_data(as_text=True), path


def _leaks(data: bytes) -> list[str]:
    return [name for name, canary in CANARIES.items() if canary.encode() in data]


def _database_bytes(app: Flask) -> bytes:
    """The SQLite file (and its WAL) as stored, or `pg_dump`'s plain SQL on PostgreSQL."""
    url = db.engine.url
    if url.get_backend_name() == "sqlite":
        path = Path(str(url.database))
        return b"".join(p.read_bytes() for p in (path, Path(f"{path}-wal")) if p.exists())
    conn_url, env = libpq_url(url)
    done = subprocess.run(  # noqa: S603  # nosec B603
        [pg_tool("pg_dump"), "--format=plain", f"--dbname={conn_url}"],
        env={**os.environ, **env},
        capture_output=True,
        check=True,
    )
    return done.stdout


@pytest.mark.real_commits
def test_no_canary_in_the_database_dump_or_backup_and_the_lawyer_reads_them(
    app: Flask, world: Any, api_as: Any, tmp_path: Path
) -> None:
    ids = _sealed_records(world)
    db.session.commit()
    lawyer = world.users["lawyer"]
    email, project_id = lawyer.email, world.project.id
    db.session.commit()  # the test's own session holds no transaction while requests run
    browser = app.test_client()
    assert sign_in(browser, email).status_code == 302
    api = api_as(lawyer)
    _reads(api, browser, ids)
    db.session.commit()

    # what the database holds is sealed, under the project's key
    table_rows = db.session.execute(
        sa.text("SELECT privileged_notes FROM advisory_sessions WHERE id = :i"),
        {"i": ids["session"]},
    ).scalar_one()
    assert table_rows.startswith(sealing.PREFIX)
    assert db.session.get(ProjectKey, project_id) is not None
    db.session.commit()

    assert _leaks(_database_bytes(app)) == []
    target = tmp_path / "backup"
    out = app.test_cli_runner().invoke(args=["backup", str(target)])
    assert out.exit_code == 0, out.output
    files = [p for p in target.rglob("*") if p.is_file()]
    assert len(files) >= 2
    assert [(str(p), _leaks(p.read_bytes())) for p in files if _leaks(p.read_bytes())] == []

    # after `keys rotate` the project keys are under the new KEK and every text still reads
    db.session.remove()
    out = app.test_cli_runner().invoke(args=["keys", "rotate"])
    assert out.exit_code == 0, out.output
    assert "Re-wrapped project keys (sealed text): 1." in out.output
    assert "Rows still using an old key: 0." in out.output
    ring = app.extensions["tracker_keys"]
    key = db.session.get(ProjectKey, project_id)
    assert key is not None and key.kek_id == ring.active_kek_id
    db.session.commit()
    app.extensions.pop("tracker_project_keys", None)  # unwrap again, under the new KEK
    _reads(api, browser, ids)
    assert _leaks(_database_bytes(app)) == []


def _copy_column(table: str, column: str, source: int, target: int) -> None:
    value = db.session.execute(
        sa.text(f"SELECT {column} FROM {table} WHERE id = :i"),
        {"i": source},  # noqa: S608
    ).scalar_one()
    db.session.execute(
        sa.text(f"UPDATE {table} SET {column} = :v WHERE id = :i"),  # noqa: S608
        {"v": value, "i": target},
    )


def test_a_value_copied_to_another_row_is_refused_on_read(
    world: Any, api_as: Any, browser_as: Any
) -> None:
    company = world.users["company"]
    first = make_disclosure(world.project, company, description="First invention")
    second = make_disclosure(world.project, company, description="Second invention")
    first_id, second_id = first.id, second.id
    _copy_column("disclosures", "description", first_id, second_id)
    db.session.expire_all()
    api = api_as(world.users["lawyer"])

    r = api.get(f"/api/v1/disclosures/{second_id}")
    assert r.status_code == 500
    assert r.mimetype == "application/problem+json"
    assert "integrity check" in r.get_json()["detail"]
    assert "First invention" not in r.get_data(as_text=True)
    events = audit_actions("sealed.integrity_failed")
    assert [(e.object_type, e.object_id) for e in events] == [("disclosure", second_id)]
    assert events[0].detail["column"] == "description"
    assert "invention" not in json.dumps(events[0].detail).lower()

    page = browser_as(world.users["lawyer"]).get(f"/disclosures/{second_id}")
    assert page.status_code == 500 and "integrity check" in page.get_data(as_text=True)
    assert "First invention" not in page.get_data(as_text=True)
    # the original row still reads
    assert api.get(f"/api/v1/disclosures/{first_id}").get_json()["description"] == (
        "First invention"
    )


@pytest.mark.real_commits
def test_the_asset_list_opens_each_description_under_its_own_row(world: Any, api_as: Any) -> None:
    first = make_asset(world.project, title="Sealed first", description="First secret")
    second = make_asset(world.project, title="Sealed second", description="Second secret")
    first_id, second_id = first.id, second.id
    api = api_as(world.users["lawyer"])
    page = api.get("/api/v1/assets?per_page=50").get_json()
    opened = {item["id"]: item["description"] for item in page["items"]}
    assert (opened[first_id], opened[second_id]) == ("First secret", "Second secret")

    _copy_column("ip_assets", "description", first_id, second_id)
    db.session.commit()  # a list is read in a transaction of its own
    r = api.get("/api/v1/assets?per_page=50")
    assert r.status_code == 500
    assert "integrity check" in r.get_json()["detail"]
    assert "First secret" not in r.get_data(as_text=True)
    events = audit_actions("sealed.integrity_failed")
    assert [(e.object_type, e.object_id) for e in events] == [("asset", second_id)]
    assert events[0].detail["column"] == "description"


def test_an_edited_byte_a_moved_column_or_plain_text_is_refused(world: Any, api_as: Any) -> None:
    lawyer = world.users["lawyer"]
    session = make_session(world.project, lawyer, privileged_notes="Keep this")
    asset = make_asset(world.project, description="Asset text")
    session_id, asset_id = session.id, asset.id
    api = api_as(lawyer)
    stored = db.session.execute(
        sa.text("SELECT privileged_notes FROM advisory_sessions WHERE id = :i"), {"i": session_id}
    ).scalar_one()
    tampered = stored[:-6] + ("A" if stored[-6] != "A" else "B") + stored[-5:]
    other_column = db.session.execute(
        sa.text("SELECT description FROM ip_assets WHERE id = :i"), {"i": asset_id}
    ).scalar_one()
    for bad in (tampered, other_column, "Rewritten by someone with the database"):
        db.session.execute(
            sa.text("UPDATE advisory_sessions SET privileged_notes = :v WHERE id = :i"),
            {"v": bad, "i": session_id},
        )
        db.session.expire_all()
        r = api.get(f"/api/v1/sessions/{session_id}")
        assert r.status_code == 500, bad
        assert "Rewritten" not in r.get_data(as_text=True)
    assert len(audit_actions("sealed.integrity_failed")) == 3


def test_the_column_type_refuses_plain_text(world: Any) -> None:
    """A bulk UPDATE bypasses the sealing events; the column type still refuses plain text."""
    disclosure = make_disclosure(world.project, world.users["company"])
    with pytest.raises(sa.exc.StatementError):
        db.session.execute(
            sa.update(Disclosure)
            .where(Disclosure.id == disclosure.id)
            .values(description="plain words")
        )
    db.session.rollback()


def test_sealed_text_is_never_in_a_search_document(world: Any) -> None:
    ids = _sealed_records(world)
    for model, key in (
        (AdvisorySession, "session"),
        (Disclosure, "disclosure"),
        (IpAsset, "asset"),
        (RiskReview, "review"),
    ):
        search.index(db.session.get(model, ids[key]))
    texts = db.session.execute(sa.text("SELECT text FROM search_entries")).scalars().all()
    assert len(texts) >= 3
    assert [t for t in texts if _leaks(t.encode())] == []


def test_exports_decrypt_for_entitled_readers_only(world: Any, api_as: Any) -> None:
    _sealed_records(world)
    path = f"/api/v1/projects/{world.project.id}/assets?format=csv"
    lawyer = api_as(world.users["lawyer"]).get(path)
    operator = api_as(world.users["operator"]).get(path)
    assert lawyer.status_code == 200 and operator.status_code == 200
    assert CANARIES["asset"] in lawyer.get_data(as_text=True)
    assert _leaks(operator.get_data()) == []
    assert "Converter layout" in operator.get_data(as_text=True)  # the row, without its text


def test_the_four_sensitive_columns_are_sealed() -> None:
    sealed = {
        (table.name, column.name)
        for table in db.metadata.tables.values()
        for column in table.columns
        if isinstance(column.type, sealing.SealedText)
    }
    assert sealed == {
        ("advisory_sessions", "privileged_notes"),
        ("disclosures", "description"),
        ("ip_assets", "description"),
        ("risk_reviews", "conditions"),
    }


@pytest.mark.real_commits
def test_a_list_opens_its_values_with_one_cipher_per_project_key(
    world: Any, api_as: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A lean list opens each sealed value with its project key's cipher made once (held by
    the application beside the key), not once per value; the values read as before."""
    for n in range(3):
        make_asset(world.project, title=f"Ciphered {n}", description=f"Secret number {n}")
    db.session.commit()
    api = api_as(world.users["lawyer"])
    made: list[str] = []  # which key each cipher was made for (a digest: no key in a report)
    real = sealing.AESGCM

    def counted(key: bytes) -> Any:
        made.append(hashlib.sha256(key).hexdigest()[:12])
        return real(key)

    monkeypatch.setattr(sealing, "AESGCM", counted)
    first = api.get("/api/v1/assets?per_page=50").get_json()
    assert sorted(i["description"] for i in first["items"] if i["title"].startswith("Cipher")) == [
        f"Secret number {n}" for n in range(3)
    ]
    assert made and len(made) == len(set(made))  # each key's cipher made once for the page
    made.clear()
    again = api.get("/api/v1/assets?per_page=50").get_json()
    assert again == first
    assert made == []  # and held for the next
