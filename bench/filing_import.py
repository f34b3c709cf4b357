"""Importing a 1,000-row docket: ``python -m bench.filing_import [--database URL] [--rows 1000]
[--baseline 50]``.

Drives ``POST /api/v1/projects/{id}/filings/import`` in-process (Flask's test client, a lawyer's
bearer token) on a fresh database (SQLite in a temporary folder unless ``--database`` names an
empty one, migrated first): the dry run, then the import, of a generated docket of families of
five filings (KR first filing, PCT, US, EP and CN national phases). The baseline, in the same
run and on the same database, is the same filings entered one by one through ``POST
/api/v1/assets/{id}/filings`` (``--baseline`` of them, scaled per filing). Prints one table:
wall-clock and CPU seconds (the CPU figure holds on a shared machine), rows per CPU second
and the ratio of each to the one-by-one entry. Not a test: the
figures depend on the machine (docs/performance.md keeps the measured ones).
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import tempfile
import time
from pathlib import Path
from typing import Any

HEADER = (
    "asset_title,asset_kind,office,route,application_no,parent_application_no,filed_on,"
    "priority_on,registered_on,status"
)


def docket(rows: int) -> bytes:
    """`rows` filings as families of five: KR first, PCT, and US, EP, CN national phases."""
    lines = [HEADER]
    start = dt.date(2019, 1, 7)
    family = 0
    while len(lines) - 1 < rows:
        family += 1
        first = start + dt.timedelta(days=family % 900)
        pct = first + dt.timedelta(days=360)
        title = f"Invention {family:05d}"
        kr, wo = f"10-2019-{family:07d}", f"PCT/KR2020/{family:06d}"
        lines.append(
            f"{title},patent,KR,first,{kr},,{first},,{first.replace(year=2021)},registered"
        )
        lines.append(f"{title},patent,WO,pct,{wo},{kr},{pct},{first},,pending")
        for office in ("US", "EP", "CN"):
            number = f"{office}-{family:07d}"
            lines.append(
                f"{title},patent,{office},national_phase,{number},{wo},{pct},{first},,pending"
            )
    return ("\n".join(lines[: rows + 1]) + "\n").encode()


def _app(url: str | None, workdir: Path) -> Any:
    os.environ["TRACKER_INSTANCE_PATH"] = str(workdir / "instance")
    from tracker import create_app, keys

    app = create_app(
        {
            "TRACKER_ENV": "testing",
            "SQLALCHEMY_DATABASE_URI": url or f"sqlite:///{workdir / 'bench.db'}",
            "SECRET_KEY": "bench-only-secret-key",
            "TRACKER_KEY_FILE": str(workdir / "instance" / "keys.json"),
            "TRACKER_BLOB_DIR": str(workdir / "instance" / "blobs"),
            "TRACKER_AUDIT_CHECKPOINT_FILE": str(workdir / "instance" / "checkpoint.json"),
            "TRACKER_AUDIT_CHECKPOINT_EVERY_EVENTS": 0,
            "TRACKER_AUDIT_CHECKPOINT_EVERY_MINUTES": 0,
            "RATELIMIT_STORAGE_URI": "memory://",
            "ARGON2_TIME_COST": 1,
            "ARGON2_MEMORY_KIB": 8,
            "ARGON2_PARALLELISM": 1,
            # a measuring rig: its lawyer works with a token alone (no second factor)
            "TRACKER_MFA_ROLES": "",
        }
    )
    keys.require(app)
    return app


def _world(app: Any) -> tuple[int, str]:
    """A project with its lawyer; the project's id and the lawyer's bearer token."""
    import flask_migrate

    from tracker.auth import service as auth_service
    from tracker.auth.models import Organization, User, Zone
    from tracker.cases.projects.models import Project
    from tracker.db import db

    with app.app_context():
        flask_migrate.upgrade(directory=str(Path(__file__).parent.parent / "migrations"))
        lawyer = User(email="bench-lawyer@example.test", name="Bench lawyer", role="lawyer",
                      password_hash="x", locale="en")  # fmt: skip
        project = Project(
            code="BENCH-1",
            title="Docket import",
            zone=Zone(code="BZ", name_en="Bench zone", name_ko="벤치 특구"),
            company=Organization(name="Bench company", kind="company", country="KR"),
        )
        project.partners = [Organization(name="Bench partner", kind="partner", country="DE")]
        project.lawyers = [lawyer]
        db.session.add_all([lawyer, project])
        db.session.flush()
        token, _row = auth_service.issue_token(lawyer)
        db.session.commit()
        return project.id, token


def _post_file(
    client: Any, token: str, project_id: int, data: bytes, query: str
) -> tuple[float, float]:
    """The request's wall-clock and CPU seconds (the CPU figure holds on a shared machine)."""
    began, cpu = time.perf_counter(), time.process_time()
    r = client.post(
        f"/api/v1/projects/{project_id}/filings/import{query}",
        data={"file": (io.BytesIO(data), "docket.csv")},
        content_type="multipart/form-data",
        headers={"Authorization": f"Bearer {token}"},
    )
    took = (time.perf_counter() - began, time.process_time() - cpu)
    if r.status_code != 200:
        raise SystemExit(f"import answered {r.status_code}: {r.get_data()[:300]!r}")
    return took


