"""`flask --app tracker audit verify | checkpoint`."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from tracker import keys
from tracker.audit import service
from tracker.audit.verify import tail, verify_chain, write_checkpoint
from tracker.db import db


def _checkpoint_path() -> Path | None:
    value = current_app.config.get("TRACKER_AUDIT_CHECKPOINT_FILE")
    return Path(value) if value else None


def _key() -> bytes:
    key: bytes = keys.current().audit_key
    return key


@click.group("audit", help="Check, seal and checkpoint the audit trail.")
def audit_group() -> None:
    pass


def _seal() -> int:
    """Seal the committed events still waiting (a killed process's), waiting for the lock;
    name those that cannot be sealed (no valid pending MAC: not written by the app)."""
    done = service.seal()
    db.session.commit()
    if done.refused:
        ids = ", ".join(str(i) for i in done.refused[:20])
        click.echo(
            f"{len(done.refused)} unsealed events were not written with the audit key and are "
            f"left out of the chain (ids {ids})",
            err=True,
        )
    return done.count


@audit_group.command("seal")
@with_appcontext
def seal_command() -> None:
    """Give every committed, unsealed event its place in the chain (the app does it itself
    after each write; this covers a process killed between its commit and the seal)."""
    sealed = _seal()
    click.echo(f"{sealed} events sealed")


@audit_group.command("verify")
@click.option(
    "--strict",
    is_flag=True,
    help="Also fail when there is no checkpoint, or the events after the last one are more "
    "or older than TRACKER_AUDIT_CHECKPOINT_EVERY_EVENTS / _EVERY_MINUTES allow.",
)
@click.option(
    "--no-seal",
    is_flag=True,
    help="Do not seal the events waiting to be sealed first; only count them.",
)
@with_appcontext
def verify_command(strict: bool, no_seal: bool) -> None:
    """Seal what waits to be sealed, then exit 0 when the chain is intact, else 1 naming the
    first broken event. Says what the last checkpoint leaves unprotected (the events after it
    can be cut unseen) and how many events are not sealed."""
    path = _checkpoint_path()
    sealed = 0 if no_seal else _seal()
    result = verify_chain(_key(), path)
    if result.problem is not None:
        p = result.problem
        where = f" at event {p.seq}" if p.seq is not None else ""
        click.echo(f"audit chain BROKEN ({p.kind}){where}: {p.message}", err=True)
        raise SystemExit(1)
    click.echo(f"audit chain intact: {result.events} events, head {result.head_seq}")
    if sealed:
        click.echo(f"{sealed} events were waiting to be sealed and are sealed now")
    if result.unsealed:
        click.echo(
            f"{result.unsealed} events are not sealed (not part of the chain checked); "
            "`flask --app tracker audit seal` seals them, or names those it cannot"
        )
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
    """Seal what waits, then append the chain head (sequence, MAC, time) to the checkpoint
    file, after verifying."""
    path = _checkpoint_path()
    if path is None:
        raise click.ClickException("TRACKER_AUDIT_CHECKPOINT_FILE is not set")
    _seal()
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
