"""`flask --app tracker audit verify | checkpoint`."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from tracker import keys
from tracker.audit.verify import verify_chain, write_checkpoint


def _checkpoint_path() -> Path | None:
    value = current_app.config.get("TRACKER_AUDIT_CHECKPOINT_FILE")
    return Path(value) if value else None


def _key() -> bytes:
    key: bytes = keys.current().audit_key
    return key


@click.group("audit", help="Check and checkpoint the audit trail.")
def audit_group() -> None:
    pass


@audit_group.command("verify")
@with_appcontext
def verify_command() -> None:
    """Exit 0 when the chain is intact, else 1 naming the first broken event."""
    result = verify_chain(_key(), _checkpoint_path())
    if result.problem is None:
        click.echo(f"audit chain intact: {result.events} events, head {result.head_seq}")
        return
    p = result.problem
    where = f" at event {p.seq}" if p.seq is not None else ""
    click.echo(f"audit chain BROKEN ({p.kind}){where}: {p.message}", err=True)
    raise SystemExit(1)


@audit_group.command("checkpoint")
@with_appcontext
def checkpoint_command() -> None:
    """Write the chain head (sequence, MAC, time) outside the database, after verifying."""
    path = _checkpoint_path()
    if path is None:
        raise click.ClickException("TRACKER_AUDIT_CHECKPOINT_FILE is not set")
    result = verify_chain(_key(), path)
    if result.problem is not None:
        p = result.problem
        click.echo(f"refusing to checkpoint a broken chain ({p.kind} at event {p.seq})", err=True)
        raise SystemExit(1)
    data = write_checkpoint(path, result.head_seq, result.head_mac)
    click.echo(f"checkpoint written to {path}: event {data['seq']}")


commands = [audit_group]
