"""Operator commands: ``flask --app wsgi <command>``."""

from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext
from marshmallow import ValidationError

from tracker.api.schemas import RegisterSchema
from tracker.errors import Conflict
from tracker.services import accounts


@click.command("create-clinician")
@click.argument("email")
@click.option("--name", required=True, help="The clinician's name as patients will see it.")
@click.option("--timezone", default="Europe/London", show_default=True)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@with_appcontext
def create_clinician(email: str, name: str, timezone: str, password_stdin: bool) -> None:
    """Create a clinician account (clinicians never self-register)."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        values = RegisterSchema().load(
            {"email": email, "password": password, "display_name": name, "timezone": timezone}
        )
    except ValidationError as error:
        for field, messages in error.messages.items():
            click.echo(f"{field}: {' '.join(messages)}", err=True)
        raise SystemExit(2) from None
    try:
        user = accounts.create_user(role="clinician", **values)
    except Conflict as error:
        click.echo(error.detail, err=True)
        raise SystemExit(1) from None
    click.echo(f"Created clinician {user.email} (id {user.id}).")


commands = [create_clinician]
