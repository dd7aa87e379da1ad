"""Rules evaluated on a schedule rather than on write: missed diary entries."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pandas as pd
from sqlalchemy import func, select

from tracker.analytics.rules import missed_entries
from tracker.database import writing
from tracker.extensions import db
from tracker.models import Entry, User
from tracker.models.types import utcnow
from tracker.services.escalation import record_findings


def evaluate_missed_entries(now: datetime | None = None) -> int:
    """Raise or refresh `missed_entries` for every patient whose diary has lapsed; how many opened."""
    now = now or utcnow()
    rows = db.session.execute(
        select(User.id, User.timezone, func.max(Entry.date))
        .outerjoin(Entry, Entry.patient_id == User.id)
        .where(User.role == "patient")
        .group_by(User.id, User.timezone)
    ).all()
    if not rows:
        return 0
    last_entry = pd.DataFrame(
        {"patient_id": [r[0] for r in rows], "last_date": pd.to_datetime([r[2] for r in rows])}
    )
    today = {r[0]: now.astimezone(ZoneInfo(r[1])).date() for r in rows}
    opened = 0
    with writing():
        for patient_id, finding in missed_entries(last_entry, today):
            opened += len(record_findings(db.session.get(User, patient_id), [finding]))
    return opened
