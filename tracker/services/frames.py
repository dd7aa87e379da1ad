"""Frames from queries: one SELECT each, read into pandas on the request's connection
(so a write not yet committed is seen by the evaluation that follows it). A write's own
small window is read as plain columns (`diary_columns`), for `diary_frame` to type."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from functools import lru_cache
from typing import Any

import pandas as pd
from sqlalchemy import Select, bindparam, select

from tracker.extensions import db
from tracker.models import ASSESSMENT_SIDE_FIELDS, ENTRY_FIELDS, Assessment, Entry, OdiResponse
from tracker.vocabulary import LEG_SIDES


def read_frame(query: Select) -> pd.DataFrame:
    """A query's rows as a DataFrame, read on the request's connection."""
    return pd.read_sql(query, db.session.connection())


def diary_rows(patient_ids: Iterable[int], start: date | None = None, end: date | None = None) -> pd.DataFrame:
    """Raw entries (patient_id, date and every answer) for the patients, optionally within dates."""
    query = select(Entry.patient_id, Entry.date, *(getattr(Entry, f) for f in ENTRY_FIELDS)).where(
        Entry.patient_id.in_(list(patient_ids))
    )
    if start is not None:
        query = query.where(Entry.date >= start)
    if end is not None:
        query = query.where(Entry.date <= end)
    return read_frame(query.order_by(Entry.patient_id, Entry.date))


def diary_columns(
    patient_id: int, start: date, end: date, fields: Iterable[str] = ENTRY_FIELDS
) -> dict[str, tuple[Any, ...]]:
    """One patient's entries from start to end, in date order, as columns for `diary_frame`:
    patient_id, date and `fields`, each a tuple of the driver's values.

    For a write's evaluation (a few dozen rows): no pandas round trip, and one statement
    reused with new parameters, so neither building it nor pd.read_sql costs more than the rules.
    """
    result = db.session.connection().execute(
        _diary_window(tuple(fields)), {"patient_id": patient_id, "start": start, "end": end}
    )
    names = list(result.keys())
    return dict(zip(names, list(zip(*result.all())) or [()] * len(names), strict=True))


@lru_cache(maxsize=8)
def _diary_window(fields: tuple[str, ...]) -> Select:
    """The window's SELECT for these fields, built once: only its parameters change per write."""
    return (
        select(Entry.patient_id, Entry.date, *(getattr(Entry, f) for f in fields))
        .where(
            Entry.patient_id == bindparam("patient_id"),
            Entry.date.between(bindparam("start"), bindparam("end")),
        )
        .order_by(Entry.date)
    )


def odi_rows(patient_ids: Iterable[int], end: date | None = None) -> pd.DataFrame:
    query = select(OdiResponse.patient_id, OdiResponse.date, OdiResponse.score).where(
        OdiResponse.patient_id.in_(list(patient_ids))
    )
    if end is not None:
        query = query.where(OdiResponse.date <= end)
    return read_frame(query.order_by(OdiResponse.patient_id, OdiResponse.date))



def assessment_rows(patient_id: int) -> pd.DataFrame:
    """Assessments in long form: one row per assessment and leg."""
    columns = [Assessment.patient_id, Assessment.id.label("assessment_id"), Assessment.date]
    for side in LEG_SIDES:
        columns += [getattr(Assessment, f"{side}_{name}").label(f"{side}__{name}") for name in ASSESSMENT_SIDE_FIELDS]
    wide = read_frame(select(*columns).where(Assessment.patient_id == patient_id).order_by(Assessment.id))
    legs = []
    for side in LEG_SIDES:
        leg = wide[["patient_id", "assessment_id", "date"]].assign(side=side)
        for name in ASSESSMENT_SIDE_FIELDS:
            leg[name] = wide[f"{side}__{name}"]
        legs.append(leg)
    return pd.concat(legs, ignore_index=True).sort_values(["assessment_id", "side"], ignore_index=True)
