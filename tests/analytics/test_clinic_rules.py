"""Assessment, ODI and missed-entry rules."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pandas as pd
import pytest

from tracker.analytics.rules import evaluate_assessment_rules, evaluate_odi_rules, missed_entries

FULL = {
    "ankle_dorsiflexion": 5,
    "big_toe_extension": 5,
    "foot_eversion": 5,
    "plantarflexion": 5,
    "achilles_reflex": "normal",
    "knee_reflex": "normal",
    "slr_positive": False,
    "slr_angle": None,
}


def assessments(*visits: dict[str, dict[str, Any]]) -> pd.DataFrame:
    """One row per assessment per side: visits[i] = {side: {field: value}} on day 7·i."""
    rows = [
        {
            "patient_id": 1,
            "assessment_id": i + 1,
            "date": dt.date(2026, 3, 2) + dt.timedelta(days=7 * i),
            "side": side,
            **FULL,
            **fields,
        }
        for i, visit in enumerate(visits)
        for side, fields in visit.items()
    ]
    return pd.DataFrame(rows)


def rules(frame: pd.DataFrame, assessment_id: int) -> dict[str, Any]:
    return {f.rule: f for f in evaluate_assessment_rules(frame, assessment_id)}


@pytest.mark.parametrize(
    ("before", "after", "fires"), [(5, 4, True), (4, 3, True), (5, 5, False), (3, 4, False), (2, 1, True)]
)
def test_mrc_grade_one_lower_is_progression(before: int, after: int, fires: bool) -> None:
    frame = assessments({"left": {"ankle_dorsiflexion": before}}, {"left": {"ankle_dorsiflexion": after}})
    found = rules(frame, 2)
    assert ("motor_weakness_progression" in found) is fires
    if fires:
        finding = found["motor_weakness_progression"]
        assert finding.severity == "urgent" and finding.raised_on == dt.date(2026, 3, 9)
        assert finding.evidence["changes"] == [
            {
                "side": "left",
                "muscle": "ankle_dorsiflexion",
                "previous": before,
                "current": after,
                "previous_assessment_id": 1,
                "previous_date": "2026-03-02",
            }
        ]
        assert f"left ankle dorsiflexion {before}→{after}" in finding.message
        json.dumps(finding.to_dict(), allow_nan=False)


def test_only_values_both_assessments_recorded_are_compared() -> None:
    frame = assessments(
        {"left": {"plantarflexion": None}}, {"left": {"plantarflexion": 2, "big_toe_extension": None}}
    )
    assert rules(frame, 2) == {}


def test_sides_are_compared_separately_with_the_sides_previous_assessment() -> None:
    frame = assessments(
        {"left": {}, "right": {"foot_eversion": 5}},
        {"left": {}},  # right side not examined at the second visit
        {"left": {}, "right": {"foot_eversion": 3}},
    )
    changes = rules(frame, 3)["motor_weakness_progression"].evidence["changes"]
    assert changes == [
        {
            "side": "right",
            "muscle": "foot_eversion",
            "previous": 5,
            "current": 3,
            "previous_assessment_id": 1,
            "previous_date": "2026-03-02",
        }
    ]
    assert rules(frame, 2) == {}


def test_a_muscle_skipped_at_one_visit_is_compared_with_the_visit_before() -> None:
    frame = assessments(
        {"left": {"big_toe_extension": 5}},
        {"left": {"big_toe_extension": None}},
        {"left": {"big_toe_extension": 4}},
    )
    change = rules(frame, 3)["motor_weakness_progression"].evidence["changes"][0]
    assert (change["previous"], change["previous_assessment_id"]) == (5, 1)


def test_a_side_with_every_value_empty_counts_as_not_examined() -> None:
    # The service reads both legs of every assessment; an unexamined leg is all None.
    empty_leg = dict.fromkeys(FULL)
    frame = assessments(
        {"right": {"achilles_reflex": "normal"}},
        {"right": empty_leg},
        {"right": {"achilles_reflex": "absent"}},
    )
    assert rules(frame, 3)["reflex_loss"].evidence["changes"][0]["previous"] == "normal"


@pytest.mark.parametrize(
    ("before", "after", "fires"),
    [
        ("normal", "reduced", True),
        ("reduced", "absent", True),
        ("normal", "absent", True),
        ("absent", "reduced", False),
        ("reduced", "reduced", False),
        (None, "absent", False),
    ],
)
def test_reflex_loss(before: str | None, after: str, fires: bool) -> None:
    frame = assessments({"right": {"achilles_reflex": before}}, {"right": {"achilles_reflex": after}})
    found = rules(frame, 2)
    assert ("reflex_loss" in found) is fires
    assert "motor_weakness_progression" not in found
    if fires:
        assert found["reflex_loss"].severity == "warning"
        assert found["reflex_loss"].evidence["changes"][0]["reflex"] == "achilles_reflex"


def test_first_or_unknown_assessment_raises_nothing() -> None:
    frame = assessments({"left": {"ankle_dorsiflexion": 1, "knee_reflex": "absent"}})
    assert evaluate_assessment_rules(frame, 1) == []
    assert evaluate_assessment_rules(frame, 99) == []


def test_an_improving_assessment_raises_nothing() -> None:
    frame = assessments(
        {"left": {"ankle_dorsiflexion": 3, "achilles_reflex": "absent"}},
        {"left": {"ankle_dorsiflexion": 4, "achilles_reflex": "reduced"}},
    )
    assert evaluate_assessment_rules(frame, 2) == []


# --- odi_worsening -----------------------------------------------------------------------


def odi(*scores: tuple[str, float | None]) -> pd.DataFrame:
    return pd.DataFrame({"patient_id": 1, "date": [d for d, _ in scores], "score": [s for _, s in scores]})


@pytest.mark.parametrize(("score", "fires"), [(40.0, True), (39.9, False), (20.0, False)])
def test_odi_worsening_at_ten_points(score: float, fires: bool) -> None:
    found = evaluate_odi_rules(odi(("2026-03-02", 30.0), ("2026-03-09", score)), dt.date(2026, 3, 9))
    assert bool(found) is fires
    if fires:
        assert found[0].rule == "odi_worsening" and found[0].raised_on == dt.date(2026, 3, 9)
        assert found[0].evidence == {
            "score": 40.0,
            "previous_score": 30.0,
            "previous_date": "2026-03-02",
            "change": 10.0,
        }


def test_odi_compares_with_the_latest_scored_questionnaire() -> None:
    frame = odi(("2026-02-23", 10.0), ("2026-03-02", 35.0), ("2026-03-05", None), ("2026-03-09", 42.0))
    assert evaluate_odi_rules(frame, dt.date(2026, 3, 9)) == []  # 42 vs 35, not vs 10


def test_odi_needs_a_score_today_and_one_before() -> None:
    assert evaluate_odi_rules(odi(("2026-03-09", 80.0)), dt.date(2026, 3, 9)) == []
    assert evaluate_odi_rules(odi(("2026-03-02", 10.0), ("2026-03-09", None)), dt.date(2026, 3, 9)) == []
    later = odi(("2026-03-02", 10.0), ("2026-03-16", 50.0))
    assert evaluate_odi_rules(later, dt.date(2026, 3, 2)) == []  # a later score is not "previous"


# --- missed_entries ----------------------------------------------------------------------


def test_missed_entries_boundary_is_three_whole_days() -> None:
    today = dt.date(2026, 3, 13)  # a Friday
    last = pd.DataFrame(
        {
            "patient_id": [1, 2, 3, 4, 5],
            "last_date": ["2026-03-09", "2026-03-10", "2026-03-13", None, "2026-03-01"],
        }
    )
    found = dict(missed_entries(last, today))
    # 1: Tue, Wed, Thu missed (today not over) → raised; 2: Wed, Thu only; 3: logged today;
    # 4: never logged → nothing; 5: 11 days.
    assert sorted(found) == [1, 5]
    finding = found[1]
    assert finding.rule == "missed_entries" and finding.severity == "info" and finding.raised_on == today
    assert finding.evidence == {"last_entry_date": "2026-03-09", "days_without_entry": 3}
    assert found[5].evidence["days_without_entry"] == 11
    assert "9 March" in finding.patient_message
    json.dumps(finding.to_dict(), allow_nan=False)


def test_missed_entries_per_patient_today() -> None:
    last = pd.DataFrame({"patient_id": [1, 2], "last_date": pd.to_datetime(["2026-03-09", "2026-03-09"])})
    found = dict(missed_entries(last, {1: dt.date(2026, 3, 12), 2: dt.date(2026, 3, 13)}))
    assert sorted(found) == [2]


def test_missed_entries_empty_caseload() -> None:
    assert missed_entries(pd.DataFrame({"patient_id": [], "last_date": []}), dt.date(2026, 3, 13)) == []
