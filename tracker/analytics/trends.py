"""Weekly trends per patient per ISO week (PRODUCT.md "Weekly trends"), many patients at once."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd

from tracker.analytics.frames import calendar_dates, dates_by_patient
from tracker.analytics.rules import PAIN_MCID
from tracker.vocabulary import GAIT

#: Columns of `weekly_trends`, in order.
TREND_COLUMNS = (
    "patient_id",
    "week_start",
    "days_logged",
    "leg_pain_mean",
    "leg_pain_min",
    "leg_pain_max",
    "back_pain_mean",
    "radiation_median",
    "radiation_max",
    "numbness_share",
    "walking_minutes_median",
    "foot_drop_days",
    "heel_walk_worst",
    "toe_walk_worst",
    "odi",
    "leg_pain_change",
    "leg_pain_change_from_first",
    "classification",
)
_ROUNDED = (
    "leg_pain_mean",
    "back_pain_mean",
    "radiation_median",
    "numbness_share",
    "walking_minutes_median",
    "odi",
    "leg_pain_change",
    "leg_pain_change_from_first",
)
_GAIT_LABEL = dict(enumerate(GAIT))
_KEYS = ["patient_id", "week_start"]
EndDates = dt.date | str | pd.Timestamp | pd.Series | dict[int, Any]


def week_start(dates: pd.Series) -> pd.Series:
    """The Monday of each date's ISO week (datetime64, midnight)."""
    return dates - pd.to_timedelta(dates.dt.day_of_week, unit="D")


def weekly_trends(diary: pd.DataFrame, odi: pd.DataFrame | None, end: EndDates, weeks: int) -> pd.DataFrame:
    """Per patient per ISO week, the `weeks` weeks ending with the week containing `end`.

    Input: a `diary_frame` of any number of patients; odi with patient_id, date, score; `end`
    one day for all or patient_id → day (patients' time zones differ). Patients listed: the
    keys of an `end` mapping, else every patient in diary or odi. Output: `TREND_COLUMNS`,
    one row per patient per week, oldest first; a week without entries is listed with
    days_logged 0 and null diary figures (its odi is still shown if one was scored that
    week). Means, medians, shares and changes are rounded to 2 decimals.

    numbness_share is over the logged days that answered numbness ([] counts as "no
    numbness", unanswered is left out); foot_drop_days is null when no day answered it.
    classification comes from leg_pain_change_from_first: the 2-point MCID is defined as a
    change from baseline, and week-to-week changes would call a steady 1-point-a-week
    recovery "stable" every week.
    """
    if weeks < 1:
        raise ValueError("weeks must be at least 1")
    grid = _week_grid(diary, odi, end, weeks)
    index = pd.MultiIndex.from_frame(grid[_KEYS])
    daily = _daily_values(diary)
    window = grid.groupby("patient_id")["week_start"].agg(["min", "max"]).reindex(daily["patient_id"])
    week = daily["week_start"].to_numpy()
    in_window = (week >= window["min"].to_numpy()) & (week <= window["max"].to_numpy())
    out = _weekly_stats(daily[in_window]).reindex(index)
    out["odi"] = _weekly_odi(odi).reindex(index)
    out = out.reset_index()
    out["days_logged"] = out["days_logged"].fillna(0).astype("int64")
    out = _leg_pain_changes(out, daily)
    for name in _ROUNDED:
        out[name] = out[name].round(2)
    change = out["leg_pain_change_from_first"]
    # Classified on the rounded change, so the label always matches the figure shown.
    out["classification"] = pd.Series(
        np.select(
            [change <= -PAIN_MCID, change >= PAIN_MCID, change.notna()],
            ["improved", "worse", "stable"],
            None,
        ),
        dtype="str",
    )
    return out[list(TREND_COLUMNS)]


def _week_grid(diary: pd.DataFrame, odi: pd.DataFrame | None, end: EndDates, weeks: int) -> pd.DataFrame:
    """patient_id, week_start: every listed patient's `weeks` Mondays, oldest first."""
    if isinstance(end, (pd.Series, dict)):
        patients = pd.Series(sorted(pd.Series(end).index), dtype="int64")
    else:
        ids = [diary["patient_id"]] + ([odi["patient_id"]] if odi is not None and len(odi) else [])
        patients = pd.Series(
            np.unique(np.concatenate([np.asarray(i, dtype="int64") for i in ids])), dtype="int64"
        )
    last_monday = week_start(dates_by_patient(patients, end))
    keep = last_monday.notna()
    patients, last_monday = patients[keep].to_numpy(), last_monday[keep].to_numpy()
    offsets = (np.arange(weeks) - (weeks - 1)) * np.timedelta64(7, "D")
    return pd.DataFrame(
        {
            "patient_id": np.repeat(patients, weeks),
            "week_start": (last_monday[:, None] + offsets[None, :]).ravel().astype("datetime64[ns]"),
        }
    )


