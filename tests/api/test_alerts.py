"""Alerts through the API: who sees which, acknowledge and resolve, never deleted; the caseload."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from tests.conftest import Account, link, make_clinician, make_patient, rows, assert_problem
from tracker.models import Alert

API = "/api/v1"
PROBLEM = "application/problem+json"
ALERT_KEYS = {"id", "patient_id", "rule", "severity", "status", "raised_on", "last_seen", "evidence",
              "message", "patient_message"}




def aware(value: str) -> datetime:
    parsed = datetime.fromisoformat(value)
    assert parsed.tzinfo is not None, value
    return parsed


# --- raising alerts the quick way -------------------------------------------------------


def entry(client: Any, patient: Account, days_ago: int, **answers: Any) -> list[dict[str, Any]]:
    response = client.put(f"{API}/me/entries/{patient.day(days_ago)}", json={"leg_pain": 4, **answers},
                          headers=patient.headers)
    assert response.status_code in (200, 201), response.get_json()
    return response.get_json()["alerts_raised"]


def emergency(client: Any, patient: Account, days_ago: int = 1) -> dict[str, Any]:
    (alert,) = entry(client, patient, days_ago, bladder_or_bowel_change=True)
    assert alert["severity"] == "emergency"
    return alert


def urgent(client: Any, patient: Account, days_ago: int = 2) -> dict[str, Any]:
    (alert,) = entry(client, patient, days_ago, foot_drop=True)
    assert alert["severity"] == "urgent"
    return alert


def warning(client: Any, patient: Account) -> dict[str, Any]:
    """odi_worsening: Oswestry 20 then 40."""
    for days_ago, answers in ((20, [1] * 10), (6, [2] * 10)):
        response = client.put(f"{API}/me/odi/{patient.day(days_ago)}", json={"answers": answers},
                              headers=patient.headers)
        assert response.status_code == 201, response.get_json()
    (alert,) = [a for a in alerts_of(client, patient) if a["rule"] == "odi_worsening"]
    assert alert["severity"] == "warning"
    return alert


def alerts_of(client: Any, patient: Account, status: str | None = None) -> list[dict[str, Any]]:
    url = f"{API}/me/alerts" + (f"?status={status}" if status else "")
    response = client.get(url, headers=patient.headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()["items"]


def caseload_alerts(client: Any, clinician: Account, status: str | None = None) -> list[dict[str, Any]]:
    url = f"{API}/alerts" + (f"?status={status}" if status else "")
    response = client.get(url, headers=clinician.headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()["items"]


def act(client: Any, clinician: Account, alert_id: int, action: str, **body: Any) -> Any:
    return client.post(f"{API}/alerts/{alert_id}/{action}", json=body, headers=clinician.headers)


# --- reading -----------------------------------------------------------------------------


def test_an_alert_has_the_contract_shape_for_patient_and_clinician(client, linked):
    patient, clinician = linked
    raised = urgent(client, patient)
    mine = alerts_of(client, patient)
    assert len(mine) == 1
    alert = mine[0]
    assert ALERT_KEYS <= alert.keys()
    assert isinstance(alert["id"], int) and alert["id"] == raised["id"]
    assert alert["patient_id"] == patient.id
    assert (alert["rule"], alert["severity"], alert["status"]) == ("new_foot_drop", "urgent", "open")
    assert alert["raised_on"] == alert["last_seen"] == patient.day(2)
    assert isinstance(alert["evidence"], dict) and alert["evidence"]
    assert isinstance(alert["message"], str) and alert["message"]
    assert isinstance(alert["patient_message"], str) and alert["patient_message"]
    assert alert["message"] != alert["patient_message"]

    theirs = client.get(f"{API}/patients/{patient.id}/alerts", headers=clinician.headers)
    assert theirs.status_code == 200
    assert theirs.get_json() == {"items": mine}
    assert caseload_alerts(client, clinician) == mine


def test_lists_are_worst_first(client, linked):
    patient, clinician = linked
    warning(client, patient)
    urgent(client, patient)
    emergency(client, patient)
    expected = ["emergency", "urgent", "warning"]
    assert [a["severity"] for a in alerts_of(client, patient)] == expected
    assert [a["severity"] for a in caseload_alerts(client, clinician)] == expected
    theirs = client.get(f"{API}/patients/{patient.id}/alerts", headers=clinician.headers).get_json()["items"]
    assert [a["severity"] for a in theirs] == expected


def test_a_patient_sees_only_their_own_alerts(client):
    ann, bob = make_patient(client, "Ann"), make_patient(client, "Bob")
    ann_alert = emergency(client, ann)
    bob_alert = urgent(client, bob)
    assert [a["id"] for a in alerts_of(client, ann)] == [ann_alert["id"]]
    assert [a["id"] for a in alerts_of(client, bob)] == [bob_alert["id"]]
    # Not even through the clinician's URL.
    assert_problem(client.get(f"{API}/patients/{bob.id}/alerts", headers=ann.headers), 403)


def test_a_patients_alerts_are_for_linked_clinicians_only(app, client, linked):
    patient, clinician = linked
    urgent(client, patient)
    stranger = make_clinician(app, client, "Dr Stranger")
    url = f"{API}/patients/{patient.id}/alerts"
    unlinked = assert_problem(client.get(url, headers=stranger.headers), 404)
    absent = assert_problem(client.get(f"{API}/patients/{patient.id + 999}/alerts", headers=stranger.headers), 404)
    # Not even a hint that the patient exists.
    assert unlinked["detail"] == absent["detail"]
    assert_problem(client.get(url), 401)
    assert_problem(client.get(url, headers={"Authorization": "Bearer not-a-token"}), 401)
    assert_problem(client.get(url, headers=patient.headers), 403)
    assert caseload_alerts(client, stranger) == []


def test_the_caseload_list_shows_only_linked_patients_alerts_by_status(app, client, clinician):
    ann, bob, cy = (make_patient(client, n) for n in ("Ann", "Bob", "Cy"))
    link(client, ann, clinician)
    link(client, bob, clinician)
    ann_emergency, ann_urgent = emergency(client, ann), urgent(client, ann)
    bob_warning = warning(client, bob)
    emergency(client, cy)  # Cy never linked this clinician

    open_ids = [a["id"] for a in caseload_alerts(client, clinician)]
    assert open_ids == [ann_emergency["id"], ann_urgent["id"], bob_warning["id"]]
    assert [a["id"] for a in caseload_alerts(client, clinician, "open")] == open_ids

    assert act(client, clinician, ann_urgent["id"], "acknowledge").status_code == 200
    assert act(client, clinician, bob_warning["id"], "resolve").status_code == 200
    assert [a["id"] for a in caseload_alerts(client, clinician, "open")] == [ann_emergency["id"]]
    acknowledged = caseload_alerts(client, clinician, "acknowledged")
    assert [(a["id"], a["status"]) for a in acknowledged] == [(ann_urgent["id"], "acknowledged")]
    resolved = caseload_alerts(client, clinician, "resolved")
    assert [(a["id"], a["status"]) for a in resolved] == [(bob_warning["id"], "resolved")]
    # The same filter on the patient's own list.
    assert [a["id"] for a in alerts_of(client, bob, "resolved")] == [bob_warning["id"]]
    assert alerts_of(client, bob, "open") == []


def test_a_bad_status_filter_is_422(client, linked):
    patient, clinician = linked
    for query in ("status=closed", "status=", "status=OPEN", "state=open"):
        for url, who in ((f"{API}/alerts?{query}", clinician), (f"{API}/me/alerts?{query}", patient),
                         (f"{API}/patients/{patient.id}/alerts?{query}", clinician)):
            body = assert_problem(client.get(url, headers=who.headers), 422)
            assert query.split("=")[0] in body.get("errors", {}), (query, body)


def test_the_caseload_list_is_for_clinicians_and_my_alerts_for_patients(client, linked):
    patient, clinician = linked
    assert_problem(client.get(f"{API}/alerts", headers=patient.headers), 403)
    assert_problem(client.get(f"{API}/alerts"), 401)
    assert_problem(client.get(f"{API}/me/alerts", headers=clinician.headers), 403)
    assert_problem(client.get(f"{API}/me/alerts"), 401)


# --- acting on an alert ------------------------------------------------------------------


def test_acknowledge_then_resolve(client, linked):
    patient, clinician = linked
    alert = urgent(client, patient)
    before = datetime.now(timezone.utc)

    response = act(client, clinician, alert["id"], "acknowledge", note="Phoned; exam booked for tomorrow")
    assert response.status_code == 200, response.get_json()
    acknowledged = response.get_json()
    assert ALERT_KEYS <= acknowledged.keys()
    assert (acknowledged["id"], acknowledged["status"]) == (alert["id"], "acknowledged")
    assert acknowledged["acknowledge_note"] == "Phoned; exam booked for tomorrow"
    assert before - timedelta(seconds=5) <= aware(acknowledged["acknowledged_at"]) <= datetime.now(timezone.utc)
    # Nothing else about the alert changed.
    for key in ("rule", "severity", "raised_on", "last_seen", "evidence", "message", "patient_message"):
        assert acknowledged[key] == alert[key], key
    (seen,) = alerts_of(client, patient)
    assert (seen["status"], seen["acknowledge_note"]) == ("acknowledged", "Phoned; exam booked for tomorrow")

    again = assert_problem(act(client, clinician, alert["id"], "acknowledge", note="again"), 409)
    assert "acknowledged" in again["detail"]
    assert alerts_of(client, patient)[0]["acknowledge_note"] == "Phoned; exam booked for tomorrow"

    response = act(client, clinician, alert["id"], "resolve", note="Power 5/5, reassured")
    assert response.status_code == 200, response.get_json()
    resolved = response.get_json()
    assert resolved["status"] == "resolved"
    assert resolved["resolve_note"] == "Power 5/5, reassured"
    assert aware(resolved["resolved_at"]) >= aware(acknowledged["acknowledged_at"])
    assert resolved["acknowledge_note"] == "Phoned; exam booked for tomorrow"

    assert_problem(act(client, clinician, alert["id"], "resolve"), 409)
    assert_problem(act(client, clinician, alert["id"], "acknowledge"), 409)
    assert alerts_of(client, patient)[0]["status"] == "resolved"


def test_resolve_straight_from_open_without_a_note(client, linked):
    patient, clinician = linked
    alert = emergency(client, patient)
    response = client.post(f"{API}/alerts/{alert['id']}/resolve", headers=clinician.headers)
    assert response.status_code == 200, response.get_json()
    resolved = response.get_json()
    assert resolved["status"] == "resolved"
    assert resolved["acknowledged_at"] is None
    assert resolved["resolved_at"] is not None
    assert alerts_of(client, patient, "resolved")[0]["id"] == alert["id"]


@pytest.mark.parametrize("action", ["acknowledge", "resolve"])
def test_only_a_linked_clinician_may_act(app, client, linked, action):
    patient, clinician = linked
    alert = urgent(client, patient)
    other_patient = make_patient(client, "Other")
    stranger = make_clinician(app, client, "Dr Stranger")

    refused = assert_problem(act(client, stranger, alert["id"], action, note="x"), 404)
    absent = assert_problem(act(client, stranger, alert["id"] + 999, action, note="x"), 404)
    assert refused["detail"] == absent["detail"]
    assert_problem(act(client, patient, alert["id"], action), 403)
    assert_problem(act(client, other_patient, alert["id"], action), 403)
    assert_problem(client.post(f"{API}/alerts/{alert['id']}/{action}", json={}), 401)
    assert_problem(act(client, clinician, alert["id"] + 999, action), 404)
    assert [a["status"] for a in alerts_of(client, patient)] == ["open"]

    # Unlinked, the clinician who could act a moment ago cannot any more.
    assert client.delete(f"{API}/me/clinicians/{clinician.id}", headers=patient.headers).status_code == 204
    assert_problem(act(client, clinician, alert["id"], action), 404)
    assert [a["status"] for a in alerts_of(client, patient)] == ["open"]


@pytest.mark.parametrize(
    "body, field",
    [({"note": "x" * 2001}, "note"), ({"note": 5}, "note"), ({"status": "resolved"}, "status")],
)
def test_a_bad_action_body_is_422_and_changes_nothing(client, linked, body, field):
    patient, clinician = linked
    alert = urgent(client, patient)
    for action in ("acknowledge", "resolve"):
        problem = assert_problem(act(client, clinician, alert["id"], action, **body), 422)
        assert field in problem.get("errors", {}), problem
    assert [a["status"] for a in alerts_of(client, patient)] == ["open"]


# --- never deleted -------------------------------------------------------------------------


def test_there_is_no_way_to_delete_an_alert(app, client, linked):
    patient, clinician = linked
    alert = urgent(client, patient)
    for who in (clinician, patient):
        for url in (f"{API}/alerts/{alert['id']}/acknowledge", f"{API}/alerts/{alert['id']}/resolve",
                    f"{API}/alerts", f"{API}/me/alerts", f"{API}/patients/{patient.id}/alerts"):
            assert_problem(client.delete(url, headers=who.headers), 405)
        # No route serves one alert by id, so nothing there can delete it either.
        response = client.delete(f"{API}/alerts/{alert['id']}", headers=who.headers)
        assert response.status_code in (404, 405), response.status_code
        assert response.mimetype == PROBLEM
    assert rows(app, Alert) == 1
    assert alerts_of(client, patient)[0]["id"] == alert["id"]


def test_unlinking_keeps_the_alerts_and_relinking_shows_them_again(app, client, linked):
    patient, clinician = linked
    raised = [emergency(client, patient), urgent(client, patient)]
    assert act(client, clinician, raised[1]["id"], "acknowledge", note="seen").status_code == 200
    before = alerts_of(client, patient)

    assert client.delete(f"{API}/me/clinicians/{clinician.id}", headers=patient.headers).status_code == 204
    assert_problem(client.get(f"{API}/patients/{patient.id}/alerts", headers=clinician.headers), 404)
    assert caseload_alerts(client, clinician) == []
    assert caseload_alerts(client, clinician, "acknowledged") == []
    assert alerts_of(client, patient) == before
    assert rows(app, Alert) == 2

    link(client, patient, clinician)
    theirs = client.get(f"{API}/patients/{patient.id}/alerts", headers=clinician.headers)
    assert theirs.get_json()["items"] == before


def test_deleting_the_diary_entry_keeps_the_alert(app, client, linked):
    patient, clinician = linked
    alert = emergency(client, patient, days_ago=3)
    assert client.delete(f"{API}/me/entries/{patient.day(3)}", headers=patient.headers).status_code == 204
    (kept,) = caseload_alerts(client, clinician)
    assert kept == alerts_of(client, patient)[0]
    assert (kept["id"], kept["raised_on"], kept["evidence"]) == (alert["id"], alert["raised_on"], alert["evidence"])


# --- the caseload ---------------------------------------------------------------------------


def test_caseload_lists_patients_worst_first(app, client, clinician):
    def linked_patient(name: str) -> Account:
        patient = make_patient(client, name)
        link(client, patient, clinician)
        return patient

    # Created in an order unlike the expected one, and alphabetically unlike it too.
    sam = linked_patient("Sam Stable")
    wanda = linked_patient("Ann One Warning")
    will = linked_patient("Al Worse")
    wes = linked_patient("Bea Two Warnings")
    uma = linked_patient("Cal Urgent")
    rob = linked_patient("Abe Resolved")
    ema = linked_patient("Zoe Emergency")
    una = make_patient(client, "Aaron Unlinked")

    emergency(client, ema)
    urgent(client, uma)
    warning(client, uma)  # one urgent and one warning …
    warning(client, wes)
    assessments = f"{API}/patients/{wes.id}/assessments"
    for days_ago, reflex in ((30, "normal"), (10, "absent")):  # … and two warnings
        response = client.post(assessments, json={"date": wes.day(days_ago), "left": {"achilles_reflex": reflex}},
                               headers=clinician.headers)
        assert response.status_code == 201, response.get_json()
    warning(client, wanda)
    # Worse: first logged week around 2/10, this week 6/10 (too few entries for pain_worsening).
    for days_ago in (22, 21, 20):
        entry(client, will, days_ago, leg_pain=2)
    for days_ago in (2, 1, 0):
        entry(client, will, days_ago, leg_pain=6)
    for days_ago in (3, 2, 1):
        entry(client, sam, days_ago, leg_pain=4)
    resolved = emergency(client, rob)
    assert act(client, clinician, resolved["id"], "resolve").status_code == 200
    emergency(client, una)
    assert [a["rule"] for a in alerts_of(client, will)] == []

    response = client.get(f"{API}/patients", headers=clinician.headers)
    assert response.status_code == 200
    items = response.get_json()["items"]
    for item in items:
        assert {"id", "display_name", "open_alerts", "last_entry_date", "classification"} <= item.keys()
    by_id = {item["id"]: item for item in items}
    assert set(by_id) == {p.id for p in (sam, wanda, will, wes, uma, rob, ema)}

    order = [item["id"] for item in items]
    assert order[:5] == [ema.id, uma.id, wes.id, wanda.id, will.id], [i["display_name"] for i in items]
    assert set(order[5:]) == {sam.id, rob.id}

    none = {"emergency": 0, "urgent": 0, "warning": 0, "info": 0}
    assert by_id[ema.id]["open_alerts"] == {**none, "emergency": 1}
    assert by_id[uma.id]["open_alerts"] == {**none, "urgent": 1, "warning": 1}
    assert by_id[wes.id]["open_alerts"] == {**none, "warning": 2}
    assert by_id[wanda.id]["open_alerts"] == {**none, "warning": 1}
    assert by_id[will.id]["open_alerts"] == none
    assert by_id[rob.id]["open_alerts"] == none  # resolved alerts are not open

    assert by_id[will.id]["classification"] == "worse"
    assert by_id[sam.id]["classification"] == "stable"
    assert by_id[wanda.id]["classification"] is None  # no diary entries at all
    assert by_id[will.id]["last_entry_date"] == will.day(0)
    assert by_id[sam.id]["last_entry_date"] == sam.day(1)
    assert by_id[ema.id]["last_entry_date"] == ema.day(1)
    assert by_id[wanda.id]["last_entry_date"] is None
    assert by_id[ema.id]["display_name"] == "Zoe Emergency"


def test_caseload_is_for_clinicians_and_empty_without_links(app, client, patient):
    assert_problem(client.get(f"{API}/patients", headers=patient.headers), 403)
    lonely = make_clinician(app, client, "Dr Lonely")
    emergency(client, patient)
    response = client.get(f"{API}/patients", headers=lonely.headers)
    assert (response.status_code, response.get_json()) == (200, {"items": []})
