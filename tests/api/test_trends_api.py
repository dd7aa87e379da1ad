"""GET /me/trends/weekly and /patients/{id}/trends/weekly: ISO weeks, oldest first, figures by hand."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from tests.conftest import Account, make_clinician, make_patient, assert_problem

API = "/api/v1"
PROBLEM = "application/problem+json"
WEEK_FIELDS = {
    "week_start", "days_logged", "leg_pain_mean", "leg_pain_min", "leg_pain_max", "back_pain_mean",
    "radiation_median", "radiation_max", "numbness_share", "walking_minutes_median", "foot_drop_days",
    "heel_walk_worst", "toe_walk_worst", "odi", "leg_pain_change", "leg_pain_change_from_first",
    "classification",
}




def monday(patient: Account, weeks_ago: int = 0) -> date:
    """The Monday of the patient's current ISO week, `weeks_ago` weeks back."""
    today = patient.today()
    return today - timedelta(days=today.weekday(), weeks=weeks_ago)


def put(client: Any, patient: Account, day: date, **answers: Any) -> None:
    response = client.put(f"{API}/me/entries/{day.isoformat()}", json=answers, headers=patient.headers)
    assert response.status_code in (200, 201), response.get_json()


def trends(client: Any, who: Account, weeks: int | None = None, patient: Account | None = None) -> list[dict]:
    base = f"{API}/patients/{patient.id}/trends/weekly" if patient else f"{API}/me/trends/weekly"
    response = client.get(base + (f"?weeks={weeks}" if weeks is not None else ""), headers=who.headers)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert set(body) == {"weeks"}
    for week in body["weeks"]:
        assert set(week) == WEEK_FIELDS, set(week) ^ WEEK_FIELDS
    return body["weeks"]


def week_of(weeks: list[dict], start: date) -> dict[str, Any]:
    (found,) = [w for w in weeks if w["week_start"] == start.isoformat()]
    return found


# --- the shape -------------------------------------------------------------------------------


@pytest.mark.parametrize("weeks", [1, 3, 12, 104])
def test_n_weeks_oldest_first_each_starting_on_a_monday(client, patient, weeks):
    put(client, patient, patient.today(), leg_pain=3)
    listed = trends(client, patient, weeks)
    assert len(listed) == weeks
    starts = [date.fromisoformat(w["week_start"]) for w in listed]
    assert all(s.weekday() == 0 for s in starts)
    assert starts == [monday(patient, weeks - 1 - i) for i in range(weeks)]
    assert starts[-1] <= patient.today() < starts[-1] + timedelta(days=7)
    assert listed[-1]["days_logged"] == 1


def test_default_is_twelve_weeks(client, patient):
    assert len(trends(client, patient)) == 12


def test_an_empty_diary_lists_empty_weeks_with_nulls(client, patient):
    listed = trends(client, patient, 4)
    assert len(listed) == 4
    for week in listed:
        assert week["days_logged"] == 0
        assert {k: v for k, v in week.items() if k not in ("week_start", "days_logged")} == dict.fromkeys(
            WEEK_FIELDS - {"week_start", "days_logged"})


def test_weeks_follow_the_patients_time_zone(client):
    far_east = make_patient(client, "Kiri", timezone="Pacific/Kiritimati")  # UTC+14
    far_west = make_patient(client, "Pago", timezone="Pacific/Pago_Pago")  # UTC-11
    for patient in (far_east, far_west):
        put(client, patient, patient.today(), leg_pain=5)
        (week,) = trends(client, patient, 1)
        assert week["week_start"] == monday(patient).isoformat()
        assert (week["days_logged"], week["leg_pain_mean"]) == (1, 5)


def test_bad_weeks_is_422(client, linked):
    patient, clinician = linked
    for query in ("weeks=0", "weeks=105", "weeks=x", "weeks=-1", "weeks=2.5", "weeks=", "week=3"):
        for url, who in ((f"{API}/me/trends/weekly?{query}", patient),
                         (f"{API}/patients/{patient.id}/trends/weekly?{query}", clinician)):
            body = assert_problem(client.get(url, headers=who.headers), 422)
            assert body.get("errors"), (query, body)
            assert query.split("=")[0] in body["errors"], (query, body)


# --- the figures, by hand -------------------------------------------------------------------


def test_a_weeks_figures(client, patient):
    start = monday(patient, 1)  # last week: every day of it is in the past
    mon, tue, wed, thu, sat = (start + timedelta(days=n) for n in (0, 1, 2, 3, 5))
    put(client, patient, mon, leg_pain=4, back_pain=2, radiation="thigh", numbness=["outer_calf"],
        walking_minutes=30, foot_drop=False, heel_walk="normal", toe_walk="normal")
    put(client, patient, tue, leg_pain=6, back_pain=4, radiation="calf", numbness=[],
        walking_minutes=20, foot_drop=True, heel_walk="difficult", toe_walk="normal")
    put(client, patient, thu, leg_pain=5, radiation="foot", numbness=["big_toe", "sole"],
        walking_minutes=10, foot_drop=True, heel_walk="unable")
    put(client, patient, sat, leg_pain=3, walking_minutes=25, heel_walk="normal")  # the rest unanswered
    response = client.put(f"{API}/me/odi/{wed.isoformat()}", json={"answers": [2] * 10}, headers=patient.headers)
    assert response.get_json()["score"] == 40.0

    listed = trends(client, patient, 3)
    week = week_of(listed, start)
    assert week == {
        "week_start": start.isoformat(),
        "days_logged": 4,
        "leg_pain_mean": 4.5,  # (4 + 6 + 5 + 3) / 4
        "leg_pain_min": 3,
        "leg_pain_max": 6,
        "back_pain_mean": 3.0,  # (2 + 4) / 2: two days answered
        "radiation_median": 4.0,  # thigh 2, calf 4, foot 5
        "radiation_max": 5,
        "numbness_share": pytest.approx(0.67, abs=0.005),  # 2 of the 3 days that answered
        "walking_minutes_median": 22.5,  # 10, 20, 25, 30
        "foot_drop_days": 2,
        "heel_walk_worst": "unable",
        "toe_walk_worst": "normal",
        "odi": 40.0,
        "leg_pain_change": None,  # no entries the week before
        "leg_pain_change_from_first": 0.0,  # it is the first logged week
        "classification": "stable",
    }
    # The week before and this week: nothing logged.
    assert week_of(listed, monday(patient, 2))["days_logged"] == 0
    this_week = week_of(listed, monday(patient))
    assert this_week["days_logged"] == 0
    assert this_week["leg_pain_mean"] is None and this_week["classification"] is None


