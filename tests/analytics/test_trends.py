"""Weekly trends: hand-checked figures, empty weeks, ISO week edges, many patients at once."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.analytics.frames import diary_frame
from tracker.analytics.trends import TREND_COLUMNS, caseload_classification, trends_records, weekly_trends

END = dt.date(2026, 3, 22)  # a Sunday: weeks of 2 Mar, 9 Mar and 16 Mar


def entry(patient_id: int, date: str, leg_pain: int, **fields) -> dict:
    return {"patient_id": patient_id, "date": date, "leg_pain": leg_pain, **fields}


@pytest.fixture(scope="module")
def caseload() -> tuple[pd.DataFrame, pd.DataFrame]:
    first_week = {
        "radiation": "calf",
        "numbness": ["big_toe"],
        "walking_minutes": 20,
        "foot_drop": True,
        "heel_walk": "difficult",
        "toe_walk": "normal",
        "back_pain": 2,
    }
    raw = pd.DataFrame(
        [
            entry(1, "2026-03-01", 5),  # Sunday: the week before the window
            entry(1, "2026-03-02", 6, **first_week),
            entry(
                1,
                "2026-03-04",
                8,
                radiation="foot",
                numbness=[],
                walking_minutes=10,
                foot_drop=False,
                heel_walk="unable",
                toe_walk="normal",
                back_pain=4,
            ),
            entry(1, "2026-03-08", 7),  # Sunday, nothing else answered
            entry(1, "2026-03-16", 4),
            entry(1, "2026-03-22T23:30", 5),  # late on the last Sunday
            entry(1, "2026-03-23", 10),  # the Monday after: outside
            entry(2, "2026-02-16", 9),  # first logged week, long before the window
            entry(2, "2026-03-03", 8),
            entry(2, "2026-03-05", 8),
            entry(2, "2026-03-12", 6),
        ]
    )
    odi = pd.DataFrame(
        {
            "patient_id": [1, 1, 1, 2],
            "date": ["2026-03-02", "2026-03-06", "2026-03-10", "2026-03-12"],
            "score": [50.0, 44.0, 40.0, None],
        }
    )
    return diary_frame(raw), odi


def week(trends: pd.DataFrame, patient_id: int, monday: str) -> dict:
    rows = trends_records(
        trends[(trends["patient_id"] == patient_id) & (trends["week_start"] == pd.Timestamp(monday))]
    )
    assert len(rows) == 1
    return rows[0]


def test_columns_and_one_row_per_patient_week(caseload) -> None:
    trends = weekly_trends(*caseload, END, 3)
    assert list(trends.columns) == list(TREND_COLUMNS)
    assert trends[["patient_id", "week_start"]].astype(str).values.tolist() == [
        ["1", "2026-03-02"],
        ["1", "2026-03-09"],
        ["1", "2026-03-16"],
        ["2", "2026-03-02"],
        ["2", "2026-03-09"],
        ["2", "2026-03-16"],
    ]


def test_figures_checked_by_hand(caseload) -> None:
    trends = weekly_trends(*caseload, END, 3)
    assert week(trends, 1, "2026-03-02") == {
        "patient_id": 1,
        "week_start": "2026-03-02",
        "days_logged": 3,
        "leg_pain_mean": 7.0,
        "leg_pain_min": 6.0,
        "leg_pain_max": 8.0,
        "back_pain_mean": 3.0,
        "radiation_median": 4.5,
        "radiation_max": 5.0,
        "numbness_share": 0.5,  # 1 of the 2 days that answered (the Sunday did not)
        "walking_minutes_median": 15.0,
        "foot_drop_days": 1,
        "heel_walk_worst": "unable",
        "toe_walk_worst": "normal",
        "odi": 44.0,  # the latest of the week
        "leg_pain_change": 2.0,  # vs the week of 23 Feb (5.0), outside the window
        "leg_pain_change_from_first": 2.0,  # that week is also the first logged
        "classification": "worse",
    }
    assert week(trends, 1, "2026-03-16") == {
        "patient_id": 1,
        "week_start": "2026-03-16",
        "days_logged": 2,
        "leg_pain_mean": 4.5,
        "leg_pain_min": 4.0,
        "leg_pain_max": 5.0,
        "back_pain_mean": None,
        "radiation_median": None,
        "radiation_max": None,
        "numbness_share": None,
        "walking_minutes_median": None,
        "foot_drop_days": None,
        "heel_walk_worst": None,
        "toe_walk_worst": None,
        "odi": None,
        "leg_pain_change": None,  # the week before had no entries
        "leg_pain_change_from_first": -0.5,
        "classification": "stable",
    }


def test_a_week_without_entries_is_listed_with_zero_days_and_nulls(caseload) -> None:
    trends = weekly_trends(*caseload, END, 3)
    empty = week(trends, 1, "2026-03-09")
    assert empty["days_logged"] == 0
    assert empty["odi"] == 40.0  # a questionnaire that week is still shown
    assert {k for k, v in empty.items() if v is not None} == {
        "patient_id",
        "week_start",
        "days_logged",
        "odi",
    }


def test_first_logged_week_may_be_before_the_window(caseload) -> None:
    trends = weekly_trends(*caseload, END, 3)
    assert week(trends, 2, "2026-03-02")["leg_pain_change_from_first"] == -1.0  # 8 vs 9 on 16 Feb
    assert week(trends, 2, "2026-03-02")["classification"] == "stable"
    assert week(trends, 2, "2026-03-09")["leg_pain_change"] == -2.0
    assert week(trends, 2, "2026-03-09")["classification"] == "improved"
    assert week(trends, 2, "2026-03-09")["odi"] is None  # unscored questionnaire


@pytest.mark.parametrize(
    ("end", "last_monday"),
    [("2026-03-22", "2026-03-16"), ("2026-03-23", "2026-03-23"), ("2026-03-16", "2026-03-16")],
)
def test_iso_weeks_start_on_monday(caseload, end: str, last_monday: str) -> None:
    trends = weekly_trends(*caseload, dt.date.fromisoformat(end), 2)
    mondays = trends.loc[trends["patient_id"] == 1, "week_start"]
    assert mondays.iloc[-1] == pd.Timestamp(last_monday)
    assert (mondays.dt.day_of_week == 0).all()
    assert list(mondays.diff().dropna()) == [pd.Timedelta(days=7)]


def test_many_patients_equal_each_patient_alone(caseload) -> None:
    diary, odi = caseload
    together = weekly_trends(diary, odi, END, 5)
    for patient_id in (1, 2):
        alone = weekly_trends(
            diary[diary["patient_id"] == patient_id], odi[odi["patient_id"] == patient_id], END, 5
        )
        pd.testing.assert_frame_equal(
            together[together["patient_id"] == patient_id].reset_index(drop=True), alone
        )


def test_end_per_patient(caseload) -> None:
    diary, odi = caseload
    trends = weekly_trends(diary, odi, {1: END, 2: END + dt.timedelta(days=7), 3: END}, 1)
    assert trends[["patient_id", "week_start"]].astype(str).values.tolist() == [
        ["1", "2026-03-16"],
        ["2", "2026-03-23"],
        ["3", "2026-03-16"],
    ]
    assert trends["days_logged"].tolist() == [2, 0, 0]  # patient 3 has no diary: still listed


def test_patient_with_empty_diary_gets_empty_weeks() -> None:
    trends = weekly_trends(diary_frame(pd.DataFrame()), None, {7: END}, 4)
    assert len(trends) == 4 and (trends["days_logged"] == 0).all()
    assert all(r["classification"] is None for r in trends_records(trends))
    assert weekly_trends(diary_frame(pd.DataFrame()), None, END, 4).empty  # nobody to list


def test_column_types_do_not_depend_on_the_data(caseload) -> None:
    empty = weekly_trends(diary_frame(pd.DataFrame()), None, {7: END}, 2)
    pd.testing.assert_series_equal(empty.dtypes, weekly_trends(*caseload, END, 2).dtypes)


def test_records_are_json_safe(caseload) -> None:
    records = trends_records(weekly_trends(*caseload, END, 3))
    json.dumps(records, allow_nan=False)
    for record in records:
        assert isinstance(record["days_logged"], int) and isinstance(record["patient_id"], int)
        assert not any(isinstance(v, np.generic) for v in record.values())


def test_caseload_classification_uses_latest_week_with_data(caseload) -> None:
    classification = caseload_classification(weekly_trends(*caseload, END, 3))
    assert classification.to_dict() == {1: "stable", 2: "improved"}
    empty = caseload_classification(weekly_trends(diary_frame(pd.DataFrame()), None, {7: END}, 2))
    assert empty.to_dict() == {7: None}


def test_weeks_must_be_positive(caseload) -> None:
    with pytest.raises(ValueError):
        weekly_trends(*caseload, END, 0)


@settings(max_examples=20, deadline=None)
@given(
    pain=st.lists(st.one_of(st.none(), st.integers(0, 10)), min_size=1, max_size=70),
    other=st.lists(st.one_of(st.none(), st.integers(0, 10)), min_size=1, max_size=70),
    weeks=st.integers(1, 12),
)
def test_grouped_computation_matches_per_patient(pain: list, other: list, weeks: int) -> None:
    start = dt.date(2026, 1, 1)
    rows = [
        entry(
            pid, (start + dt.timedelta(days=i)).isoformat(), p, radiation="knee" if p and p > 5 else "thigh"
        )
        for pid, series in ((1, pain), (2, other))
        for i, p in enumerate(series)
        if p is not None
    ]
    if not rows:
        return
    diary = diary_frame(pd.DataFrame(rows))
    end = start + dt.timedelta(days=69)
    together = weekly_trends(diary, None, end, weeks)
    for pid in diary["patient_id"].unique():
        alone = weekly_trends(diary[diary["patient_id"] == pid], None, end, weeks)
        pd.testing.assert_frame_equal(together[together["patient_id"] == pid].reset_index(drop=True), alone)
        assert alone["days_logged"].sum() <= len(diary[diary["patient_id"] == pid])
