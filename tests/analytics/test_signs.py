"""Positive signs: centralization and pain improvement, mirrors of the warning rules."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from tracker.analytics.signs import positive_signs

from .test_entry_rules import STEADY, steady


def signs(diary, day: dt.date) -> dict[str, dict]:
    return {s["sign"]: s for s in positive_signs(diary, day)}


def test_centralization_at_one_level_more_proximal(make_diary) -> None:
    diary = make_diary([4] * 17, **steady(radiation=["calf"] * 14 + ["knee"] * 3))
    sign = signs(diary, make_diary.day(16))["centralization"]
    assert sign["raised_on"] == make_diary.day(16)
    assert sign["evidence"]["recent_median"] == 3.0 and sign["evidence"]["baseline_median"] == 4.0
    assert sign["message"].startswith("Good news")
    json.dumps(sign["evidence"], allow_nan=False)


@pytest.mark.parametrize(
    "radiation",
    [
        ["calf", "knee"] * 7 + ["knee"] * 3,  # 3 vs 3.5: half a level only
        ["calf"] * 14 + ["calf", "calf", "knee"],  # one good day
        ["calf"] * 17,  # steady
    ],
)
def test_no_centralization_below_threshold(make_diary, radiation: list[str]) -> None:
    diary = make_diary([4] * 17, **steady(radiation=radiation))
    assert "centralization" not in signs(diary, make_diary.day(16))


def test_pain_improvement_at_two_points(make_diary) -> None:
    diary = make_diary([6] * 14 + [4] * 7, **STEADY)
    sign = signs(diary, make_diary.day(20))["pain_improvement"]
    assert sign["evidence"]["change"] == -2.0
    assert "4.0" in sign["message"] and "6.0" in sign["message"]


@pytest.mark.parametrize(
    "pain",
    [
        [6] * 14 + [4] * 6 + [5],  # 4.14: just short of 2 points
        [6] * 14 + [None, None, None, 6, 6, 6, 0],  # one good day on 4 entries: 4.5 ≤ 4 is false anyway
        [9] * 14 + [None, None, None, 9, 9, 9, 0],  # one very good day: 6.75 ≤ 7, but a single day
        [6] * 14 + [None, None, None, None, 4, 4, 4],  # three recent entries only
    ],
)
def test_no_pain_improvement_below_threshold(make_diary, pain: list[int | None]) -> None:
    diary = make_diary(pain, **STEADY)
    assert "pain_improvement" not in signs(diary, make_diary.day(20))


def test_signs_ignore_later_entries_and_missing_days(make_diary) -> None:
    diary = make_diary([6] * 14 + [4] * 7 + [9] * 7, **STEADY)
    assert "pain_improvement" in signs(diary, make_diary.day(20))
    assert positive_signs(make_diary([6, None, 4], **STEADY), make_diary.day(1)) == []