def test_unanswered_fields_give_nulls_not_zeros(client, patient):
    start = monday(patient, 1)
    put(client, patient, start, leg_pain=5)
    put(client, patient, start + timedelta(days=2), leg_pain=7)
    week = week_of(trends(client, patient, 2), start)
    assert (week["days_logged"], week["leg_pain_mean"]) == (2, 6.0)
    for name in ("back_pain_mean", "radiation_median", "radiation_max", "numbness_share",
                 "walking_minutes_median", "foot_drop_days", "heel_walk_worst", "toe_walk_worst", "odi"):
        assert week[name] is None, name


def test_changes_and_classification_against_the_first_logged_week(client, patient):
    # Mean leg pain by week, oldest first: 5 (first logged), 3, 7, 6.
    # From the first: -2 improved, +2 worse, +1 stable; from the week before: -2, +4, -1.
    means = {4: (5, 5), 3: (2, 4), 2: (7, 7), 1: (6, 6)}
    for weeks_ago, pains in means.items():
        for offset, pain in enumerate(pains):
            put(client, patient, monday(patient, weeks_ago) + timedelta(days=2 * offset), leg_pain=pain)
    listed = trends(client, patient, 5)
    got = [(w["leg_pain_mean"], w["leg_pain_change"], w["leg_pain_change_from_first"], w["classification"])
           for w in listed]
    assert got == [
        (5.0, None, 0.0, "stable"),
        (3.0, -2.0, -2.0, "improved"),
        (7.0, 4.0, 2.0, "worse"),
        (6.0, -1.0, 1.0, "stable"),
        (None, None, None, None),  # this week, nothing logged yet
    ]

    # The first logged week is still the reference when it is outside the weeks asked for.
    last_two = trends(client, patient, 2)
    assert [(w["leg_pain_change_from_first"], w["classification"]) for w in last_two] == [
        (1.0, "stable"), (None, None)]


def test_a_gap_week_between_logged_weeks(client, patient):
    put(client, patient, monday(patient, 3), leg_pain=8)
    put(client, patient, monday(patient, 1), leg_pain=4)
    listed = trends(client, patient, 4)
    assert [w["days_logged"] for w in listed] == [1, 0, 1, 0]
    gap, after = listed[1], listed[2]
    assert gap["leg_pain_mean"] is None and gap["classification"] is None
    # No entries the week before, so no week-on-week change; -4 from the first week.
    assert (after["leg_pain_change"], after["leg_pain_change_from_first"], after["classification"]) == (
        None, -4.0, "improved")


# --- the clinician's view --------------------------------------------------------------------


def test_a_linked_clinician_sees_the_patients_weeks(client, linked):
    patient, clinician = linked
    put(client, patient, monday(patient, 1), leg_pain=6, radiation="knee")
    put(client, patient, patient.today(), leg_pain=3)
    assert trends(client, clinician, 6, patient=patient) == trends(client, patient, 6)
    assert len(trends(client, clinician, patient=patient)) == 12


def test_trends_of_an_unlinked_patient_are_404_and_roles_are_kept(app, client, linked):
    patient, clinician = linked
    put(client, patient, patient.today(), leg_pain=3)
    stranger = make_clinician(app, client, "Dr Stranger")
    other = make_patient(client, "Other")
    url = f"{API}/patients/{patient.id}/trends/weekly"
    unlinked = assert_problem(client.get(url, headers=stranger.headers), 404)
    absent = assert_problem(client.get(f"{API}/patients/{patient.id + 999}/trends/weekly",
                                       headers=stranger.headers), 404)
    assert unlinked["detail"] == absent["detail"]
    assert_problem(client.get(url, headers=other.headers), 403)
    assert_problem(client.get(url), 401)
    assert_problem(client.get(f"{API}/me/trends/weekly", headers=clinician.headers), 403)
    assert_problem(client.get(f"{API}/me/trends/weekly"), 401)

    assert client.delete(f"{API}/me/clinicians/{clinician.id}", headers=patient.headers).status_code == 204
    assert_problem(client.get(url, headers=clinician.headers), 404)


def test_each_patient_gets_only_their_own_weeks(client):
    ann, bob = make_patient(client, "Ann"), make_patient(client, "Bob")
    put(client, ann, ann.today(), leg_pain=2)
    put(client, bob, bob.today(), leg_pain=9)
    assert trends(client, ann, 1)[0]["leg_pain_mean"] == 2.0
    assert trends(client, bob, 1)[0]["leg_pain_mean"] == 9.0
