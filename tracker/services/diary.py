"""The patient's diary: entries, events and ODI questionnaires, each write evaluated for escalation."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from tracker.database import writing
from tracker.errors import InvalidInput, NotFound
from tracker.extensions import db
from tracker.models import ENTRY_FIELDS, Alert, Entry, User
from tracker.models.types import utcnow
from tracker.services import escalation

EARLIEST_DAY = date(2000, 1, 1)
# A phone's clock may run a little ahead of the server's.
CLOCK_SKEW = timedelta(minutes=5)


def local_today(user: User) -> date:
    return datetime.now(ZoneInfo(user.timezone)).date()


def check_day(user: User, day: date, field_name: str = "date") -> None:
    """A diary day is a past or present local calendar day of the patient."""
    if day > local_today(user):
        raise InvalidInput.field(field_name, f"{day.isoformat()} is in the future in {user.timezone}.")
    if day < EARLIEST_DAY:
        raise InvalidInput.field(field_name, f"Dates before {EARLIEST_DAY.isoformat()} are not accepted.")


def date_range(user: User, start: date | None, end: date | None) -> tuple[date, date]:
    """The requested range, bounded in length: by default the year up to today, or the year
    from `from`."""
    span = timedelta(days=current_app.config["MAX_RANGE_DAYS"] - 1)
    max_days = span.days + 1
    if end is None:
        end = start + span if start else local_today(user)
    start = start or end - span
    if start > end:
        raise InvalidInput.field("to", "Must not be before 'from'.")
    if (end - start).days + 1 > max_days:
        raise InvalidInput.field("to", f"A range covers at most {max_days} days.")
    return start, end


# --- entries ------------------------------------------------------------------------


@dataclass
class EntryWrite:
    entry: Entry
    created: bool
    alerts_raised: list[Alert] = field(default_factory=list)
    positive_signs: list[dict[str, Any]] = field(default_factory=list)


def _recorded_at(answers: dict[str, Any], received: datetime) -> datetime:
    recorded = answers.pop("recorded_at", None) or received
    if recorded > received + CLOCK_SKEW:
        raise InvalidInput.field("recorded_at", "Must not be in the future.")
    return recorded


_ENTRIES = Entry.__table__
_STORED = (*ENTRY_FIELDS, "recorded_at", "received_at")
# Built once: values arrive as parameters at execution, so each write skips statement building.
_INSERT = {
    dialect: insert(_ENTRIES)
    .values({name: bindparam(name) for name in ("patient_id", "date", *_STORED)})
    .on_conflict_do_nothing(index_elements=["patient_id", "date"])
    .returning(_ENTRIES.c.id)
    for dialect, insert in (("postgresql", postgresql_insert), ("sqlite", sqlite_insert))
}
_REPLACE = (
    update(_ENTRIES)
    .where(_ENTRIES.c.patient_id == bindparam("key_patient_id"), _ENTRIES.c.date == bindparam("key_date"))
    .values({name: bindparam(name) for name in _STORED})
)


def _store_entry(patient: User, day: date, answers: dict[str, Any]) -> tuple[Entry, bool]:
    """Create or replace the day's entry inside the current transaction.

    One INSERT … ON CONFLICT DO NOTHING, then an UPDATE when the day already had an
    entry: a concurrent writer of the same day waits on the unique key and replaces
    the row that won, so there is never a second row nor an error.
    """
    received = utcnow()
    values = {name: answers.get(name) for name in ENTRY_FIELDS}
    values["recorded_at"] = _recorded_at(dict(answers), received)
    values["received_at"] = received
    key = {"patient_id": patient.id, "date": day}
    dialect = db.session.get_bind().dialect.name
    created = db.session.execute(_INSERT[dialect], {**key, **values}).scalar() is not None
    if not created:
        db.session.execute(_REPLACE, {"key_patient_id": patient.id, "key_date": day, **values})
    return Entry(**key, **values), created


def put_entry(patient: User, day: date, answers: dict[str, Any]) -> EntryWrite:
    """Create (or wholly replace) the patient's entry for a day and evaluate escalation."""
    check_day(patient, day)
    with writing():
        entry, created = _store_entry(patient, day, answers)
        raised, signs = escalation.after_entry_write(patient, day)
    return EntryWrite(entry, created, raised, signs)


def get_entry(patient: User, day: date) -> Entry:
    entry = db.session.scalar(select(Entry).where(Entry.patient_id == patient.id, Entry.date == day))
    if entry is None:
        raise NotFound(f"No entry for {day.isoformat()}.")
    return entry


def list_entries(patient: User, start: date | None, end: date | None) -> list[Entry]:
    start, end = date_range(patient, start, end)
    return list(
        db.session.scalars(
            select(Entry)
            .where(Entry.patient_id == patient.id, Entry.date.between(start, end))
            .order_by(Entry.date)
        )
    )


def delete_entry(patient: User, day: date) -> None:
    """Delete a day's entry. Alerts it raised stay, with their evidence snapshot."""
    with writing():
        deleted = db.session.execute(
            delete(Entry).where(Entry.patient_id == patient.id, Entry.date == day)
        ).rowcount
        if not deleted:
            raise NotFound(f"No entry for {day.isoformat()}.")
        escalation.after_diary_write(patient, day)


def put_entries(patient: User, items: list[tuple[int, dict[str, Any]]]) -> dict[int, EntryWrite | InvalidInput]:
    """Offline sync of items already validated by schema, keyed by their index in the batch.

    Each item is checked on its own and the good ones are stored even when others are
    refused. They are stored in date order, so escalation sees the diary as it would
    have grown live, all in one transaction; a day given twice is stored twice, in order.
    """
    outcomes: dict[int, EntryWrite | InvalidInput] = {}
    good: list[tuple[int, dict[str, Any]]] = []
    received = utcnow()
    for index, answers in items:
        try:
            check_day(patient, answers["date"])
            _recorded_at(dict(answers), received)
        except InvalidInput as refusal:
            outcomes[index] = refusal
        else:
            good.append((index, dict(answers)))
    with writing():
        for index, answers in sorted(good, key=lambda item: item[1]["date"]):
            day = answers.pop("date")
            entry, created = _store_entry(patient, day, answers)
            outcomes[index] = EntryWrite(entry, created, escalation.after_diary_write(patient, day))
    return outcomes
