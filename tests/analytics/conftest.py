"""Synthetic diaries for the analytics tests, built as the service would: raw rows → diary_frame."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import pandas as pd
import pytest

from tracker.analytics.frames import LIST_COLUMNS, diary_frame


class DiaryFactory:
    """`make_diary(leg_pain, **fields)`: one patient's diary_frame, day i = START + i days.

    `leg_pain[i]` None means no entry on day i. Every other field is one value for every
    entry, or a list aligned with leg_pain (None = not answered that day); for list fields
    (numbness …) a per-day value is a list of lists, e.g. [[], ["big_toe"], None].
    """

    START = dt.date(2026, 3, 2)  # a Monday

    def day(self, i: int) -> dt.date:
        """The calendar date of day index i."""
        return self.START + dt.timedelta(days=i)

    def raw(self, leg_pain: Sequence[int | None], *, patient_id: int = 1, **fields: Any) -> pd.DataFrame:
        """The raw rows (as pd.read_sql would give them) before diary_frame."""
        present = [i for i, pain in enumerate(leg_pain) if pain is not None]
        columns: dict[str, list[Any]] = {
            "patient_id": [patient_id] * len(present),
            "date": [self.day(i) for i in present],
            "leg_pain": [leg_pain[i] for i in present],
        }
        for name, value in fields.items():
            if _per_day(name, value, len(leg_pain)):
                columns[name] = [value[i] for i in present]
            else:
                columns[name] = [value] * len(present)
        return pd.DataFrame(columns)

    def __call__(self, leg_pain: Sequence[int | None], *, patient_id: int = 1, **fields: Any) -> pd.DataFrame:
        return diary_frame(self.raw(leg_pain, patient_id=patient_id, **fields))


def _per_day(name: str, value: Any, days: int) -> bool:
    """A sequence as long as the diary is per-day; for list fields only a list of lists/None."""
    if not isinstance(value, (list, tuple)) or len(value) != days:
        return False
    return name not in LIST_COLUMNS or all(v is None or isinstance(v, list) for v in value)


@pytest.fixture(scope="session")
def make_diary() -> DiaryFactory:
    """The diary factory (session-scoped: it holds no state, and hypothesis tests use it)."""
    return DiaryFactory()
