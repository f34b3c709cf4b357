"""`flask --app tracker keys init` (and, with attachments, `keys rotate`)."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from tracker import keys


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


commands = [keys_cli]
