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


@click.command("demo-data")
@with_appcontext
def demo_data() -> None:
    """Load a realistic demo cohort (a physio and four patients) into an empty database."""
    from tracker.demo import COHORT, DEMO_PASSWORD, DEMO_TIMEZONE, PHYSIO_EMAIL, load_demo
    from tracker.services.diary import local_today
    from tracker.models import User

    outcome = load_demo(local_today(User(timezone=DEMO_TIMEZONE)))
    if not outcome["created"]:
        click.echo("The database already has accounts; demo data not loaded.")
        return
    click.echo(f"Demo cohort loaded: {outcome['patients']} patients, {outcome['alerts']} alerts raised.")
    click.echo(f"Sign in as {PHYSIO_EMAIL} (physio) or " + ", ".join(p.email for p in COHORT)
               + f"; password: {DEMO_PASSWORD}")


@click.command("evaluate")
@with_appcontext
def evaluate() -> None:
    """Run the scheduled rules (missed entries); run it daily, e.g. from cron."""
    from tracker.services.scheduled import evaluate_missed_entries

    click.echo(f"missed_entries: {evaluate_missed_entries()} alerts opened.")


@click.command("deliver")
@click.option("--limit", default=100, show_default=True, help="At most this many deliveries per run.")
@with_appcontext
def deliver(limit: int) -> None:
    """Post due webhook deliveries of urgent and emergency alerts; run it every minute."""
    from flask import current_app

    from tracker.services.delivery import deliver_due, pending_count

    url = current_app.config.get("ALERT_WEBHOOK_URL")
    if not url:
        click.echo(f"ALERT_WEBHOOK_URL is not set; {pending_count()} deliveries wait in the outbox.")
        return
    report = deliver_due(url, limit=limit)
    click.echo(f"delivered {report.delivered}, failed {report.failed} (will retry), "
               f"{pending_count()} pending.")


commands = [create_clinician, demo_data, evaluate, deliver]