def _one_by_one(client: Any, token: str, project_id: int, count: int) -> tuple[float, float]:
    """`count` filings entered through the filings API (families of five, as in the docket):
    wall-clock and CPU seconds per filing."""
    auth = {"Authorization": f"Bearer {token}"}
    began, cpu = time.perf_counter(), time.process_time()
    made = 0
    family = 0
    while made < count:
        family += 1
        r = client.post(
            f"/api/v1/projects/{project_id}/assets",
            json={"title": f"Baseline {family}", "kind": "patent", "sensitivity": "confidential",
                  "jurisdictions": ["KR", "WO", "US", "EP", "CN"]},
            headers=auth,
        )  # fmt: skip
        asset = r.get_json()["id"]
        first = {"office": "KR", "route": "first", "filed_on": "2019-01-07"}
        kr = client.post(f"/api/v1/assets/{asset}/filings", json=first, headers=auth).get_json()
        pct_body = {"office": "WO", "route": "pct", "parent_id": kr["id"], "filed_on": "2020-01-02"}
        pct = client.post(f"/api/v1/assets/{asset}/filings", json=pct_body, headers=auth)
        made += 2
        for office in ("US", "EP", "CN"):
            body = {"office": office, "route": "national_phase", "parent_id": pct.get_json()["id"],
                    "filed_on": "2020-01-02"}  # fmt: skip
            r = client.post(f"/api/v1/assets/{asset}/filings", json=body, headers=auth)
            if r.status_code != 201:
                raise SystemExit(f"baseline answered {r.status_code}: {r.get_data()[:300]!r}")
            made += 1
    return (time.perf_counter() - began) / made, (time.process_time() - cpu) / made


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--database", default=None, help="an empty database (default: SQLite)")
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--baseline", type=int, default=50, help="filings entered one by one")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="tracker-bench-import-") as tmp:
        app = _app(args.database, Path(tmp))
        project_id, token = _world(app)
        client = app.test_client()
        data = docket(args.rows)
        per_filing = _one_by_one(client, token, project_id, args.baseline)
        dry = _post_file(client, token, project_id, data, "?dry_run=true")
        real = _post_file(client, token, project_id, data, "")
    baseline = (per_filing[0] * args.rows, per_filing[1] * args.rows)
    print(f"docket import, {args.rows:,} rows ({len(data) / 1024:.0f} KiB CSV), "
          f"{args.database or 'SQLite'}; load average {os.getloadavg()[0]:.1f}")  # fmt: skip
    print(f"{'':<34}{'wall s':>8}{'CPU s':>8}{'rows/CPU s':>12}{'vs one by one (CPU)':>21}")
    for name, (wall, cpu) in (
        (f"one by one (API, {args.baseline} measured)", baseline),
        ("import, dry run", dry),
        ("import", real),
    ):
        print(
            f"{name:<34}{wall:>8.2f}{cpu:>8.2f}{args.rows / cpu:>12.0f}{baseline[1] / cpu:>20.1f}x"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
