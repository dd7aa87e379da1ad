"""Events and ODI questionnaires: the rest of what a patient records."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from tracker.database import writing
from tracker.errors import NotFound
from tracker.extensions import db
from tracker.models import Alert, Event, OdiResponse, User
from tracker.models.types import utcnow
from tracker.services import escalation
from tracker.services.diary import check_day, date_range


def add_event(patient: User, values: dict[str, Any]) -> Event:
    check_day(patient, values["date"])
    with writing():
        event = Event(patient_id=patient.id, **values)
        db.session.add(event)
        db.session.flush()
    return event


def list_events(patient: User, start: date | None, end: date | None) -> list[Event]:
    start, end = date_range(patient, start, end)
    return list(
        db.session.scalars(
            select(Event)
            .where(Event.patient_id == patient.id, Event.date.between(start, end))
            .order_by(Event.date, Event.id)
        )
    )


def delete_event(patient: User, event_id: int) -> None:
    with writing():
        event = db.session.scalar(select(Event).where(Event.id == event_id, Event.patient_id == patient.id))
        if event is None:
            raise NotFound("No such event.")
        db.session.delete(event)


def odi_score(answers: list[int | None]) -> float | None:
    """Oswestry Disability Index: sum / (5 × sections answered) × 100, one decimal.

    At most one of the ten sections may be skipped; with more there is no score.
    """
    answered = [a for a in answers if a is not None]
    if len(answered) < len(answers) - 1:
        return None
    return round(sum(answered) / (5 * len(answered)) * 100, 1)


def put_odi(patient: User, day: date, answers: list[int | None]) -> tuple[OdiResponse, bool, list[Alert]]:
    """Create or replace the ODI for a day; answers whether it was created.

    INSERT … ON CONFLICT DO NOTHING then UPDATE, as for entries, so that two writes of
    the same day at once never fail on the unique key.
    """
    check_day(patient, day)
    values = {"answers": list(answers), "score": odi_score(answers), "received_at": utcnow()}
    table = OdiResponse.__table__
    with writing():
        insert = (postgresql_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert)
        created = db.session.execute(
            insert(table).values(patient_id=patient.id, date=day, **values)
            .on_conflict_do_nothing(index_elements=["patient_id", "date"]).returning(table.c.id)
        ).scalar() is not None
        if not created:
            db.session.execute(
                update(table).where(table.c.patient_id == patient.id, table.c.date == day).values(**values)
            )
        raised = escalation.after_odi_write(patient, day)
    return OdiResponse(patient_id=patient.id, date=day, **values), created, raised


def list_odi(patient: User, start: date | None, end: date | None) -> list[OdiResponse]:
    start, end = date_range(patient, start, end)
    return list(
        db.session.scalars(
            select(OdiResponse)
            .where(OdiResponse.patient_id == patient.id, OdiResponse.date.between(start, end))
            .order_by(OdiResponse.date)
        )
    )
