"""A patient's whole record, for them to take elsewhere: CSV and a FHIR R4 Bundle."""

from __future__ import annotations

from typing import Any

import pandas as pd
from sqlalchemy import select

from tracker.analytics.export import entries_csv, fhir_bundle
from tracker.models import ENTRY_FIELDS, Alert, Entry, OdiResponse, User
from tracker.models.types import utcnow
from tracker.services.frames import read_frame


def _entries(patient: User) -> pd.DataFrame:
    return read_frame(
        select(Entry.date, *(getattr(Entry, f) for f in ENTRY_FIELDS), Entry.recorded_at, Entry.received_at)
        .where(Entry.patient_id == patient.id)
        .order_by(Entry.date)
    )


def csv_export(patient: User) -> str:
    """Every entry, one row each, every field."""
    return entries_csv(_entries(patient))


def fhir_export(patient: User, base_url: str) -> dict[str, Any]:
    """Entries as Observations, ODIs as QuestionnaireResponses and scores, alerts as Flags."""
    odi = read_frame(
        select(OdiResponse.date, OdiResponse.answers, OdiResponse.score)
        .where(OdiResponse.patient_id == patient.id)
        .order_by(OdiResponse.date)
    )
    alerts = read_frame(
        select(Alert.id, Alert.rule, Alert.severity, Alert.status, Alert.raised_on, Alert.message)
        .where(Alert.patient_id == patient.id)
        .order_by(Alert.id)
    )
    return fhir_bundle(
        {"id": patient.id, "display_name": patient.display_name},
        _entries(patient),
        odi,
        alerts,
        generated_at=utcnow(),
        base_url=base_url,
    )
