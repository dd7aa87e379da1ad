"""The clinician's caseload view."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from tracker.extensions import db
from tracker.models import Alert, ClinicianLink, Entry, User
from tracker.services.weekly import classifications
from tracker.vocabulary import SEVERITIES


def caseload(clinician: User) -> list[dict[str, Any]]:
    """Linked patients with open alert counts, last entry date and trend, worst first:
    by emergency, urgent, then warning alerts, then a `worse` trend."""
    linked = (
        select(ClinicianLink.patient_id)
        .where(ClinicianLink.clinician_id == clinician.id, ClinicianLink.unlinked_at.is_(None))
        .scalar_subquery()
    )
    patients = db.session.scalars(select(User).where(User.id.in_(linked))).all()
    last_entry = dict(
        db.session.execute(
            select(Entry.patient_id, func.max(Entry.date)).where(Entry.patient_id.in_(linked))
            .group_by(Entry.patient_id)
        ).all()
    )
    counts: dict[int, dict[str, int]] = {p.id: {s: 0 for s in SEVERITIES} for p in patients}
    for patient_id, severity, count in db.session.execute(
        select(Alert.patient_id, Alert.severity, func.count())
        .where(Alert.patient_id.in_(linked), Alert.status != "resolved")
        .group_by(Alert.patient_id, Alert.severity)
    ):
        counts[patient_id][severity] = count
    trend = classifications(patients)
    items = [
        {
            "id": p.id,
            "display_name": p.display_name,
            "timezone": p.timezone,
            "open_alerts": counts[p.id],
            "last_entry_date": last_entry.get(p.id),
            "classification": trend.get(p.id),
        }
        for p in patients
    ]
    items.sort(key=lambda item: (
        tuple(-item["open_alerts"][s] for s in SEVERITIES[:3]),
        item["classification"] != "worse",
        -item["open_alerts"]["info"],
        item["display_name"],
    ))
    return items
