"""diary_frame / daily_frame: typing, normalization, and "not answered" kept apart from "no"."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.analytics.frames import DIARY_COLUMNS, daily_frame, diary_frame


def test_dates_of_every_kind_become_sorted_midnights() -> None:
    raw = pd.DataFrame(
        {
            "patient_id": [2, 1, 1],
            "date": ["2026-03-04", dt.date(2026, 3, 3), pd.Timestamp("2026-03-02 21:30")],
            "leg_pain": [1, 2, 3],
        }
    )
    diary = diary_frame(raw)
    assert diary["date"].dtype == "datetime64[ns]"
    assert list(diary["patient_id"]) == [1, 1, 2]
    assert list(diary["date"].dt.strftime("%Y-%m-%d %H:%M")) == [
        "2026-03-02 00:00",
        "2026-03-03 00:00",
        "2026-03-04 00:00",
    ]
    assert list(diary["leg_pain"]) == [3, 2, 1]


def test_datetime64_column_is_normalized() -> None:
    raw = pd.DataFrame({"patient_id": [1], "date": pd.to_datetime(["2026-03-02 10:00"]), "leg_pain": [4]})
    assert diary_frame(raw)["date"].iloc[0] == pd.Timestamp("2026-03-02")


def test_ordinal_levels_and_unanswered_nan() -> None:
    raw = pd.DataFrame(
        {
            "patient_id": 1,
            "date": pd.date_range("2026-03-02", periods=4),
            "leg_pain": 5,
            "radiation": ["none", "buttock", "foot", None],
            "heel_walk": ["normal", "difficult", "unable", None],
            "toe_walk": [None, "unable", "normal", "difficult"],
        }
    )
    diary = diary_frame(raw)
    assert diary["radiation_level"].tolist()[:3] == [0.0, 1.0, 5.0]
    assert np.isnan(diary["radiation_level"].iloc[3])
    assert diary["heel_walk_level"].tolist()[:3] == [0.0, 1.0, 2.0]
    assert diary["toe_walk_level"].tolist()[1:] == [2.0, 0.0, 1.0]
    assert diary["radiation"].isna().tolist() == [False, False, False, True]


def test_booleans_from_sqlite_ints_keep_unanswered() -> None:
    raw = pd.DataFrame(
        {
            "patient_id": 1,
            "date": pd.date_range("2026-03-02", periods=3),
            "leg_pain": 5,
            "foot_drop": [1, 0, None],
            "saddle_numbness": [True, False, None],
        }
    )
    diary = diary_frame(raw)
    assert diary["foot_drop"].dtype == "boolean"
    assert diary["foot_drop"].tolist() == [True, False, pd.NA]
    assert diary["saddle_numbness"].tolist() == [True, False, pd.NA]
    assert diary["exercises_done"].isna().all()  # column not selected: never answered


def test_lists_from_json_text_or_lists_keep_none_apart_from_empty() -> None:
    raw = pd.DataFrame(
        {
            "patient_id": 1,
            "date": pd.date_range("2026-03-02", periods=4),
            "leg_pain": 5,
            "numbness": ['["big_toe", "sole"]', "[]", None, "null"],
            "tingling": [["heel"], [], None, ["shin"]],
        }
    )
    diary = diary_frame(raw)
    assert diary["numbness"].tolist() == [["big_toe", "sole"], [], None, None]
    assert diary["tingling"].tolist() == [["heel"], [], None, ["shin"]]
    assert diary["medications"].tolist() == [None] * 4


@pytest.mark.parametrize(
    "raw", [pd.DataFrame(), pd.DataFrame({"patient_id": [], "date": [], "leg_pain": []})]
)
def test_empty_input_gives_typed_empty_frame(raw: pd.DataFrame) -> None:
    diary = diary_frame(raw)
    assert list(diary.columns) == list(DIARY_COLUMNS)
    assert len(diary) == 0
    assert diary["date"].dtype == "datetime64[ns]"
    assert diary["foot_drop"].dtype == "boolean"


def test_repeated_day_keeps_the_last_row() -> None:
    raw = pd.DataFrame({"patient_id": [1, 1], "date": ["2026-03-02", "2026-03-02T18:00"], "leg_pain": [3, 7]})
    diary = diary_frame(raw)
    assert len(diary) == 1 and diary["leg_pain"].iloc[0] == 7


@pytest.mark.parametrize(
    ("column", "value"),
    [("radiation", "ankle"), ("side", "middle"), ("foot_drop", "yes"), ("numbness", "{not json")],
)
def test_values_outside_the_contract_raise(column: str, value: object) -> None:
    raw = pd.DataFrame({"patient_id": [1], "date": ["2026-03-02"], "leg_pain": [3], column: [value]})
    with pytest.raises(ValueError, match=column):
        diary_frame(raw)


def test_missing_required_column_raises() -> None:
    with pytest.raises(ValueError, match="leg_pain"):
        diary_frame(pd.DataFrame({"patient_id": [1], "date": ["2026-03-02"]}))


def test_daily_frame_keeps_gaps_as_empty_rows(make_diary) -> None:
    diary = make_diary([4, None, None, 6], radiation="thigh", numbness=[], foot_drop=False)
    days = daily_frame(diary, 1)
    assert len(days) == 4
    assert days["leg_pain"].isna().tolist() == [False, True, True, False]
    assert days["numbness"].tolist() == [[], None, None, []]
    assert days["foot_drop"].isna().tolist() == [False, True, True, False]
    assert (days["patient_id"] == 1).all()


def test_daily_frame_explicit_range_and_other_patients_ignored(make_diary) -> None:
    diary = pd.concat([make_diary([4, 5]), make_diary([9, 9], patient_id=2)], ignore_index=True)
    days = daily_frame(diary, 1, start=make_diary.day(-1), end=make_diary.day(2))
    assert days["leg_pain"].tolist() == [pd.NA, 4, 5, pd.NA]


@settings(max_examples=25, deadline=None)
@given(st.permutations(range(6)))
def test_row_order_does_not_matter(order: list[int]) -> None:
    raw = pd.DataFrame(
        {
            "patient_id": [1, 1, 1, 2, 2, 2],
            "date": ["2026-03-02", "2026-03-03", "2026-03-05"] * 2,
            "leg_pain": [1, 2, 3, 4, 5, 6],
            "numbness": ['["shin"]', None, "[]"] * 2,
        }
    )
    expected = diary_frame(raw)
    pd.testing.assert_frame_equal(diary_frame(raw.iloc[order]), expected)
