"""`flask --app tracker users create ...`"""

from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext

from tracker.auth import accounts
from tracker.auth.models import ROLES
from tracker.db import db
from tracker.errors import InvalidInput


@click.group("users", help="Manage accounts.")
def users_cli() -> None:
    pass


@users_cli.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--name", required=True)
@click.option("--organization", "organization_id", type=int, default=None)
@click.option("--zone", "zone_id", type=int, default=None)
@click.option("--locale", type=click.Choice(["ko", "en"]), default="ko")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@with_appcontext
def create_user(
    email: str,
    role: str,
    name: str,
    organization_id: int | None,
    zone_id: int | None,
    locale: str,
    password_stdin: bool,
) -> None:
    """Create an account (the password is prompted for unless --password-stdin)."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user = accounts.create_user(
            email,
            name,
            role,
            password,
            organization_id=organization_id,
            zone_id=zone_id,
            locale=locale,
        )
    except InvalidInput as exc:
        db.session.rollback()
        for field, messages in exc.errors.items():
            for message in messages:
                click.echo(f"{field}: {message}", err=True)
        raise SystemExit(1) from None
    db.session.commit()
    click.echo(f"Created {user.role} {user.email} (id {user.id}).")


commands = [users_cli]
