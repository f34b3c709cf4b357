"""`flask --app tracker audit verify | checkpoint`."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from tracker import keys
from tracker.audit.verify import tail, verify_chain, write_checkpoint


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
@click.option(
    "--strict",
    is_flag=True,
    help="Also fail when there is no checkpoint, or the events after the last one are more "
    "or older than TRACKER_AUDIT_CHECKPOINT_EVERY_EVENTS / _EVERY_MINUTES allow.",
)
@with_appcontext
def verify_command(strict: bool) -> None:
    """Exit 0 when the chain is intact, else 1 naming the first broken event. Says what the
    last checkpoint leaves unprotected (the events after it can be cut unseen)."""
    path = _checkpoint_path()
    result = verify_chain(_key(), path)
    if result.problem is not None:
        p = result.problem
        where = f" at event {p.seq}" if p.seq is not None else ""
        click.echo(f"audit chain BROKEN ({p.kind}){where}: {p.message}", err=True)
        raise SystemExit(1)
    click.echo(f"audit chain intact: {result.events} events, head {result.head_seq}")
    unprotected = tail(result, path)
    cp = unprotected.checkpoint
    if unprotected.foreign:
        click.echo(_foreign(path, unprotected.foreign, alone=cp is None))
    if cp is None:
        click.echo(
            f"no checkpoint: the {unprotected.events_after} events could be cut unseen "
            "(run `flask --app tracker audit checkpoint`)"
        )
    else:
        age = (
            f", {int(unprotected.age.total_seconds() // 60)} minutes ago" if unprotected.age else ""
        )
        click.echo(
            f"last checkpoint: event {cp.seq} at {cp.at}{age}; "
            f"{unprotected.events_after} events after it are not yet checkpointed"
        )
    if strict:
        config = current_app.config
        problems = unprotected.problems(
            int(config.get("TRACKER_AUDIT_CHECKPOINT_EVERY_EVENTS") or 0),
            int(config.get("TRACKER_AUDIT_CHECKPOINT_EVERY_MINUTES") or 0),
        )
        if problems:
            click.echo("audit tail unprotected (--strict): " + "; ".join(problems), err=True)
            raise SystemExit(1)


@audit_group.command("checkpoint")
@with_appcontext
def checkpoint_command() -> None:
    """Append the chain head (sequence, MAC, time) to the checkpoint file, after verifying."""
    path = _checkpoint_path()
    if path is None:
        raise click.ClickException("TRACKER_AUDIT_CHECKPOINT_FILE is not set")
    result = verify_chain(_key(), path)
    if result.problem is not None:
        p = result.problem
        click.echo(f"refusing to checkpoint a broken chain ({p.kind} at event {p.seq})", err=True)
        raise SystemExit(1)
    data = write_checkpoint(path, result.head_seq, result.head_mac, result.chain)
    click.echo(f"checkpoint written to {path}: event {data['seq']}")


def _foreign(path: Path | None, count: int, *, alone: bool) -> str:
    """Checkpoints of another trail are a misplaced file (another database's), not tampering."""
    if alone:
        return (
            f"this checkpoint file belongs to another trail: the {count} checkpoints in {path} "
            "name a chain that does not start with this database's event 1, so they protect "
            "nothing here (set TRACKER_AUDIT_CHECKPOINT_FILE to a file of this database's own)"
        )
    return f"{path} also holds {count} checkpoints of another trail (not read for this one)"


commands = [audit_group]
