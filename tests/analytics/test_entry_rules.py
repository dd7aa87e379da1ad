"""Diary escalation rules: each fires at its threshold and not just below, not on one bad
day, not across gaps that leave too few entries, and respects its window edges."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tracker.analytics.rules import RULES, Finding, evaluate_entry_rules

# A steady patient: answers every question, nothing changes.
STEADY: dict[str, Any] = {
    "radiation": "thigh",
    "side": "left",
    "numbness": [],
    "tingling": ["outer_calf"],
    "foot_drop": False,
    "heel_walk": "normal",
    "toe_walk": "normal",
    "walking_minutes": 60,
    "bladder_or_bowel_change": False,
    "saddle_numbness": False,
}


def fired(diary, day) -> dict[str, Finding]:
    return {f.rule: f for f in evaluate_entry_rules(diary, day)}


def steady(**changes: Any) -> dict[str, Any]:
    return {**STEADY, **changes}


def gaps(values: list[Any], present: list[int | None]) -> list[Any]:
    """values where `present` has an entry, None elsewhere (for leg_pain: no entry that day)."""
    return [v if p is not None else None for v, p in zip(values, present, strict=True)]


# --- cauda_equina_signs -------------------------------------------------------------


@pytest.mark.parametrize(
    "sign",
    [{"bladder_or_bowel_change": True}, {"saddle_numbness": 1}, {"numbness": ["sole", "saddle"]}],
)
def test_cauda_equina_fires_on_any_sign_even_on_a_first_entry(make_diary, sign: dict[str, Any]) -> None:
    diary = make_diary([4], **steady(**sign))
    finding = fired(diary, make_diary.day(0))["cauda_equina_signs"]
    assert finding.severity == "emergency"
    assert finding.raised_on == make_diary.day(0)
    assert finding.patient_message.startswith("Seek emergency care today")
    assert "cauda equina syndrome" in finding.patient_message
    assert "A&E" in finding.patient_message and "emergency department" in finding.patient_message


@pytest.mark.parametrize(
    "fields",
    [
        steady(),
        steady(bladder_or_bowel_change=None, saddle_numbness=None, numbness=None),
        steady(tingling=["saddle"]),  # PRODUCT.md names numbness regions only
    ],
)
def test_cauda_equina_quiet_without_a_reported_sign(make_diary, fields: dict[str, Any]) -> None:
    diary = make_diary([4] * 5, **fields)
    assert "cauda_equina_signs" not in fired(diary, make_diary.day(4))


def test_cauda_equina_raised_on_the_day_when_back_filled(make_diary) -> None:
    diary = make_diary([4] * 10, **steady(bladder_or_bowel_change=[False] * 5 + [True] + [False] * 4))
    assert "cauda_equina_signs" in fired(diary, make_diary.day(5))
    assert "cauda_equina_signs" not in fired(diary, make_diary.day(6))


# --- new_foot_drop / motor_weakness_progression (diary) ----------------------------


NEW_SIGNS = [
    ("new_foot_drop", "foot_drop", True, False),
    ("new_foot_drop", "heel_walk", "unable", "difficult"),
    ("motor_weakness_progression", "toe_walk", "unable", "difficult"),
]


@pytest.mark.parametrize(("rule", "field", "sign", "other"), NEW_SIGNS)
def test_new_sign_fires_with_no_prior_entries(
    make_diary, rule: str, field: str, sign: Any, other: Any
) -> None:
    diary = make_diary([4], **steady(**{field: sign}))
    finding = fired(diary, make_diary.day(0))[rule]
    assert finding.severity == "urgent"
    assert finding.evidence["prior_entries"] == 0


@pytest.mark.parametrize(("rule", "field", "sign", "other"), NEW_SIGNS)
@pytest.mark.parametrize(("earlier", "fires"), [(14, False), (15, True)])
def test_new_sign_window_is_the_14_days_before(
    make_diary, rule: str, field: str, sign: Any, other: Any, earlier: int, fires: bool
) -> None:
    # The sign on day 20 - earlier and on day 20; normal days in between.
    values = [other] * 21
    values[20 - earlier] = values[20] = sign
    diary = make_diary([4] * 21, **steady(**{field: values}))
    assert (rule in fired(diary, make_diary.day(20))) is fires


@pytest.mark.parametrize(("rule", "field", "sign", "other"), NEW_SIGNS)
def test_new_sign_not_raised_again_while_it_persists(
    make_diary, rule: str, field: str, sign: Any, other: Any
) -> None:
    diary = make_diary([4] * 6, **steady(**{field: [other] * 3 + [sign] * 3}))
    assert rule in fired(diary, make_diary.day(3))
    assert rule not in fired(diary, make_diary.day(4))
    assert rule not in fired(diary, make_diary.day(5))


@pytest.mark.parametrize(("rule", "field", "sign", "other"), NEW_SIGNS)
def test_new_sign_quiet_when_not_reported_or_unanswered(
    make_diary, rule: str, field: str, sign: Any, other: Any
) -> None:
    assert rule not in fired(make_diary([4] * 3, **steady(**{field: other})), make_diary.day(2))
    assert rule not in fired(make_diary([4] * 3, **steady(**{field: None})), make_diary.day(2))


def test_foot_drop_evidence_names_what_was_seen(make_diary) -> None:
    diary = make_diary(
        [4] * 3, **steady(foot_drop=[False, False, True], heel_walk=["normal", "normal", "unable"])
    )
    finding = fired(diary, make_diary.day(2))["new_foot_drop"]
    assert finding.evidence == {
        "foot_drop": True,
        "heel_walk": "unable",
        "prior_entries": 2,
        "prior_window": [make_diary.day(-12).isoformat(), make_diary.day(1).isoformat()],
    }
    assert "foot drop and unable to heel-walk" in finding.message


# --- new_bilateral_symptoms ----------------------------------------------------------


def test_bilateral_fires_after_one_sided_entries(make_diary) -> None:
    diary = make_diary([4] * 6, **steady(side=["left"] * 5 + ["both"]))
    finding = fired(diary, make_diary.day(5))["new_bilateral_symptoms"]
    assert finding.severity == "urgent" and finding.evidence["prior_entries"] == 5


def test_bilateral_needs_a_prior_answered_entry(make_diary) -> None:
    assert "new_bilateral_symptoms" not in fired(make_diary([4], **steady(side="both")), make_diary.day(0))
    unanswered_before = make_diary([4] * 3, **steady(side=[None, None, "both"]))
    assert "new_bilateral_symptoms" not in fired(unanswered_before, make_diary.day(2))


@pytest.mark.parametrize(("earlier", "fires"), [(14, False), (15, True)])
def test_bilateral_window_edge(make_diary, earlier: int, fires: bool) -> None:
    side = ["left"] * 21
    side[20 - earlier] = side[20] = "both"
    diary = make_diary([4] * 21, **steady(side=side))
    assert ("new_bilateral_symptoms" in fired(diary, make_diary.day(20))) is fires


def test_bilateral_with_the_only_prior_entry_outside_the_window(make_diary) -> None:
    pain = [4] + [None] * 15 + [4]  # day 0 and day 16: nothing in the 14 days before day 16
    diary = make_diary(pain, **steady(side=["left"] * 16 + ["both"]))
    assert "new_bilateral_symptoms" not in fired(diary, make_diary.day(16))


# --- peripheralization ---------------------------------------------------------------


def radiation_diary(
    make_diary,
    recent: list[str | None],
    baseline: list[str | None] | None = None,
    *,
    unanswered_is_entry: bool = False,
):
    """14 baseline days (thigh unless given), then the recent days. A None level is a day
    without an entry, or with `unanswered_is_entry` an entry that skipped the question."""
    baseline = ["thigh"] * 14 if baseline is None else baseline
    levels = baseline + recent
    pain = [4 if level is not None or unanswered_is_entry else None for level in levels]
    return make_diary(pain, **steady(radiation=levels))


def test_peripheralization_fires_at_one_level(make_diary) -> None:
    diary = radiation_diary(make_diary, ["knee", "knee", "knee"])
    finding = fired(diary, make_diary.day(16))["peripheralization"]
    assert finding.severity == "warning"
    assert finding.evidence["recent_median"] == 3.0 and finding.evidence["baseline_median"] == 2.0
    assert finding.evidence["baseline_entries"] == 14
    assert finding.evidence["recent_dates"] == [make_diary.day(i).isoformat() for i in (14, 15, 16)]


def test_peripheralization_quiet_just_below(make_diary) -> None:
    diary = radiation_diary(make_diary, ["knee"] * 3, baseline=["thigh", "knee"] * 7)  # 3 vs 2.5
    assert "peripheralization" not in fired(diary, make_diary.day(16))


def test_peripheralization_one_bad_day_is_not_enough(make_diary) -> None:
    diary = radiation_diary(make_diary, ["thigh", "thigh", "foot"])
    assert "peripheralization" not in fired(diary, make_diary.day(16))
    two_bad_days = radiation_diary(make_diary, ["thigh", "foot", "foot"])
    assert "peripheralization" in fired(two_bad_days, make_diary.day(16))


@pytest.mark.parametrize(("first", "fires"), [(16, True), (15, False)])
def test_peripheralization_last_three_within_five_days(make_diary, first: int, fires: bool) -> None:
    # The three distal entries on `first`, 19 and 20 (day 20 - 4 = 16 is the earliest allowed),
    # and 14 baseline days before `first`.
    levels: list[str | None] = [None] * 21
    levels[first] = levels[19] = levels[20] = "knee"
    levels[first - 14 : first] = ["thigh"] * 14
    diary = radiation_diary(make_diary, [], baseline=levels)
    assert ("peripheralization" in fired(diary, make_diary.day(20))) is fires


def test_peripheralization_skips_entries_without_radiation(make_diary) -> None:
    diary = radiation_diary(make_diary, ["knee", None, "knee", "knee"], unanswered_is_entry=True)
    assert "peripheralization" not in fired(diary, make_diary.day(15))  # the day itself unanswered
    assert "peripheralization" in fired(diary, make_diary.day(17))


@pytest.mark.parametrize(("baseline_entries", "fires"), [(3, False), (4, True)])
def test_peripheralization_needs_four_baseline_entries(
    make_diary, baseline_entries: int, fires: bool
) -> None:
    # Recent entries on days 15-17; baseline window days 1-14; day 0 is outside it.
    levels: list[str | None] = [None] * 15
    levels[0] = "thigh"
    for i in range(14, 14 - baseline_entries, -1):
        levels[i] = "thigh"
    diary = radiation_diary(make_diary, ["knee"] * 3, baseline=levels)
    assert ("peripheralization" in fired(diary, make_diary.day(17))) is fires


# --- pain_worsening ------------------------------------------------------------------


def pain_diary(make_diary, baseline: list[int | None], recent: list[int | None]):
    return make_diary(baseline + recent, **STEADY)


def test_pain_worsening_fires_at_two_points(make_diary) -> None:
    diary = pain_diary(make_diary, [3] * 14, [5] * 7)
    finding = fired(diary, make_diary.day(20))["pain_worsening"]
    assert finding.severity == "warning"
    assert finding.evidence["criteria"] == ["mean_rise"]
    assert finding.evidence["recent_mean"] == 5.0 and finding.evidence["baseline_mean"] == 3.0
    assert finding.evidence["recent_entries"] == 7 and finding.evidence["baseline_entries"] == 14
    assert finding.evidence["recent_window"] == [
        make_diary.day(14).isoformat(),
        make_diary.day(20).isoformat(),
    ]
    assert finding.evidence["baseline_window"] == [
        make_diary.day(0).isoformat(),
        make_diary.day(13).isoformat(),
    ]
    assert "5.0" in finding.message and "3.0" in finding.message


def test_pain_worsening_exact_threshold_despite_float_noise(make_diary) -> None:
    # 19/6 and 7/6 + 2 are equal, but 19/6 >= 7/6 + 2 is False in floating point.
    baseline = [None] * 8 + [2, 1, 1, 1, 1, 1]
    diary = pain_diary(make_diary, baseline, [None, 1, 1, 4, 4, 4, 5])
    assert fired(diary, make_diary.day(20))["pain_worsening"].evidence["change"] == 2.0
    diary = pain_diary(make_diary, baseline, [None, 1, 1, 4, 4, 4, 4])  # 18/6: just below
    assert "pain_worsening" not in fired(diary, make_diary.day(20))


def test_pain_worsening_quiet_just_below(make_diary) -> None:
    diary = pain_diary(make_diary, [3] * 14, [5, 5, 5, 5, 5, 5, 4])  # 4.86 vs 3
    assert "pain_worsening" not in fired(diary, make_diary.day(20))


def test_pain_worsening_one_bad_day_is_not_enough(make_diary) -> None:
    # Four recent entries: a single 10 lifts the mean from 1 to 3.25 (≥ 1 + 2) on its own.
    one_bad_day = pain_diary(make_diary, [1] * 14, [None, None, None, 1, 1, 1, 10])
    assert "pain_worsening" not in fired(one_bad_day, make_diary.day(20))
    two_bad_days = pain_diary(make_diary, [1] * 14, [None, None, None, 1, 1, 10, 10])
    assert "pain_worsening" in fired(two_bad_days, make_diary.day(20))


@pytest.mark.parametrize(
    ("recent", "fires"), [([7, None, 7, None, 7, None, None], False), ([7, None, 7, None, 7, None, 7], True)]
)
def test_pain_worsening_needs_four_recent_entries(make_diary, recent: list[int | None], fires: bool) -> None:
    diary = pain_diary(make_diary, [3] * 14, recent[::-1])  # the day's own entry is always there
    assert ("pain_worsening" in fired(diary, make_diary.day(20))) is fires


@pytest.mark.parametrize(("baseline_days", "fires"), [([0, 11, 12, 13], False), ([1, 11, 12, 13], True)])
def test_pain_worsening_baseline_window_edge(make_diary, baseline_days: list[int], fires: bool) -> None:
    # Evaluated on day 21: recent days 15-21, baseline days 1-14 (day 0 is outside).
    pain: list[int | None] = [None] * 22
    for i in baseline_days:
        pain[i] = 3
    pain[18:22] = [6, 6, 6, 6]
    baseline = pain[:15]
    diary = pain_diary(make_diary, baseline, pain[15:])
    assert ("pain_worsening" in fired(diary, make_diary.day(21))) is fires


def test_pain_worsening_three_severe_days(make_diary) -> None:
    diary = pain_diary(make_diary, [7] * 14, [7, 7, 7, 7, 8, 9, 8])
    finding = fired(diary, make_diary.day(20))["pain_worsening"]
    assert finding.evidence["criteria"] == ["severe_pain_3_days"]
    assert finding.evidence["severe_pain"] == [8, 9, 8]
    assert "pain_worsening" not in fired(diary, make_diary.day(19))  # only two days so far


@pytest.mark.parametrize("recent", [[7, 7, 7, 8, 8, None, 8], [7, 7, 7, 7, 8, 8, 7]])
def test_severe_pain_needs_three_consecutive_logged_days(make_diary, recent: list[int | None]) -> None:
    diary = pain_diary(make_diary, [7] * 14, recent)
    assert "pain_worsening" not in fired(diary, make_diary.day(20))


def test_severe_pain_raised_once_per_run(make_diary) -> None:
    diary = pain_diary(make_diary, [], [9] * 6)
    raised = [bool(fired(diary, make_diary.day(i)).get("pain_worsening")) for i in range(6)]
    assert raised == [False, False, True, False, False, False]


# --- walking_decline -----------------------------------------------------------------


def walking_diary(make_diary, baseline: list[int | None], recent: list[int | None]):
    minutes = baseline + recent
    return make_diary([4] * len(minutes), **steady(walking_minutes=minutes))


def test_walking_decline_fires_at_half(make_diary) -> None:
    diary = walking_diary(make_diary, [60] * 14, [30] * 7)
    finding = fired(diary, make_diary.day(20))["walking_decline"]
    assert finding.evidence["recent_median"] == 30.0 and finding.evidence["baseline_median"] == 60.0
    assert "walking_decline" not in fired(walking_diary(make_diary, [60] * 14, [31] * 7), make_diary.day(20))


@pytest.mark.parametrize(("baseline", "recent", "fires"), [(9, 0, False), (10, 5, True)])
def test_walking_decline_needs_a_baseline_of_ten_minutes(
    make_diary, baseline: int, recent: int, fires: bool
) -> None:
    diary = walking_diary(make_diary, [baseline] * 14, [recent] * 7)
    assert ("walking_decline" in fired(diary, make_diary.day(20))) is fires


def test_walking_decline_one_bad_day_is_not_enough(make_diary) -> None:
    diary = walking_diary(make_diary, [60] * 14, [60] * 6 + [5])
    assert "walking_decline" not in fired(diary, make_diary.day(20))


@pytest.mark.parametrize(
    ("baseline", "recent", "fires"),
    [
        ([60, 60] + [None] * 12, [20] * 7, False),
        ([60, 60, 60] + [None] * 11, [20] * 7, True),
        ([60] * 14, [None] * 5 + [20, 20], False),
        ([60] * 14, [None] * 4 + [20, 20, 20], True),
    ],
)
def test_walking_decline_needs_three_answers_each(
    make_diary, baseline: list, recent: list, fires: bool
) -> None:
    diary = walking_diary(make_diary, baseline, recent)
    assert ("walking_decline" in fired(diary, make_diary.day(20))) is fires


# --- numbness_spreading --------------------------------------------------------------


def numbness_diary(
    make_diary, recent: list[list[str] | None], baseline: list[list[str] | None] | None = None, **fields: Any
):
    baseline = [[]] * 14 if baseline is None else baseline
    numbness = baseline + recent
    pain = fields.pop("pain", [4] * len(numbness))
    return make_diary(pain, **steady(numbness=numbness, **fields))


def test_numbness_spreading_fires_on_the_second_day(make_diary) -> None:
    diary = numbness_diary(make_diary, [[], ["big_toe"], ["big_toe", "sole"]])
    assert "numbness_spreading" not in fired(diary, make_diary.day(15))  # one day only
    finding = fired(diary, make_diary.day(16))["numbness_spreading"]
    assert finding.evidence["new_regions"] == ["big_toe"]  # sole: one entry only
    assert finding.evidence["baseline_entries"] == 14
    assert "big_toe" in finding.message


def test_numbness_spreading_needs_the_days_own_entry(make_diary) -> None:
    diary = numbness_diary(make_diary, [["big_toe"], ["big_toe"], []])
    assert "numbness_spreading" in fired(diary, make_diary.day(15))
    assert "numbness_spreading" not in fired(diary, make_diary.day(16))


def test_numbness_spreading_counts_tingling_too(make_diary) -> None:
    tingling = [["outer_calf"]] * 15 + [["outer_calf", "heel"], ["outer_calf"]]
    diary = numbness_diary(make_diary, [[], [], ["heel"]], tingling=tingling)
    assert fired(diary, make_diary.day(16))["numbness_spreading"].evidence["new_regions"] == ["heel"]


def test_numbness_spreading_quiet_for_a_region_seen_before(make_diary) -> None:
    baseline = [[]] * 14
    baseline[3] = ["big_toe"]
    diary = numbness_diary(make_diary, [[], ["big_toe"], ["big_toe"]], baseline=baseline)
    assert "numbness_spreading" not in fired(diary, make_diary.day(16))
    assert "numbness_spreading" not in fired(
        numbness_diary(make_diary, [["outer_calf"]] * 3, tingling=["outer_calf"]), make_diary.day(16)
    )


@pytest.mark.parametrize(("answered", "fires"), [(3, False), (4, True)])
def test_numbness_spreading_needs_four_answered_baseline_entries(
    make_diary, answered: int, fires: bool
) -> None:
    # 14 baseline entries, only `answered` of them answered numbness or tingling.
    baseline: list[list[str] | None] = [None] * (14 - answered) + [[]] * answered
    tingling = [None] * (14 - answered) + [[]] * (answered + 3)
    diary = numbness_diary(make_diary, [[], ["shin"], ["shin"]], baseline=baseline, tingling=tingling)
    assert ("numbness_spreading" in fired(diary, make_diary.day(16))) is fires


def test_numbness_spreading_baseline_window_edge(make_diary) -> None:
    # big_toe on day 0 is 15 days before the first recent entry (day 15): outside the window.
    baseline = [["big_toe"]] + [[]] * 14
    diary = numbness_diary(make_diary, [[], ["big_toe"], ["big_toe"]], baseline=baseline)
    assert "numbness_spreading" in fired(diary, make_diary.day(17))
    baseline = [[]] + [["big_toe"]] + [[]] * 13
    diary = numbness_diary(make_diary, [[], ["big_toe"], ["big_toe"]], baseline=baseline)
    assert "numbness_spreading" not in fired(diary, make_diary.day(17))


# --- every rule together -------------------------------------------------------------


WARNINGS_AND_WORSE = {rule for rule, severity in RULES.items() if severity != "info"}


def test_steady_patient_raises_nothing_on_any_day(make_diary) -> None:
    diary = make_diary([5] * 45, **STEADY)
    assert all(evaluate_entry_rules(diary, make_diary.day(i)) == [] for i in range(45))


def test_improving_patient_raises_nothing_on_any_day(make_diary) -> None:
    n = 42
    diary = make_diary(
        [7 - i // 7 for i in range(n)],
        **steady(
            radiation=["foot"] * 14 + ["calf"] * 14 + ["knee"] * 14,
            numbness=[["big_toe", "sole"]] * 14 + [["big_toe"]] * 14 + [[]] * 14,
            tingling=[],
            walking_minutes=[10 + 2 * i for i in range(n)],
        ),
    )
    assert all(evaluate_entry_rules(diary, make_diary.day(i)) == [] for i in range(n))


def test_no_entry_on_the_day_gives_nothing(make_diary) -> None:
    diary = make_diary([4, None, 4], **steady(bladder_or_bowel_change=True))
    assert evaluate_entry_rules(diary, make_diary.day(1)) == []
    assert evaluate_entry_rules(diary.iloc[0:0], make_diary.day(1)) == []


def test_everything_at_once_sorted_by_severity_and_json_safe(make_diary) -> None:
    n = 21
    worse = 18  # last 3 days
    diary = make_diary(
        [3] * worse + [9, 9, 9],
        **steady(
            radiation=["thigh"] * worse + ["foot"] * 3,
            side=["left"] * (n - 1) + ["both"],
            numbness=[[]] * worse + [["big_toe"], ["big_toe"], ["saddle", "big_toe"]],
            foot_drop=[False] * (n - 1) + [True],
            toe_walk=["normal"] * (n - 1) + ["unable"],
            walking_minutes=[60] * 14 + [5] * 7,
            bladder_or_bowel_change=[None] * (n - 1) + [True],
        ),
    )
    findings = evaluate_entry_rules(diary, make_diary.day(n - 1))
    assert {f.rule for f in findings} == WARNINGS_AND_WORSE - {"reflex_loss", "odi_worsening"}
    assert [f.severity for f in findings] == sorted(
        (f.severity for f in findings), key=["emergency", "urgent", "warning"].index
    )
    for finding in findings:
        assert finding.severity == RULES[finding.rule]
        assert finding.raised_on == make_diary.day(n - 1)
        json.dumps(finding.to_dict(), allow_nan=False)
        assert finding.message and finding.patient_message


def test_several_patients_are_refused(make_diary) -> None:
    import pandas as pd

    both = pd.concat([make_diary([4]), make_diary([4], patient_id=2)])
    with pytest.raises(ValueError, match="one patient"):
        evaluate_entry_rules(both, make_diary.day(0))
