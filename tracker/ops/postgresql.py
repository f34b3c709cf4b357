"""PostgreSQL: `pg_dump --format=custom` on an exported snapshot, `pg_restore --clean`."""

from __future__ import annotations

import glob
import os
import shutil

# pg_dump / pg_restore are run with argument lists, never through a shell
import subprocess  # nosec B404
from pathlib import Path

import sqlalchemy as sa

from tracker.ops.errors import BackupError
from tracker.ops.files import create_private
from tracker.ops.snapshot import Snapshot, database_url, read_snapshot

#: the dump's name in a backup folder
DUMP_FILE = "database.dump"


def libpq_url(url: sa.engine.URL) -> tuple[str, dict[str, str]]:
    """The SQLAlchemy URL as a libpq connection URI without the password, and the environment
    carrying the password (never on a command line, where `ps` shows it)."""
    env = {}
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    plain = sa.engine.URL.create(
        "postgresql", url.username, None, url.host, url.port, url.database, url.query
    )
    return plain.render_as_string(hide_password=False), env


def pg_tool(name: str) -> str:
    """pg_dump / pg_restore: on PATH, else the newest Debian cluster's binaries."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if candidates:
        return candidates[-1]
    raise BackupError(f"{name} is not installed (PostgreSQL client tools are needed)")


def _run(args: list[str], env: dict[str, str]) -> None:
    # a fixed tool path and an argument list, never a shell
    done = subprocess.run(  # noqa: S603  # nosec B603
        args, env={**os.environ, **env}, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        # pg_* errors name objects, not row values; keep only the last lines
        tail = "\n".join(done.stderr.strip().splitlines()[-5:])
        raise BackupError(f"{Path(args[0]).name} failed ({done.returncode}): {tail}")


def dump(target: Path) -> Snapshot:
    """pg_dump on a snapshot exported from a read-only REPEATABLE READ transaction, in which
    the counts and blob names are read too: they describe exactly the dump."""
    from tracker.db import db

    url, env = libpq_url(database_url())
    os.close(create_private(target / DUMP_FILE))  # pg_dump writes into it: mode 0600
    with db.engine.connect() as conn:
        conn = conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            conn.exec_driver_sql("SET TRANSACTION READ ONLY")
            snapshot_id = conn.execute(sa.text("SELECT pg_export_snapshot()")).scalar_one()
            args = [
                pg_tool("pg_dump"),
                "--format=custom",
                f"--snapshot={snapshot_id}",
                f"--file={target / DUMP_FILE}",
                f"--dbname={url}",
            ]
            _run(args, env)
            return read_snapshot(conn)


def restore(dump_path: Path) -> None:
    """Replace the configured database's tables by the dump's, in one transaction."""
    url, env = libpq_url(database_url())
    args = [
        pg_tool("pg_restore"),
        "--no-owner",
        "--no-privileges",
        "--clean",
        "--if-exists",
        "--single-transaction",
        "--exit-on-error",
        f"--dbname={url}",
        str(dump_path),
    ]
    _run(args, env)
