"""Alerts as people see and act on them: lists, acknowledge, resolve. Never deleted."""

from __future__ import annotations

from sqlalchemy import select

from tracker.database import writing
from tracker.errors import Conflict, NotFound
from tracker.extensions import db
from tracker.models import Alert, AuditEvent, ClinicianLink, User
from tracker.models.types import utcnow
from tracker.vocabulary import SEVERITIES

_WORST_FIRST = {severity: rank for rank, severity in enumerate(SEVERITIES)}


def _ordered(alerts: list[Alert]) -> list[Alert]:
    """Worst first, then the most recently raised."""
    return sorted(alerts, key=lambda a: (_WORST_FIRST[a.severity], -a.raised_on.toordinal(), -a.id))


def patient_alerts(patient: User, status: str | None = None) -> list[Alert]:
    query = select(Alert).where(Alert.patient_id == patient.id)
    if status:
        query = query.where(Alert.status == status)
    return _ordered(list(db.session.scalars(query)))


def caseload_alerts(clinician: User, status: str) -> list[Alert]:
    """Alerts of every patient currently linked to the clinician."""
    query = (
        select(Alert)
        .join(ClinicianLink, ClinicianLink.patient_id == Alert.patient_id)
        .where(ClinicianLink.clinician_id == clinician.id, ClinicianLink.unlinked_at.is_(None),
               Alert.status == status)
    )
    return _ordered(list(db.session.scalars(query)))


def _linked_alert(clinician: User, alert_id: int) -> Alert:
    alert = db.session.scalar(
        select(Alert)
        .join(ClinicianLink, ClinicianLink.patient_id == Alert.patient_id)
        .where(Alert.id == alert_id, ClinicianLink.clinician_id == clinician.id,
               ClinicianLink.unlinked_at.is_(None))
        .with_for_update(of=Alert)
    )
    if alert is None:
        raise NotFound("No such alert.")
    return alert


def acknowledge(clinician: User, alert_id: int, note: str | None) -> Alert:
    """open → acknowledged: a clinician has seen it and is acting on it."""
    with writing():
        alert = _linked_alert(clinician, alert_id)
        if alert.status != "open":
            raise Conflict(f"The alert is {alert.status}; only an open alert can be acknowledged.",
                           {"status": [f"Alert is {alert.status}."]})
        alert.status, alert.acknowledged_at, alert.acknowledged_by = "acknowledged", utcnow(), clinician.id
        alert.acknowledge_note = note
        alert.updated_at = utcnow()
        db.session.add(AuditEvent(actor_id=clinician.id, patient_id=alert.patient_id, action="acknowledge"))
    return alert


def resolve(clinician: User, alert_id: int, note: str | None) -> Alert:
    """open or acknowledged → resolved. The rule firing again later opens a new alert."""
    with writing():
        alert = _linked_alert(clinician, alert_id)
        if alert.status == "resolved":
            raise Conflict("The alert is already resolved.", {"status": ["Alert is resolved."]})
        alert.status, alert.resolved_at, alert.resolved_by = "resolved", utcnow(), clinician.id
        alert.resolve_note = note
        alert.updated_at = utcnow()
        db.session.add(AuditEvent(actor_id=clinician.id, patient_id=alert.patient_id, action="resolve"))
    return alert
