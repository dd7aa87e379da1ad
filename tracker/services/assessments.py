"""Clinical examinations a clinician records for a linked patient."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from tracker.database import writing
from tracker.extensions import db
from tracker.models import ASSESSMENT_SIDE_FIELDS, Alert, Assessment, AuditEvent, User
from tracker.services import escalation
from tracker.services.diary import check_day, date_range
from tracker.vocabulary import LEG_SIDES


def assessment_as_dict(assessment: Assessment) -> dict[str, Any]:
    """The stored columns back in the API's per-leg shape."""
    legs = {
        side: {name: getattr(assessment, f"{side}_{name}") for name in ASSESSMENT_SIDE_FIELDS}
        for side in LEG_SIDES
    }
    return {
        "id": assessment.id,
        "patient_id": assessment.patient_id,
        "clinician_id": assessment.clinician_id,
        "date": assessment.date,
        "notes": assessment.notes,
        "created_at": assessment.created_at,
        **{side: (values if any(v is not None for v in values.values()) else None)
           for side, values in legs.items()},
    }


def add_assessment(clinician: User, patient: User, values: dict[str, Any]) -> tuple[Assessment, list[Alert]]:
    check_day(patient, values["date"])
    columns = {
        f"{side}_{name}": value
        for side in LEG_SIDES
        for name, value in (values.get(side) or {}).items()
    }
    with writing():
        assessment = Assessment(
            patient_id=patient.id,
            clinician_id=clinician.id,
            date=values["date"],
            notes=values.get("notes"),
            **columns,
        )
        db.session.add(assessment)
        db.session.add(AuditEvent(actor_id=clinician.id, patient_id=patient.id, action="assessment"))
        db.session.flush()
        raised = escalation.after_assessment_write(patient, assessment)
    return assessment, raised


def list_assessments(patient: User, start: date | None, end: date | None) -> list[Assessment]:
    start, end = date_range(patient, start, end)
    return list(
        db.session.scalars(
            select(Assessment)
            .where(Assessment.patient_id == patient.id, Assessment.date.between(start, end))
            .order_by(Assessment.date, Assessment.id)
        )
    )