def _daily_values(diary: pd.DataFrame) -> pd.DataFrame:
    """The diary's aggregated fields as float columns (NaN = unanswered), with week_start."""
    # A list is truthy when non-empty; unanswered days (None) are left out of the share.
    numbness = diary["numbness"].to_numpy()
    numb = np.where(pd.isna(numbness), np.nan, numbness.astype(bool))
    return pd.DataFrame(
        {
            "patient_id": diary["patient_id"].to_numpy(),
            "week_start": week_start(diary["date"]).to_numpy(),
            "leg_pain": diary["leg_pain"].to_numpy(dtype="float64", na_value=np.nan),
            "back_pain": diary["back_pain"].to_numpy(dtype="float64", na_value=np.nan),
            "radiation": diary["radiation_level"].to_numpy(),
            "numb": numb.astype("float64"),
            "walking": diary["walking_minutes"].to_numpy(dtype="float64", na_value=np.nan),
            "foot_drop": diary["foot_drop"].to_numpy(dtype="float64", na_value=np.nan),
            "heel": diary["heel_walk_level"].to_numpy(),
            "toe": diary["toe_walk_level"].to_numpy(),
        }
    )


def _weekly_stats(values: pd.DataFrame) -> pd.DataFrame:
    """Aggregates of `_daily_values` rows, indexed by (patient_id, week_start)."""
    stats = values.groupby(_KEYS).agg(
        days_logged=("leg_pain", "size"),
        leg_pain_mean=("leg_pain", "mean"),
        leg_pain_min=("leg_pain", "min"),
        leg_pain_max=("leg_pain", "max"),
        back_pain_mean=("back_pain", "mean"),
        radiation_median=("radiation", "median"),
        radiation_max=("radiation", "max"),
        numbness_share=("numb", "mean"),
        walking_minutes_median=("walking", "median"),
        foot_drop_days=("foot_drop", "sum"),
        foot_drop_answered=("foot_drop", "count"),
        heel=("heel", "max"),
        toe=("toe", "max"),
    )
    stats["foot_drop_days"] = (
        stats["foot_drop_days"].where(stats.pop("foot_drop_answered") > 0).astype("Int64")
    )
    stats["heel_walk_worst"] = stats.pop("heel").map(_GAIT_LABEL).astype("str")
    stats["toe_walk_worst"] = stats.pop("toe").map(_GAIT_LABEL).astype("str")
    return stats


def _weekly_odi(odi: pd.DataFrame | None) -> pd.Series:
    """Latest scored ODI per (patient_id, week_start)."""
    if odi is None or odi.empty:
        return pd.Series(dtype="float64", index=pd.MultiIndex.from_arrays([[], []], names=_KEYS))
    scored = (
        pd.DataFrame(
            {
                "patient_id": odi["patient_id"].astype("int64"),
                "date": calendar_dates(odi["date"]),
                "score": pd.to_numeric(odi["score"]).astype("float64"),
            }
        )
        .dropna(subset=["score"])
        .sort_values("date", kind="stable")
    )
    return scored.groupby(["patient_id", week_start(scored["date"]).rename("week_start")])["score"].last()


def _leg_pain_changes(out: pd.DataFrame, daily: pd.DataFrame) -> pd.DataFrame:
    """Adds leg_pain_change (vs the calendar week before) and _from_first (vs the first logged week).

    Both use every `_daily_values` row, so the week before the window and a first week long
    before it count.
    """
    by_week = daily.groupby(_KEYS)["leg_pain"].mean()
    first = by_week.groupby(level="patient_id").first()  # groups are sorted by week_start
    previous = by_week.reindex(
        pd.MultiIndex.from_arrays([out["patient_id"], out["week_start"] - pd.Timedelta(days=7)], names=_KEYS)
    )
    out["leg_pain_change"] = out["leg_pain_mean"] - previous.to_numpy()
    out["leg_pain_change_from_first"] = out["leg_pain_mean"] - first.reindex(out["patient_id"]).to_numpy()
    return out


def trends_records(trends: pd.DataFrame) -> list[dict[str, Any]]:
    """`weekly_trends` rows as JSON-safe dicts: week_start ISO, null for NaN/NA, Python numbers."""
    out = trends.assign(week_start=trends["week_start"].dt.strftime("%Y-%m-%d")).astype(object)
    return out.where(trends.notna(), None).to_dict("records")


def caseload_classification(trends: pd.DataFrame) -> pd.Series:
    """Per patient_id, the classification of its latest week with one (None if it has none)."""
    classified = trends.dropna(subset=["classification"]).sort_values(_KEYS)
    latest = classified.groupby("patient_id")["classification"].last()
    patients = pd.Index(trends["patient_id"].unique(), name="patient_id")
    return latest.reindex(patients).astype(object).where(lambda s: s.notna(), None).rename("classification")
