"""Weekly trends for one patient or a whole caseload, in one grouped computation."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from tracker.analytics.frames import diary_frame
from tracker.analytics.trends import caseload_classification, weekly_trends
from tracker.models import User
from tracker.services.diary import local_today
from tracker.services.frames import diary_rows, odi_rows

MAX_WEEKS = 104


def weekly_trends_for(patients: Sequence[User], weeks: int) -> pd.DataFrame:
    """Each patient's `weeks` ISO weeks up to their local today (the whole diary is read,
    since the change is measured against the first logged week)."""
    ids = [p.id for p in patients]
    end = {p.id: local_today(p) for p in patients}
    return weekly_trends(diary_frame(diary_rows(ids)), odi_rows(ids), end, weeks)


def classifications(patients: Sequence[User], weeks: int = 4) -> dict[int, str | None]:
    """Per patient, the classification of their latest recent week that has one."""
    if not patients:
        return {}
    return caseload_classification(weekly_trends_for(patients, weeks)).to_dict()
