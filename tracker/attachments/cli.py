"""`flask --app tracker keys init|rotate` and `flask --app tracker attachments sweep|verify`."""

from __future__ import annotations

import contextlib
import fcntl
import secrets
from collections.abc import Iterator
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from tracker import keys
from tracker.attachments import maintenance
from tracker.attachments.service import key_ring
from tracker.audit.service import record
from tracker.auth.totp import reseal_totp_secrets
from tracker.db import db
from tracker.sealing import rewrap_project_keys


@click.group("keys", help="Manage the key file (KEKs and the audit key).")
def keys_cli() -> None:
    pass


@keys_cli.command("init")
@click.option(
    "--path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Where to write the key file (default: TRACKER_KEY_FILE).",
)
@with_appcontext
def init_keys(path: Path | None) -> None:
    """Write a new key file (mode 0600) with a KEK and the audit key; never overwrites."""
    target = path or Path(current_app.config["TRACKER_KEY_FILE"])
    try:
        keys.write(keys.generate(), target)
    except keys.KeyFileError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Wrote a new key file to {target} (mode 0600). Back it up apart from the database.")


@keys_cli.command("rotate")
@click.option(
    "--resume",
    is_flag=True,
    help="Do not add a new KEK; finish re-wrapping under the active one (after an interruption).",
)
@with_appcontext
def rotate_keys(resume: bool) -> None:
    """Add a new KEK, make it active and re-wrap every attachment's data key and every
    project's sealed-text key under it (TOTP seeds are re-sealed).

    The content is not re-encrypted. Resumable: rows are re-wrapped in committed batches, and
    `--resume` (or simply running it again) finishes the job. Never prints key material.
    """
    path = Path(current_app.config["TRACKER_KEY_FILE"])
    with _rotation_lock(path):
        _rotate(path, resume)


@contextlib.contextmanager
def _rotation_lock(key_file: Path) -> Iterator[None]:
    """One rotation at a time: two would each write the key file with their own new KEK, and
    the rows the loser re-wrapped would be wrapped under a KEK no longer in the file."""
    with open(key_file.with_name(key_file.name + ".lock"), "a") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise click.ClickException(
                "Another `keys rotate` is running on this key file; nothing was changed."
            ) from None
        yield


def _rotate(path: Path, resume: bool) -> None:

    ring = key_ring()  # read under the lock: the key file as the last rotation left it
    if not resume:
        kid = keys.new_kek_id()
        ring.keks[kid] = secrets.token_bytes(32)
        ring.active_kek_id = kid
        keys.write(ring, path, overwrite=True)  # the new key is on disk before any row uses it
        click.echo(f"Added KEK {kid} to {path} and made it active.")
    failures: list[tuple[int, str]] = []
    try:
        count = maintenance.rewrap_all(ring, failures=failures)
    except BaseException:
        db.session.rollback()
        remaining = maintenance.old_key_rows(ring)
        click.echo(f"Interrupted; rows still using an old key: {remaining}.", err=True)
        click.echo("Run `flask --app tracker keys rotate --resume` to finish.", err=True)
        raise
    totp_resealed, totp_remaining = reseal_totp_secrets()  # TOTP seeds are sealed by KEKs too
    projects, projects_remaining, project_failures = rewrap_project_keys(db.session)
    if projects:
        record("keys.project_keys_rewrapped", detail={"count": projects}, actor_id=None)
    remaining = maintenance.old_key_rows(ring) + totp_remaining + projects_remaining
    db.session.commit()
    for version_id, problem in failures:
        click.echo(f"attachment version {version_id}: not re-wrapped: {problem}", err=True)
    click.echo(f"Re-wrapped data keys: {count}.")
    for project_id in project_failures:
        click.echo(f"project {project_id}: its sealed-text key did not unwrap", err=True)
    click.echo(f"Re-sealed TOTP seeds: {totp_resealed}.")
    click.echo(f"Re-wrapped project keys (sealed text): {projects}.")
    click.echo(f"Rows still using an old key: {remaining}.")
    if remaining:
        raise SystemExit(1)


@click.group("attachments", help="Maintain the encrypted file store.")
def attachments_cli() -> None:
    pass


@attachments_cli.command("sweep")
@click.option(
    "--grace-seconds",
    type=click.FloatRange(min=0),
    default=None,
    help="Leave uploads younger than this alone (default: one hour).",
)
@with_appcontext
def sweep_command(grace_seconds: float | None) -> None:
    """Remove temporary files, rows that never became ready and blobs without a row."""

    report = maintenance.sweep(
        maintenance.DEFAULT_GRACE_SECONDS if grace_seconds is None else grace_seconds
    )
    click.echo(
        f"Removed {report.temporary_files} temporary files, {report.pending_rows} unfinished "
        f"rows, {report.orphan_blobs} orphan blobs."
    )


@attachments_cli.command("verify")
@with_appcontext
def verify_command() -> None:
    """Check that every ready blob decrypts and matches its hashes; exit 1 naming any that
    do not."""

    report = maintenance.verify()
    for version_id, problem in report.failures:
        click.echo(f"attachment version {version_id}: {problem}", err=True)
    click.echo(f"Checked {report.checked} versions, {len(report.failures)} failed.")
    if report.failures:
        raise SystemExit(1)


commands = [keys_cli, attachments_cli]
