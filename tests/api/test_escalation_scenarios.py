"""Escalation through the HTTP API: synthetic diaries back-filled day by day (or in one
batch), and which alert each write raised, on which diary day, with what evidence.

The rules' arithmetic is unit-tested in tests/analytics; here each scenario is built so the
expected day can be worked out by hand from PRODUCT.md "Escalation rules".
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.conftest import Account, make_clinician, make_patient, rows
from tracker.models import Alert

API = "/api/v1"
ALERT_KEYS = {"id", "patient_id", "rule", "severity", "status", "raised_on", "last_seen", "evidence",
              "message", "patient_message"}

# A quiet day of an L5 sciatica: answered fully, nothing that any rule looks for.
CALM = {
    "back_pain": 2,
    "side": "left",
    "radiation": "calf",
    "numbness": ["outer_calf"],
    "tingling": [],
    "heel_walk": "normal",
    "toe_walk": "normal",
    "foot_drop": False,
    "walking_minutes": 40,
    "bladder_or_bowel_change": False,
    "saddle_numbness": False,
}

Diary = dict[int, dict[str, Any]]  # days ago → the entry's answers


def calm(leg_pain: int = 3, **changes: Any) -> dict[str, Any]:
    return {**CALM, "leg_pain": leg_pain, **changes}


def put(client: Any, patient: Account, days_ago: int, answers: dict[str, Any]) -> dict[str, Any]:
    response = client.put(f"{API}/me/entries/{patient.day(days_ago)}", json=answers, headers=patient.headers)
    assert response.status_code in (200, 201), response.get_json()
    body = response.get_json()
    for alert in body["alerts_raised"]:
        assert ALERT_KEYS <= alert.keys(), alert
    return body


def backfill(client: Any, patient: Account, diary: Diary) -> dict[str, list[str]]:
    """PUT each day in date order; diary date → rules of the alerts that write opened."""
    raised: dict[str, list[str]] = {}
    for days_ago in sorted(diary, reverse=True):
        body = put(client, patient, days_ago, diary[days_ago])
        if body["alerts_raised"]:
            raised[patient.day(days_ago)] = sorted(a["rule"] for a in body["alerts_raised"])
    return raised


def batch(client: Any, patient: Account, diary: Diary, order: str = "date") -> dict[str, list[str]]:
    """The same diary in one POST /me/entries/batch; date → rules it opened."""
    days = sorted(diary, reverse=order == "date")
    items = [{"date": patient.day(d), **diary[d]} for d in days]
    response = client.post(f"{API}/me/entries/batch", json={"entries": items}, headers=patient.headers)
    assert response.status_code == 200, response.get_json()
    results = response.get_json()["items"]
    assert [r["status"] for r in results] == [201] * len(items), results
    for result in results:
        for alert in result["alerts_raised"]:
            assert ALERT_KEYS <= alert.keys(), alert
            if alert["severity"] == "emergency":  # the phone shows it as soon as it syncs
                assert "seek emergency care today" in alert["patient_message"].lower()
    return {r["date"]: sorted(a["rule"] for a in r["alerts_raised"]) for r in results if r["alerts_raised"]}


def my_alerts(client: Any, patient: Account) -> list[dict[str, Any]]:
    response = client.get(f"{API}/me/alerts", headers=patient.headers)
    assert response.status_code == 200, response.get_json()
    items = response.get_json()["items"]
    for alert in items:
        assert ALERT_KEYS <= alert.keys(), alert
        assert alert["patient_id"] == patient.id
    return items


def only(alerts: list[dict[str, Any]], rule: str) -> dict[str, Any]:
    found = [a for a in alerts if a["rule"] == rule]
    assert len(found) == 1, alerts
    return found[0]


def steady(days: range, **changes: Any) -> Diary:
    return {d: calm(**changes) for d in days}


# --- cauda equina ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "sign, evidence_sign",
    [
        ({"bladder_or_bowel_change": True}, "bladder_or_bowel_change"),
        ({"saddle_numbness": True}, "saddle_numbness"),
        ({"numbness": ["outer_calf", "saddle"]}, None),
    ],
    ids=["bladder_or_bowel", "saddle_numbness", "saddle_region"],
)
def test_cauda_equina_sign_is_an_emergency_told_to_the_patient_at_once(client, patient, sign, evidence_sign):
    assert backfill(client, patient, steady(range(6, 2, -1))) == {}
    body = put(client, patient, 2, calm(**sign))
    assert len(body["alerts_raised"]) == 1, body["alerts_raised"]
    alert = body["alerts_raised"][0]
    assert (alert["rule"], alert["severity"], alert["status"]) == ("cauda_equina_signs", "emergency", "open")
    # raised_on is the diary day, not the day the server received it.
    assert alert["raised_on"] == alert["last_seen"] == patient.day(2)
    assert "seek emergency care today" in alert["patient_message"].lower()
    assert alert["message"] and alert["message"] != alert["patient_message"]
    if evidence_sign:
        assert evidence_sign in alert["evidence"]["signs"]
    assert alert["evidence"]["signs"]

    listed = my_alerts(client, patient)
    assert [a["id"] for a in listed] == [alert["id"]]
    assert listed[0] == {**listed[0], **{k: alert[k] for k in ALERT_KEYS}}


def test_unanswered_red_flags_are_not_a_no_and_not_a_yes(client, patient):
    """Absent fields raise nothing; an explicit "no" raises nothing either."""
    put(client, patient, 3, {"leg_pain": 4})
    put(client, patient, 2, {"leg_pain": 4, "bladder_or_bowel_change": False, "saddle_numbness": False,
                             "numbness": []})
    assert my_alerts(client, patient) == []


# --- foot drop -------------------------------------------------------------------------


def test_new_foot_drop_after_three_weeks_without_is_urgent_on_that_day(client, patient):
    diary = steady(range(24, 3, -1))  # three weeks answering "no foot drop"
    diary[3] = calm(foot_drop=True)
    diary[2] = calm(foot_drop=True, heel_walk="unable")
    diary[1] = calm(foot_drop=True)
    raised = backfill(client, patient, diary)
    assert raised == {patient.day(3): ["new_foot_drop"]}

    alert = only(my_alerts(client, patient), "new_foot_drop")
    assert (alert["severity"], alert["status"], alert["raised_on"]) == ("urgent", "open", patient.day(3))
    # Still reported on days 2 and 1, but no longer new: no second alert, nothing to refresh.
    assert alert["last_seen"] == patient.day(3)
    assert alert["patient_message"] and alert["message"]


def test_heel_walk_unable_alone_is_new_foot_drop(client, patient):
    raised = backfill(client, patient, {**steady(range(10, 1, -1)), 1: calm(heel_walk="unable", foot_drop=None)})
    assert raised == {patient.day(1): ["new_foot_drop"]}


def test_foot_drop_already_reported_ten_days_earlier_is_not_new(app, client, linked):
    patient, clinician = linked
    diary = steady(range(20, 0, -1))
    diary[11] = calm(foot_drop=True)
    diary[1] = calm(foot_drop=True)
    raised = backfill(client, patient, {d: a for d, a in diary.items() if d > 1})
    assert raised == {patient.day(11): ["new_foot_drop"]}
    first = only(my_alerts(client, patient), "new_foot_drop")
    # Resolved, so de-duplication cannot hide a second firing: the rule itself must not fire.
    response = client.post(f"{API}/alerts/{first['id']}/resolve", json={}, headers=clinician.headers)
    assert response.status_code == 200, response.get_json()

    body = put(client, patient, 1, diary[1])
    assert body["alerts_raised"] == []
    alerts = my_alerts(client, patient)
    assert len(alerts) == 1
    assert (alerts[0]["status"], alerts[0]["last_seen"]) == ("resolved", patient.day(11))
    assert rows(app, Alert) == 1


# --- peripheralization -----------------------------------------------------------------


def test_peripheralization_thigh_calf_foot_is_raised_on_the_right_day(client, patient):
    # Days 21..8 thigh (level 2). Day 7 calf: the last 3 are thigh, thigh, calf → median thigh.
    # Day 6 calf: thigh, calf, calf → median calf (4), 2 levels below the 14 days before
    # day 8 (all thigh): raised on day 6. The foot days keep it seen.
    diary = steady(range(21, 7, -1), radiation="thigh")
    diary.update(steady(range(7, 3, -1), radiation="calf"))
    diary.update(steady(range(3, 0, -1), radiation="foot"))
    raised = backfill(client, patient, diary)
    assert raised == {patient.day(6): ["peripheralization"]}

    alert = only(my_alerts(client, patient), "peripheralization")
    assert (alert["severity"], alert["raised_on"], alert["last_seen"]) == ("warning", patient.day(6), patient.day(1))
    # The evidence is the latest firing's: the last 3 entries were all at the foot (5).
    assert alert["evidence"]["recent_median"] == 5
    assert alert["evidence"]["baseline_median"] >= 2


def test_radiation_one_step_for_a_single_entry_is_not_peripheralization(client, patient):
    diary = steady(range(18, 0, -1), radiation="thigh")
    diary[4] = calm(radiation="foot")
    assert backfill(client, patient, diary) == {}


# --- pain ------------------------------------------------------------------------------


def test_pain_worsening_is_raised_the_day_the_weekly_mean_is_two_points_up(client, patient):
    # Days 20..7 at 3, days 6..0 at 6. With k days at 6 in the last 7, the mean is 3 + 3k/7:
    # +1.71 at k=4 (day 3), +2.14 at k=5 (day 2), against a baseline of 3 (≥ 4 entries).
    diary = {d: calm(3) for d in range(20, 6, -1)}
    diary.update({d: calm(6) for d in range(6, -1, -1)})
    raised = backfill(client, patient, diary)
    assert raised == {patient.day(2): ["pain_worsening"]}

    alert = only(my_alerts(client, patient), "pain_worsening")
    assert (alert["severity"], alert["raised_on"], alert["last_seen"]) == ("warning", patient.day(2), patient.day(0))
    assert alert["evidence"]["baseline_mean"] == 3
    # The latest firing (day 0): all 7 recent days at 6.
    assert alert["evidence"]["recent_mean"] == 6
    assert alert["evidence"]["recent_entries"] == 7

    # Deleting the entry that raised it keeps the alert as it was.
    assert client.delete(f"{API}/me/entries/{patient.day(2)}", headers=patient.headers).status_code == 204
    assert only(my_alerts(client, patient), "pain_worsening") == alert


def test_pain_worsening_needs_four_entries_in_the_last_week(client, patient):
    # Two weeks at 3 (days 27..14), a gap, then pain 7 on days 6, 4, 2: a mean of 7 over
    # only 3 entries raises nothing; the 4th entry (day 0) does.
    diary = {d: calm(3) for d in range(27, 13, -1)}
    diary.update({d: calm(7) for d in (6, 4, 2)})
    assert backfill(client, patient, diary) == {}
    body = put(client, patient, 0, calm(7))
    assert [a["rule"] for a in body["alerts_raised"]] == ["pain_worsening"]
    assert body["alerts_raised"][0]["raised_on"] == patient.day(0)


def test_one_bad_day_raises_nothing(client, patient):
    diary = {d: calm(3) for d in range(21, -1, -1)}
    diary[5] = calm(9)
    assert backfill(client, patient, diary) == {}
    assert my_alerts(client, patient) == []


def test_one_bad_day_that_alone_lifts_the_mean_two_points_raises_nothing(client, patient):
    # Baseline 1 (days 30..10). Days 6..4 at 1, day 3 at 9: on day 3 the last 7 days hold
    # 4 entries with mean 3.0, exactly +2, carried by that single bad day.
    diary = {d: calm(1) for d in range(30, 9, -1)}
    diary.update({6: calm(1), 5: calm(1), 4: calm(1), 3: calm(9), 2: calm(1), 1: calm(1)})
    assert backfill(client, patient, diary) == {}


def test_three_days_of_severe_pain_are_raised_on_the_third(client, patient):
    diary = {d: calm(4) for d in range(10, 3, -1)}
    diary.update({3: calm(8), 2: calm(9), 1: calm(8)})
    assert backfill(client, patient, diary) == {patient.day(1): ["pain_worsening"]}


# --- patients who are fine -------------------------------------------------------------


def test_a_steady_patient_raises_nothing_in_eight_weeks(client, patient):
    pattern = [4, 5, 4, 3, 5, 4, 5]
    diary = {d: calm(pattern[d % 7], walking_minutes=35 + d % 3 * 5) for d in range(55, -1, -1)}
    assert backfill(client, patient, diary) == {}
    assert my_alerts(client, patient) == []


def test_an_improving_patient_raises_nothing_in_eight_weeks_and_hears_good_news(client, patient):
    # Week by week (oldest first): pain falls from 7 to 1, the pain retreats from the foot
    # to the buttock, walking gets longer, numbness goes.
    pain = [7, 7, 6, 5, 3, 2, 2, 1]
    radiation = ["foot", "foot", "calf", "calf", "knee", "thigh", "buttock", "buttock"]
    numbness = [["outer_calf", "big_toe"]] * 3 + [["outer_calf"]] * 2 + [[]] * 3
    diary = {}
    for days_ago in range(55, -1, -1):
        week = (55 - days_ago) // 7
        diary[days_ago] = calm(pain[week], radiation=radiation[week], numbness=numbness[week],
                               walking_minutes=10 + 10 * week)
    signs = []
    for days_ago in sorted(diary, reverse=True):
        body = put(client, patient, days_ago, diary[days_ago])
        assert body["alerts_raised"] == [], (patient.day(days_ago), body["alerts_raised"])
        signs += [s["sign"] for s in body["positive_signs"]]
    assert my_alerts(client, patient) == []
    assert {"pain_improvement", "centralization"} <= set(signs)


# --- de-duplication and the alert's life -----------------------------------------------


def test_the_same_rule_firing_again_refreshes_its_alert_until_resolved(app, client, linked):
    patient, clinician = linked
    backfill(client, patient, steady(range(10, 5, -1)))

    first = put(client, patient, 5, calm(bladder_or_bowel_change=True))["alerts_raised"]
    assert [a["rule"] for a in first] == ["cauda_equina_signs"]
    alert_id = first[0]["id"]

    # Open: fires again with more signs → same alert, later last_seen, new evidence.
    again = put(client, patient, 4, calm(bladder_or_bowel_change=True, saddle_numbness=True))
    assert again["alerts_raised"] == []
    alert = only(my_alerts(client, patient), "cauda_equina_signs")
    assert (alert["id"], alert["status"], alert["raised_on"], alert["last_seen"]) == (
        alert_id, "open", patient.day(5), patient.day(4))
    assert {"bladder_or_bowel_change", "saddle_numbness"} <= set(alert["evidence"]["signs"])

    # Acknowledged: still the same alert, still refreshed.
    response = client.post(f"{API}/alerts/{alert_id}/acknowledge", json={"note": "Phoned, sent to A&E"},
                           headers=clinician.headers)
    assert response.status_code == 200, response.get_json()
    again = put(client, patient, 3, calm(numbness=["saddle"]))
    assert again["alerts_raised"] == []
    alert = only(my_alerts(client, patient), "cauda_equina_signs")
    assert (alert["id"], alert["status"], alert["last_seen"]) == (alert_id, "acknowledged", patient.day(3))
    assert "bladder_or_bowel_change" not in alert["evidence"]["signs"]
    assert rows(app, Alert) == 1

    # Resolved: firing again opens a new alert; the resolved one is kept as it was.
    response = client.post(f"{API}/alerts/{alert_id}/resolve", json={"note": "Seen, MRI clear"},
                           headers=clinician.headers)
    assert response.status_code == 200, response.get_json()
    new = put(client, patient, 2, calm(bladder_or_bowel_change=True))["alerts_raised"]
    assert [a["rule"] for a in new] == ["cauda_equina_signs"]
    assert new[0]["id"] != alert_id
    assert (new[0]["status"], new[0]["raised_on"]) == ("open", patient.day(2))
    alerts = {a["id"]: a for a in my_alerts(client, patient)}
    assert set(alerts) == {alert_id, new[0]["id"]}
    assert (alerts[alert_id]["status"], alerts[alert_id]["last_seen"]) == ("resolved", patient.day(3))


def test_an_event_on_a_resolved_red_flag_day_opens_no_new_alert(app, client, linked):
    """An event changes no rule's input: recording one must not re-raise a resolved alert
    (and page the clinic again) for an entry the clinician has already dealt with."""
    patient, clinician = linked
    (alert,) = put(client, patient, 3, calm(bladder_or_bowel_change=True))["alerts_raised"]
    assert client.post(f"{API}/alerts/{alert['id']}/resolve", json={"note": "Seen in A&E, MRI clear"},
                       headers=clinician.headers).status_code == 200
    response = client.post(f"{API}/me/events", json={"date": patient.day(3), "kind": "medication_change"},
                           headers=patient.headers)
    assert response.status_code == 201, response.get_json()
    assert [(a["id"], a["status"]) for a in my_alerts(client, patient)] == [(alert["id"], "resolved")]
    assert rows(app, Alert) == 1


def test_re_sending_the_same_entry_does_not_open_a_second_alert(app, client, patient):
    answers = calm(saddle_numbness=True)
    assert len(put(client, patient, 1, answers)["alerts_raised"]) == 1
    assert put(client, patient, 1, answers)["alerts_raised"] == []
    assert len(my_alerts(client, patient)) == 1
    assert rows(app, Alert) == 1


def test_editing_or_deleting_the_entry_keeps_the_alert_and_its_evidence(app, client, patient):
    backfill(client, patient, steady(range(8, 2, -1)))
    raised = put(client, patient, 2, calm(bladder_or_bowel_change=True))["alerts_raised"]
    assert len(raised) == 1
    before = only(my_alerts(client, patient), "cauda_equina_signs")

    # The patient corrects the day: no sign any more. The alert stays, unchanged.
    assert put(client, patient, 2, calm())["alerts_raised"] == []
    after_edit = only(my_alerts(client, patient), "cauda_equina_signs")
    assert after_edit == before

    response = client.delete(f"{API}/me/entries/{patient.day(2)}", headers=patient.headers)
    assert response.status_code == 204
    assert client.get(f"{API}/me/entries/{patient.day(2)}", headers=patient.headers).status_code == 404
    after_delete = only(my_alerts(client, patient), "cauda_equina_signs")
    assert after_delete == before
    assert after_delete["evidence"]["signs"] == ["bladder_or_bowel_change"]
    assert rows(app, Alert) == 1


# --- batch back-fill -------------------------------------------------------------------


def eventful_diary() -> Diary:
    """Four weeks with a foot drop, spreading pain, a pain flare, both legs and a red flag."""
    diary = {d: calm(3, radiation="thigh") for d in range(27, 13, -1)}
    diary[20] = calm(3, radiation="thigh", foot_drop=True)  # new_foot_drop on day 20
    diary.update({d: calm(6, radiation="foot") for d in range(13, 2, -1)})  # peripheralization, pain
    diary[7] = calm(6, radiation="foot", side="both")  # new_bilateral_symptoms on day 7
    diary[1] = calm(6, radiation="foot", saddle_numbness=True)  # cauda equina on day 1
    return diary


def test_one_batch_raises_what_day_by_day_puts_raise_on_the_same_days(client):
    by_put = make_patient(client, "Day By Day")
    by_batch = make_patient(client, "Offline Phone")
    newest_first = make_patient(client, "Newest First")
    diary = eventful_diary()
    # Radiation thigh → foot from day 13: the last 3 entries' median is foot on day 12.
    # Pain 3 → 6 from day 13: the 7-day mean is +2.14 with 5 days at 6 (day 9).
    expected = {by_put.day(20): ["new_foot_drop"], by_put.day(12): ["peripheralization"],
                by_put.day(9): ["pain_worsening"], by_put.day(7): ["new_bilateral_symptoms"],
                by_put.day(1): ["cauda_equina_signs"]}
    assert backfill(client, by_put, diary) == expected
    assert batch(client, by_batch, diary) == expected
    # A phone may send its queue newest first: the diary is still evaluated in date order.
    assert batch(client, newest_first, diary, order="newest first") == expected

    def summary(patient: Account) -> list[tuple[Any, ...]]:
        return sorted((a["rule"], a["severity"], a["status"], a["raised_on"], a["last_seen"], repr(a["evidence"]))
                      for a in my_alerts(client, patient))

    assert summary(by_batch) == summary(by_put)
    assert summary(newest_first) == summary(by_put)


# --- questionnaires and examinations ---------------------------------------------------


def test_odi_up_ten_points_is_odi_worsening(client, patient):
    # Score = sum / 50 × 100: ten 1s → 20; six 2s and four 1s → 32.
    first = client.put(f"{API}/me/odi/{patient.day(14)}", json={"answers": [1] * 10}, headers=patient.headers)
    assert (first.status_code, first.get_json()["score"]) == (201, 20.0)
    assert my_alerts(client, patient) == []
    second = client.put(f"{API}/me/odi/{patient.day(7)}", json={"answers": [2] * 6 + [1] * 4},
                        headers=patient.headers)
    assert (second.status_code, second.get_json()["score"]) == (201, 32.0)
    alert = only(my_alerts(client, patient), "odi_worsening")
    assert (alert["severity"], alert["raised_on"]) == ("warning", patient.day(7))
    assert (alert["evidence"]["score"], alert["evidence"]["previous_score"]) == (32, 20)


def test_odi_up_less_than_ten_points_raises_nothing(client, patient):
    client.put(f"{API}/me/odi/{patient.day(14)}", json={"answers": [1] * 10}, headers=patient.headers)
    response = client.put(f"{API}/me/odi/{patient.day(7)}", json={"answers": [2] * 4 + [1] * 6},
                          headers=patient.headers)
    assert response.get_json()["score"] == 28.0
    assert my_alerts(client, patient) == []


def assess(client: Any, clinician: Account, patient: Account, days_ago: int, **left: Any) -> None:
    response = client.post(f"{API}/patients/{patient.id}/assessments",
                           json={"date": patient.day(days_ago), "left": left}, headers=clinician.headers)
    assert response.status_code == 201, response.get_json()


def clinician_alerts(client: Any, clinician: Account, patient: Account) -> list[dict[str, Any]]:
    response = client.get(f"{API}/patients/{patient.id}/alerts", headers=clinician.headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()["items"]


def test_weaker_ankle_dorsiflexion_at_the_next_assessment_is_urgent(client, linked):
    patient, clinician = linked
    assess(client, clinician, patient, 14, ankle_dorsiflexion=5, achilles_reflex="normal")
    assert clinician_alerts(client, clinician, patient) == []
    assess(client, clinician, patient, 3, ankle_dorsiflexion=3, achilles_reflex="normal")
    alerts = clinician_alerts(client, clinician, patient)
    assert [a["rule"] for a in alerts] == ["motor_weakness_progression"]
    alert = alerts[0]
    assert (alert["severity"], alert["status"], alert["raised_on"]) == ("urgent", "open", patient.day(3))
    assert alert["patient_id"] == patient.id
    change = alert["evidence"]["changes"][0]
    assert (change["side"], change["muscle"], change["previous"], change["current"]) == (
        "left", "ankle_dorsiflexion", 5, 3)
    assert my_alerts(client, patient)[0]["id"] == alert["id"]


def test_achilles_reflex_lost_at_the_next_assessment_is_a_warning(client, linked):
    patient, clinician = linked
    assess(client, clinician, patient, 21, ankle_dorsiflexion=5, achilles_reflex="normal")
    assess(client, clinician, patient, 7, ankle_dorsiflexion=5, achilles_reflex="absent")
    alerts = clinician_alerts(client, clinician, patient)
    assert [a["rule"] for a in alerts] == ["reflex_loss"]
    assert (alerts[0]["severity"], alerts[0]["raised_on"]) == ("warning", patient.day(7))


def test_a_back_dated_assessment_is_compared_in_date_order(client, linked):
    """An examination from three weeks ago, typed in after today's, is the earlier one:
    dorsiflexion went 3 → 5 (better), so nothing is raised."""
    patient, clinician = linked
    assess(client, clinician, patient, 1, ankle_dorsiflexion=5)
    assess(client, clinician, patient, 21, ankle_dorsiflexion=3)
    assert clinician_alerts(client, clinician, patient) == []


def test_an_unchanged_examination_raises_nothing(client, linked):
    patient, clinician = linked
    assess(client, clinician, patient, 21, ankle_dorsiflexion=4, achilles_reflex="reduced")
    assess(client, clinician, patient, 7, ankle_dorsiflexion=4, achilles_reflex="reduced")
    assess(client, clinician, patient, 1, ankle_dorsiflexion=5, achilles_reflex="normal")
    assert clinician_alerts(client, clinician, patient) == []


# --- the scheduled rule ----------------------------------------------------------------


def test_evaluate_raises_missed_entries_for_a_lapsed_diary_only(app, client, runner):
    lapsed = make_patient(client, "Lapsed")
    current = make_patient(client, "Current")
    never = make_patient(client, "Never Logged")
    make_clinician(app, client)
    for days_ago in range(12, 4, -1):
        put(client, lapsed, days_ago, calm())
        put(client, current, days_ago - 4, calm())
    assert client.get(f"{API}/me/entries/{current.day(1)}", headers=current.headers).status_code == 200

    result = runner.invoke(args=["evaluate"])
    assert result.exit_code == 0, result.output
    assert re.search(r"\b1 alerts? opened", result.output), result.output

    alert = only(my_alerts(client, lapsed), "missed_entries")
    assert (alert["severity"], alert["status"]) == ("info", "open")
    assert alert["raised_on"] == lapsed.day(0)
    assert alert["evidence"]["last_entry_date"] == lapsed.day(5)
    assert alert["patient_message"]
    assert my_alerts(client, current) == []
    assert my_alerts(client, never) == []

    # Run again (cron every day): the open alert is refreshed, not duplicated.
    result = runner.invoke(args=["evaluate"])
    assert result.exit_code == 0, result.output
    assert len(my_alerts(client, lapsed)) == 1
    assert rows(app, Alert) == 1
