"""`flask --app tracker notify` and `flask --app tracker deadlines rederive`."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from tracker import clock
from tracker.cases.assets import derived
from tracker.db import db
from tracker.deadlines import mail, notify


@click.command("notify")
@with_appcontext
def notify_command() -> None:
    """E-mail each active user today's digest (once a day). Exit 1 when a delivery failed
    (it is retried on the next run), 2 when the mail settings are missing or wrong."""
    try:
        settings = mail.settings_from_config(current_app.config)
    except mail.MailConfigError as exc:
        click.echo(f"notify: {exc}", err=True)
        raise SystemExit(2) from None
    base = current_app.config.get("TRACKER_BASE_URL")
    if not base:
        click.echo("notify: TRACKER_BASE_URL is not set (the digest links need it).", err=True)
        raise SystemExit(2)
    with current_app.test_request_context(base_url=str(base)):
        outcome = notify.run(clock.today(), settings, db.session.commit, echo=click.echo)
    click.echo(
        f"notify: {len(outcome.sent)} sent, {len(outcome.failed)} failed, "
        f"{outcome.skipped} with nothing new"
    )
    if outcome.failed:
        raise SystemExit(1)


@click.group("deadlines", help="Deadlines derived by the docketing rules.")
def deadlines_group() -> None:
    pass


@deadlines_group.command("rederive")
@with_appcontext
def rederive_command() -> None:
    """Re-derive the deadlines of assets docketed with an older rules version (or never):
    run after an upgrade or a change of docketing_rules.json."""
    count = derived.rederive_stale()
    db.session.commit()
    click.echo(f"re-derived the deadlines of {count} assets")


commands = [notify_command, deadlines_group]
