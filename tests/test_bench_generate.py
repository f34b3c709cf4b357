"""The benchmark data generator (bench/generate.py) at a small scale: the database it fills
keeps the app's invariants (the audit chain verifies with the app's own check, search finds
the generated texts, each role sees the projects its links give it) and is deterministic."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from bench import generate
from tests.support import database_url
from tracker.cases import search
from tracker.db import db

pytestmark = pytest.mark.real_commits
PROJECTS = 40


def _generate(
    tmp_path: Path, name: str, seed: int = 7, instance: str | None = None, url: str | None = None
) -> tuple[str, Path]:
    url = url or f"sqlite:///{tmp_path / f'{name}.db'}"
    instance_dir = tmp_path / f"{instance or name}-instance"
    code = generate.main(
        [
            "--database",
            url,
            "--projects",
            str(PROJECTS),
            "--seed",
            str(seed),
            "--today",
            "2026-11-30",
            "--instance",
            str(instance_dir),
        ]
    )
    assert code == 0  # the generator's own `audit verify` found the chain intact
    return url, instance_dir


def _counts(url: str) -> dict[str, int]:
    engine = sa.create_engine(url)
    names = [
        "projects",
        "ip_assets",
        "ndas",
        "advisory_sessions",
        "risk_reviews",
        "transfer_requests",
        "audit_events",
        "search_entries",
        "zones",
        "organizations",
    ]
    with engine.connect() as conn:
        out = {n: conn.execute(sa.text(f"SELECT count(*) FROM {n}")).scalar_one() for n in names}
        out["head"] = conn.execute(sa.text("SELECT seq FROM audit_head")).scalar_one()
        fts = (
            "SELECT count(*) FROM search_entries_fts"
            if conn.dialect.name == "sqlite"
            else "SELECT count(*) FROM search_entries WHERE fts_document IS NOT NULL"
        )
        out["fts"] = conn.execute(sa.text(fts)).scalar_one()
        # SQLite's word indexes of part of the entries, one row of sizes per entry held: the
        # asset entries' (migration 0036) and every entry's but advice (migration 0037); on
        # PostgreSQL the entries themselves (partial GIN indexes hold them)
        parts = {
            "asset": "kind = 'asset' OR record_type = 'filing'",
            "open": f"action <> '{search.OPEN_HIDDEN}'",
        }
        for name, condition in parts.items():
            entries = f"SELECT count(*) FROM search_entries WHERE {condition}"
            out[f"{name}_entries"] = conn.execute(sa.text(entries)).scalar_one()
            sizes = f"SELECT count(*) FROM search_entries_fts_{name}_docsize"
            sqlite = conn.dialect.name == "sqlite"
            out[f"{name}_fts"] = (
                conn.execute(sa.text(sizes)).scalar_one() if sqlite else out[f"{name}_entries"]
            )
        macs = conn.execute(sa.text("SELECT mac FROM audit_head")).scalar_one()
    engine.dispose()
    out["head_mac"] = macs
    return out


def test_generated_database_keeps_the_invariants(
    tmp_path: Path, capsys: Any, tmp_path_factory: pytest.TempPathFactory, worker_id: str
) -> None:
    # an empty database of its own (PostgreSQL when the suite runs on it)
    url, instance = _generate(
        tmp_path, "one", url=database_url(tmp_path_factory, worker_id, "bench")
    )
    printed = capsys.readouterr().out
    assert "audit verify: intact (4,000 events)" in printed
    assert "lawyer1@bench.example" in printed
    counts = _counts(url)
    assert counts["projects"] == PROJECTS
    assert counts["ip_assets"] == 10 * PROJECTS and counts["ndas"] == 2 * PROJECTS
    assert counts["advisory_sessions"] == 3 * PROJECTS and counts["risk_reviews"] == 60
    assert counts["transfer_requests"] == PROJECTS
    assert counts["audit_events"] == counts["head"] == 100 * PROJECTS
    assert counts["zones"] == 4 and counts["organizations"] == 421
    assert counts["search_entries"] == counts["fts"] > 0  # the FTS5 index followed
    assert counts["asset_fts"] == counts["asset_entries"] > 0  # and the asset entries' index
    # and the index without advice, which holds fewer entries than there are
    assert counts["open_fts"] == counts["open_entries"] > 0
    assert counts["open_entries"] < counts["search_entries"]

    app = generate.app_for(url, instance, TESTING=True, RATELIMIT_STORAGE_URI="memory://")
    client = app.test_client()

    def token(email: str) -> str:
        r = client.post("/api/v1/auth/token", json={"email": email, "password": generate.PASSWORD})
        assert r.status_code == 201, r.get_json()
        return str(r.get_json()["token"])

    def get(tok: str, path: str, **query: Any) -> Any:
        r = client.get(path, headers={"Authorization": f"Bearer {tok}"}, query_string=query)
        assert r.status_code == 200, r.get_json()
        return r.get_json()

    admin, lawyer = token("admin@bench.example"), token("lawyer1@bench.example")
    with app.app_context():
        assigned = db.session.execute(
            sa.text(
                "SELECT count(*) FROM project_lawyers WHERE user_id = "
                "(SELECT id FROM users WHERE email = 'lawyer1@bench.example')"
            )
        ).scalar_one()
        code, title = db.session.execute(
            sa.text("SELECT code, title FROM projects WHERE id = 2")
        ).one()
        # the links the policy relies on point at the right kinds of rows
        wrong = {
            "partners": "SELECT count(*) FROM project_partners pp JOIN organizations o "
            "ON o.id = pp.organization_id WHERE o.kind != 'partner'",
            "companies": "SELECT count(*) FROM projects p JOIN organizations o "
            "ON o.id = p.company_id WHERE o.kind != 'company'",
            "lawyers": "SELECT count(*) FROM project_lawyers pl JOIN users u "
            "ON u.id = pl.user_id WHERE u.role != 'lawyer'",
            "deciders": "SELECT count(*) FROM transfer_requests t JOIN projects p "
            "ON p.id = t.project_id JOIN users u ON u.id = t.decided_by_id "
            "WHERE u.role != 'operator' OR u.zone_id != p.zone_id",
            "requesters": "SELECT count(*) FROM transfer_requests t JOIN projects p "
            "ON p.id = t.project_id JOIN users u ON u.id = t.requested_by_id "
            "WHERE u.organization_id != p.company_id",
        }
        for name, query in wrong.items():
            assert db.session.execute(sa.text(query)).scalar_one() == 0, name
    assert get(admin, "/api/v1/projects")["total"] == PROJECTS
    assert 0 < get(lawyer, "/api/v1/projects")["total"] == assigned < PROJECTS
    # the project's own Korean word finds it (the index followed the generated rows)
    found = get(admin, "/api/v1/projects", q=title.split()[0], per_page=200)["items"]
    assert code in [p["code"] for p in found] and len(found) < PROJECTS
    assert get(admin, "/api/v1/projects", q="module")["total"] > 0

    # the chain is the app's: editing one event is caught by the app's verify
    with app.app_context():
        db.session.execute(sa.text("UPDATE audit_events SET action = 'x' WHERE seq = 17"))
        db.session.commit()
        from tracker import keys
        from tracker.audit.verify import verify_chain

        result = verify_chain(keys.require(app).audit_key, None)
        assert result.problem is not None and result.problem.seq == 17
        db.session.remove()
        db.engine.dispose()


def test_deterministic_for_a_seed(tmp_path: Path) -> None:
    # the same key file (instance) for a and b: the whole chain must come out the same
    a = _counts(_generate(tmp_path, "a", instance="shared")[0])
    b = _counts(_generate(tmp_path, "b", instance="shared")[0])
    c = _counts(_generate(tmp_path, "c", seed=8, instance="shared")[0])
    assert a == b
    assert c["head_mac"] != a["head_mac"]
    engines = [sa.create_engine(f"sqlite:///{tmp_path / f'{n}.db'}") for n in "abc"]
    query = sa.text("SELECT code, title, company_id, zone_id FROM projects ORDER BY id")
    rows = []
    for engine in engines:
        with engine.connect() as conn:
            rows.append(conn.execute(query).all())
        engine.dispose()
    assert rows[0] == rows[1] != rows[2]
