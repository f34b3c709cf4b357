"""What must hold after every kill, once the server has restarted and the sweeper has run:
every acknowledged write reads back intact, no record is partial, no blob is orphaned or
missing, the audit chain verifies and every stored file decrypts to its hashes."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import sqlalchemy as sa

from tests.security.proofs.crash.harness import Harness
from tests.security.proofs.crash.ledger import Expectation
from tests.security.proofs.crash.records import ACCEPTED

#: (table, audit object type, action, which rows): each such row added by the run has its
#: event, written in the same transaction as the row
EVENTS = (
    ("projects", "project", "project.created", "1 = 1"),
    ("ip_assets", "asset", "asset.created", "1 = 1"),
    ("ndas", "nda", "nda.created", "1 = 1"),
    ("advisory_sessions", "session", "session.recorded", "1 = 1"),
    ("disclosures", "disclosure", "disclosure.filed", "1 = 1"),
    ("disclosures", "disclosure", "disclosure.accepted", "status = 'accepted'"),
    ("disclosures", "disclosure", "disclosure.rejected", "status = 'rejected'"),
    ("transfer_requests", "transfer", "transfer.filed", "1 = 1"),
    ("transfer_requests", "transfer", "transfer.checked", "1 = 1"),
    ("transfer_requests", "transfer", "transfer.decided", "status IN ('approved', 'denied')"),
)
#: (what, SQL listing the ids of partial records)
PARTIAL = (
    (
        "an accepted disclosure without its asset, or an asset on an undecided one",
        "SELECT id FROM disclosures WHERE (status = 'accepted' AND asset_id IS NULL) "
        "OR (status <> 'accepted' AND asset_id IS NOT NULL)",
    ),
    (
        "a disclosure's asset missing or in another project",
        "SELECT d.id FROM disclosures d LEFT JOIN ip_assets a ON a.id = d.asset_id "
        "WHERE d.asset_id IS NOT NULL AND (a.id IS NULL OR a.project_id <> d.project_id)",
    ),
    (
        "an asset made by an acceptance without its accepted disclosure",
        f"SELECT a.id FROM ip_assets a WHERE a.title LIKE '{ACCEPTED} %' AND NOT EXISTS "  # noqa: S608
        "(SELECT 1 FROM disclosures d WHERE d.asset_id = a.id AND d.status = 'accepted')",
    ),
    (
        "a decided transfer without who decided and when",
        "SELECT id FROM transfer_requests WHERE status IN ('approved', 'denied') "
        "AND (decided_by_id IS NULL OR decided_at IS NULL OR decision_checks IS NULL)",
    ),
    (
        "a transfer.decided event of a transfer that is not decided",
        "SELECT e.object_id FROM audit_events e LEFT JOIN transfer_requests t "
        "ON t.id = e.object_id WHERE e.action = 'transfer.decided' "
        "AND (t.id IS NULL OR t.status NOT IN ('approved', 'denied'))",
    ),
    (
        "a disclosure.accepted event of a disclosure that is not accepted",
        "SELECT e.object_id FROM audit_events e LEFT JOIN disclosures d ON d.id = e.object_id "
        "WHERE e.action = 'disclosure.accepted' AND (d.id IS NULL OR d.status <> 'accepted')",
    ),
    (
        "a file version that is not ready (a half-written upload)",
        "SELECT id FROM attachment_versions WHERE state <> 'ready'",
    ),
    (
        "a file whose versions are not exactly 1..its current version",
        "SELECT a.id FROM attachments a LEFT JOIN attachment_versions v "
        "ON v.attachment_id = a.id GROUP BY a.id, a.current_version "
        "HAVING a.current_version < 1 OR COUNT(v.id) <> a.current_version "
        "OR MAX(v.number) <> a.current_version",
    ),
)


#: how many of the records re-read after a kill were acknowledged before the previous one
#: (every record is re-read once more at the end)
SAMPLE = 25


def after_restart(h: Harness) -> tuple[list[str], str]:
    """Sweep (grace 0: nothing is in flight), then every check; (problems, the sweep's
    report). Re-reads the records acknowledged or changed since the last kill and SAMPLE
    others."""
    code, swept = h.command("attachments", "sweep", "--grace-seconds", "0")
    problems = [] if code == 0 else [f"`attachments sweep` exited {code}: {swept}"]
    problems += acknowledged(h, h.ledger.due(h.rng, SAMPLE))
    with h.engine.connect() as conn:
        problems += partial_records(conn)
        problems += missing_events(conn, h.baseline)
        problems += blobs(conn, h)
    for command in (("audit", "verify"), ("attachments", "verify")):
        code, out = h.command(*command)
        if code != 0:
            problems.append(f"`flask {' '.join(command)}` exited {code}: {out.strip()[-500:]}")
    return problems, swept.strip()


def unsealed(h: Harness) -> int:
    """Committed audit events not yet sealed into the chain."""
    with h.engine.connect() as conn:
        query = "SELECT count(*) FROM audit_events WHERE seq IS NULL"
        return int(conn.execute(sa.text(query)).scalar_one())


def all_sealed(h: Harness) -> list[str]:
    """After a kill between commit and seal and the checks: every event has its place."""
    left = unsealed(h)
    return [f"{left} audit events still unsealed"] if left else []


def acknowledged(h: Harness, records: list[tuple[tuple[str, Any], Expectation]]) -> list[str]:
    """Acknowledged writes, read back over the API by the role that wrote them."""
    problems = []
    for (kind, ident), expected in records:
        status, answer = h.call(expected.role, "GET", expected.path)
        if status != 200:
            problems.append(f"{kind} {ident}: acknowledged, now answers {status}")
            continue
        if expected.sha256 is not None:
            if hashlib.sha256(answer).hexdigest() != expected.sha256:
                problems.append(f"{kind} {ident}: the content differs from the acknowledged")
            continue
        for name, allowed in expected.fields.items():
            if allowed is not None and _plain(answer.get(name)) not in map(_plain, allowed):
                problems.append(
                    f"{kind} {ident}: {name} reads {answer.get(name)!r}, acknowledged {allowed!r}"
                )
    return problems


def _plain(value: Any) -> Any:
    return sorted(value) if isinstance(value, list) else value


def partial_records(conn: sa.Connection) -> list[str]:
    problems = []
    for what, query in PARTIAL:
        ids = [row[0] for row in conn.execute(sa.text(query))]
        if ids:
            problems.append(f"partial records: {what}: {ids[:10]}")
    return problems


def missing_events(conn: sa.Connection, baseline: dict[str, int]) -> list[str]:
    """Rows the run added without their audit events, and uploads either way round."""
    problems = []
    for table, object_type, action, which in EVENTS:
        query = (
            f"SELECT t.id FROM {table} t WHERE t.id > :base AND {which} AND NOT EXISTS "  # noqa: S608
            "(SELECT 1 FROM audit_events e WHERE e.object_type = :type "
            "AND e.object_id = t.id AND e.action = :action)"
        )
        params = {"base": baseline[table], "type": object_type, "action": action}
        ids = [row[0] for row in conn.execute(sa.text(query), params)]
        if ids:
            problems.append(f"{table} without their {action} event: {ids[:10]}")
    versions = {
        (a, n): i
        for i, a, n in conn.execute(
            sa.text("SELECT id, attachment_id, number FROM attachment_versions")
        )
    }
    events = set()
    for object_id, detail in conn.execute(
        sa.text("SELECT object_id, detail FROM audit_events WHERE action = 'attachment.uploaded'")
    ):
        detail = json.loads(detail) if isinstance(detail, str) else detail
        events.add((object_id, detail["version"]))
    unaudited = [
        k for k, i in versions.items() if i > baseline["attachment_versions"] and k not in events
    ]
    if unaudited:
        problems.append(f"file versions without their upload event: {unaudited[:10]}")
    if events - set(versions):
        problems.append(
            f"upload events of versions that are gone: {sorted(events - set(versions))[:10]}"
        )
    return problems


def blobs(conn: sa.Connection, h: Harness) -> list[str]:
    """The blob store holds exactly the blobs of the version rows, and no temporary file."""
    rows = {row[0] for row in conn.execute(sa.text("SELECT blob_name FROM attachment_versions"))}
    stored = {p.name for p in h.blobs.glob("??/*") if p.is_file()}
    temporary = [p.name for p in (h.blobs / "tmp").iterdir()] if (h.blobs / "tmp").exists() else []
    problems = []
    if stored - rows:
        problems.append(f"orphan blobs (no row): {sorted(stored - rows)[:5]}")
    if rows - stored:
        problems.append(f"rows whose blob is missing: {sorted(rows - stored)[:5]}")
    if temporary:
        problems.append(f"temporary files left after the sweep: {temporary[:5]}")
    return problems


def controls(h: Harness) -> tuple[int, list[str]]:
    """At the end, break the deployment on purpose in each way the checks look for: each check
    must report its defect, so the proof cannot pass by looking at nothing. Returns (checks
    asked, those that reported nothing)."""
    stray = h.blobs / "ff" / ("f" * 32)  # a blob no row knows
    stray.parent.mkdir(exist_ok=True)
    stray.write_bytes(b"stray")
    tables = {"project": "projects", "disclosure": "disclosures"}
    lost = next(r for r in h.ledger.due(h.rng, None) if r[0][0] in tables)
    with h.engine.begin() as conn:
        conn.execute(  # an acknowledged write lost
            sa.text(f"UPDATE {tables[lost[0][0]]} SET title = 'lost' WHERE id = :id"),  # noqa: S608
            {"id": lost[0][1]},
        )
        conn.execute(  # an acceptance without its asset
            sa.text(
                "UPDATE disclosures SET asset_id = NULL WHERE id = "
                "(SELECT MAX(id) FROM disclosures WHERE status = 'accepted')"
            )
        )
        conn.execute(  # a decision without its event (and a gap in the chain)
            sa.text(
                "DELETE FROM audit_events WHERE id = "
                "(SELECT MAX(id) FROM audit_events WHERE action = 'transfer.decided')"
            )
        )
    with h.engine.connect() as conn:
        found = {
            "orphan blob": blobs(conn, h),
            "lost write": acknowledged(h, [lost]),
            "partial acceptance": partial_records(conn),
            "decision without its event": missing_events(conn, h.baseline),
            "broken chain": [out for code, out in [h.command("audit", "verify")] if code != 0],
        }
    return len(found), [name for name, problems in found.items() if not problems]
