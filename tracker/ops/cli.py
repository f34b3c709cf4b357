"""`flask --app tracker backup DIR` and `flask --app tracker restore DIR [--force]`."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from tracker.ops import backup as ops
from tracker.ops.errors import BackupError
from tracker.ops.manifest import KEYS_NOTE


@click.command("backup")
@click.argument("target", type=click.Path(file_okay=False, path_type=Path))
@with_appcontext
def backup_command(target: Path) -> None:
    """Write a consistent backup (database, blobs, manifest) into TARGET, a new or empty
    folder. The key file is not included: back it up separately."""
    try:
        manifest = ops.backup(target)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    rows = sum(manifest["row_counts"].values())
    click.echo(
        f"Backup written to {target}: {manifest['database']['dialect']} database at revision "
        f"{manifest['alembic_revision']}, {rows} rows in {len(manifest['row_counts'])} tables, "
        f"{manifest['blob_count']} blobs, {len(manifest['files'])} files hashed."
    )
    click.echo(KEYS_NOTE)


@click.command("restore")
@click.argument("source", type=click.Path(file_okay=False, exists=True, path_type=Path))
@click.option("--force", is_flag=True, help="Replace a database (or blob folder) holding data.")
@with_appcontext
def restore_command(source: Path, force: bool) -> None:
    """Restore the backup in SOURCE into the configured database and blob folder, after
    checking every file against the manifest. The key file must be in place already."""
    try:
        report = ops.restore(source, force=force)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(
        f"Restored {sum(report.row_counts.values())} rows in {len(report.row_counts)} tables "
        f"and {report.blobs} blobs; schema at revision {report.revision}."
    )
    failed = False
    if report.count_mismatches:
        click.echo(f"row counts differ from the manifest: {report.count_mismatches}", err=True)
        failed = True
    if not report.at_head:
        click.echo(
            "the schema is not at the migrations' head: run `flask --app tracker db upgrade`",
            err=True,
        )
        failed = True
    if failed:
        raise SystemExit(1)
    click.echo("Next: `flask --app tracker attachments verify` and `audit verify`.")


commands = [backup_command, restore_command]
