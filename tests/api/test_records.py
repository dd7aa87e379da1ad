"""Events, Oswestry questionnaires and clinicians' assessments: what else the diary records."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from tests.conftest import make_clinician, make_patient, rows, assert_problem
from tracker.models import Assessment, Event, OdiResponse

API = "/api/v1"
PROBLEM = "application/problem+json"
MISSING = object()
FUTURE = object()




def assert_names(body: dict[str, Any], field: str) -> None:
    errors = body.get("errors") or {}
    assert any(key == field or key.startswith(field + ".") for key in errors), body


def aware(value: str) -> datetime:
    parsed = datetime.fromisoformat(value)
    assert parsed.tzinfo is not None, value
    return parsed


# --- events ---------------------------------------------------------------------------


def test_event_is_created_listed_by_date_and_deleted(client, patient):
    sent = [
        {"date": patient.day(3), "kind": "epidural_injection", "note": "L5-S1 transforaminal, left"},
        {"date": patient.day(10), "kind": "physiotherapy_start", "note": None},
        {"date": patient.day(1), "kind": "medication_change"},
    ]
    created = []
    for body in sent:
        response = client.post(f"{API}/me/events", json=body, headers=patient.headers)
        assert response.status_code == 201, response.get_json()
        event = response.get_json()
        assert {"id", "date", "kind", "note", "created_at"} <= event.keys()
        assert (event["date"], event["kind"], event["note"]) == (body["date"], body["kind"], body.get("note"))
        assert isinstance(event["id"], int)
        assert abs(aware(event["created_at"]) - datetime.now(timezone.utc)) < timedelta(minutes=1)
        created.append(event)
    assert len({e["id"] for e in created}) == 3

    listed = client.get(f"{API}/me/events", headers=patient.headers)
    assert listed.status_code == 200
    items = listed.get_json()["items"]
    assert [e["date"] for e in items] == [patient.day(10), patient.day(3), patient.day(1)]
    assert {e["id"]: e for e in items} == {e["id"]: e for e in created}

    ranged = client.get(f"{API}/me/events", query_string={"from": patient.day(5), "to": patient.day(2)},
                        headers=patient.headers).get_json()["items"]
    assert [e["kind"] for e in ranged] == ["epidural_injection"]

    first = created[0]["id"]
    response = client.delete(f"{API}/me/events/{first}", headers=patient.headers)
    assert response.status_code == 204
    assert_problem(client.delete(f"{API}/me/events/{first}", headers=patient.headers), 404)
    assert rows(client.application, Event) == 2
    remaining = client.get(f"{API}/me/events", headers=patient.headers).get_json()["items"]
    assert first not in {e["id"] for e in remaining}


def test_every_event_kind_is_accepted(client, patient):
    from tracker.vocabulary import EVENT_KINDS

    for kind in EVENT_KINDS:
        response = client.post(f"{API}/me/events", json={"date": patient.day(1), "kind": kind},
                               headers=patient.headers)
        assert response.status_code == 201, (kind, response.get_json())
    assert rows(client.application, Event) == len(EVENT_KINDS)


def test_events_are_private(client, patient):
    event = client.post(f"{API}/me/events", json={"date": patient.day(1), "kind": "discectomy"},
                        headers=patient.headers).get_json()
    other = make_patient(client, "Other")
    assert_problem(client.delete(f"{API}/me/events/{event['id']}", headers=other.headers), 404)
    assert client.get(f"{API}/me/events", headers=other.headers).get_json()["items"] == []
    assert rows(client.application, Event) == 1


@pytest.mark.parametrize("field, values", [
    ("kind", ["massage", None, 3, "Discectomy", MISSING]),
    ("date", ["2026-02-30", "tomorrow", None, MISSING, FUTURE, "1999-12-31"]),
    ("note", ["x" * 2001, 42, ["a"]]),
    ("colour", ["red"]),
])
def test_bad_event_is_422_naming_the_field_and_stores_nothing(client, patient, field, values):
    for value in values:
        sent = {"date": patient.day(1), "kind": "other", "note": "fine"}
        if value is MISSING:
            sent.pop(field)
        else:
            sent[field] = patient.day(-1) if value is FUTURE else value
        response = client.post(f"{API}/me/events", json=sent, headers=patient.headers)
        assert response.status_code == 422, (field, value, response.get_json())
        assert_names(assert_problem(response, 422), field)
    assert rows(client.application, Event) == 0
    assert client.get(f"{API}/me/events", headers=patient.headers).get_json()["items"] == []


def test_event_note_with_a_nul_character_is_kept_or_refused_not_a_5xx(client, patient):
    response = client.post(f"{API}/me/events", json={"date": patient.day(1), "kind": "other", "note": "a\x00b"},
                           headers=patient.headers)
    assert response.status_code < 500, response.get_json()
    if response.status_code == 422:
        assert_names(assert_problem(response, 422), "note")
        assert rows(client.application, Event) == 0
    else:
        assert response.status_code == 201
        assert client.get(f"{API}/me/events", headers=patient.headers).get_json()["items"][0]["note"] == "a\x00b"


def test_event_note_round_trips_unicode(client, patient):
    note = "Péridurale — 硬膜外注射 💉"
    event = client.post(f"{API}/me/events", json={"date": patient.day(1), "kind": "epidural_injection",
                                                  "note": note}, headers=patient.headers)
    assert event.status_code == 201
    assert client.get(f"{API}/me/events", headers=patient.headers).get_json()["items"][0]["note"] == note


# --- ODI ------------------------------------------------------------------------------


def put_odi(client: Any, patient: Any, day: str, answers: Any) -> Any:
    return client.put(f"{API}/me/odi/{day}", json={"answers": answers}, headers=patient.headers)


def test_odi_is_created_then_replaced(client, patient):
    day = patient.day(1)
    response = put_odi(client, patient, day, [5] * 10)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["date"] == day and body["score"] == 100.0
    response = put_odi(client, patient, day, [0] * 10)
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["score"] == 0.0
    assert rows(client.application, OdiResponse) == 1
    items = client.get(f"{API}/me/odi", headers=patient.headers).get_json()["items"]
    assert [(i["date"], i["score"]) for i in items] == [(day, 0.0)]


ODI_SCORES = [
    ([5] * 10, 100.0),
    ([0] * 10, 0.0),
    ([1, 2, 3, 4, 5, 0, 1, 2, 3, 4], 50.0),
    ([2] * 9 + [None], 40.0),  # one section skipped: 18 / 45
    ([None] + [5] * 9, 100.0),
    ([3, 3, 3, 3, None, 3, 3, 3, 3, 4], 28 / 45 * 100),
    ([1, None, 1, 1, 1, 1, 1, 1, 1, None], None),  # two skipped: no score
    ([None] * 10, None),
]


def test_odi_score(client, patient):
    for days_ago, (answers, score) in enumerate(ODI_SCORES):
        response = put_odi(client, patient, patient.day(days_ago), answers)
        assert response.status_code == 201, response.get_json()
        body = response.get_json()
        if score is None:
            assert body["score"] is None, (answers, body)
        else:
            assert body["score"] == pytest.approx(score, abs=0.051), (answers, body)
    listed = client.get(f"{API}/me/odi", headers=patient.headers).get_json()["items"]
    assert [i["date"] for i in listed] == [patient.day(n) for n in reversed(range(len(ODI_SCORES)))]
    for item, (answers, score) in zip(reversed(listed), ODI_SCORES):
        assert item["score"] == (None if score is None else pytest.approx(score, abs=0.051)), (answers, item)
        assert item["answers"] == answers
    assert rows(client.application, OdiResponse) == len(ODI_SCORES)


@pytest.mark.parametrize("kind, bodies", [
    ("length", [{"answers": [1] * 9}, {"answers": [1] * 11}, {"answers": []}]),
    ("range", [{"answers": [1] * 9 + [6]}, {"answers": [1] * 9 + [-1]}]),
    ("type", [{"answers": [1] * 9 + [2.5]}, {"answers": [1] * 9 + ["3"]}, {"answers": [1] * 9 + [True]},
              {"answers": "1111111111"}, {"answers": None}, {}]),
    ("unknown-field", [{"answers": [1] * 10, "extra": 1}]),
])
def test_bad_odi_is_422_naming_the_field_and_stores_nothing(client, patient, kind, bodies):
    day = patient.day(1)
    assert put_odi(client, patient, day, [2] * 10).status_code == 201
    field = "extra" if kind == "unknown-field" else "answers"
    for body in bodies:
        for target in (day, patient.day(2)):
            response = client.put(f"{API}/me/odi/{target}", json=body, headers=patient.headers)
            assert response.status_code == 422, (body, response.get_json())
            assert_names(assert_problem(response, 422), field)
    assert rows(client.application, OdiResponse) == 1
    items = client.get(f"{API}/me/odi", headers=patient.headers).get_json()["items"]
    assert [(i["date"], i["score"]) for i in items] == [(day, 40.0)]


def test_odi_dates_are_checked(client, patient):
    assert_names(assert_problem(put_odi(client, patient, patient.day(-1), [1] * 10), 422), "date")
    assert_names(assert_problem(put_odi(client, patient, "2026-02-30", [1] * 10), 422), "date")
    assert rows(client.application, OdiResponse) == 0


def test_odi_list_is_by_date(client, patient):
    for days_ago, value in ((14, 4), (0, 2), (7, 3)):
        assert put_odi(client, patient, patient.day(days_ago), [value] * 10).status_code == 201
    response = client.get(f"{API}/me/odi", headers=patient.headers)
    assert response.status_code == 200
    items = response.get_json()["items"]
    assert [(i["date"], i["score"]) for i in items] == [
        (patient.day(14), 80.0), (patient.day(7), 60.0), (patient.day(0), 40.0)]


# --- assessments ----------------------------------------------------------------------

LEG_FIELDS = ("ankle_dorsiflexion", "big_toe_extension", "foot_eversion", "plantarflexion",
              "achilles_reflex", "knee_reflex", "slr_positive", "slr_angle")

LEFT = {"ankle_dorsiflexion": 3, "big_toe_extension": 2, "foot_eversion": 4, "plantarflexion": 5,
        "achilles_reflex": "reduced", "knee_reflex": "normal", "slr_positive": True, "slr_angle": 35}
RIGHT = {"ankle_dorsiflexion": 5, "big_toe_extension": 5, "foot_eversion": 5, "plantarflexion": 5,
         "achilles_reflex": "normal", "knee_reflex": "absent", "slr_positive": False, "slr_angle": 90}


def assessments_url(patient_id: int) -> str:
    return f"{API}/patients/{patient_id}/assessments"


def test_assessment_is_recorded_and_listed(client, linked):
    patient, clinician = linked
    sent = {"date": patient.day(2), "left": LEFT, "right": RIGHT, "notes": "L5 weakness on the left; EHL 2/5."}
    response = client.post(assessments_url(patient.id), json=sent, headers=clinician.headers)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert {"id", "patient_id", "clinician_id", "created_at", "date", "left", "right", "notes"} <= body.keys()
    assert body["patient_id"] == patient.id and body["clinician_id"] == clinician.id
    assert (body["date"], body["left"], body["right"], body["notes"]) == (
        sent["date"], sent["left"], sent["right"], sent["notes"])
    assert abs(aware(body["created_at"]) - datetime.now(timezone.utc)) < timedelta(minutes=1)

    # A one-sided, partial examination: the other leg is null, unexamined items null.
    partial = {"date": patient.day(9), "right": {"plantarflexion": 4, "achilles_reflex": "absent"}}
    response = client.post(assessments_url(patient.id), json=partial, headers=clinician.headers)
    assert response.status_code == 201, response.get_json()
    second = response.get_json()
    assert second["left"] is None
    assert second["right"] == {name: partial["right"].get(name) for name in LEG_FIELDS}

    listed = client.get(assessments_url(patient.id), headers=clinician.headers)
    assert listed.status_code == 200
    items = listed.get_json()["items"]
    assert [i["id"] for i in items] == [second["id"], body["id"]]
    assert items[1] == body
    assert items[0] == second
    assert rows(client.application, Assessment) == 2


BAD_ASSESSMENTS = {
    "mrc": [
        ({"left": {**LEFT, "ankle_dorsiflexion": 6}}, "left.ankle_dorsiflexion"),
        ({"left": {**LEFT, "ankle_dorsiflexion": 4.5}}, "left.ankle_dorsiflexion"),
        ({"right": {"big_toe_extension": -1}}, "right.big_toe_extension"),
        ({"right": {"foot_eversion": "4"}}, "right.foot_eversion"),
        ({"left": {"plantarflexion": True}}, "left.plantarflexion"),
    ],
    "reflex": [
        ({"left": {"achilles_reflex": "brisk"}}, "left.achilles_reflex"),
        ({"right": {"knee_reflex": 0}}, "right.knee_reflex"),
    ],
    "slr": [
        ({"left": {"slr_positive": "yes"}}, "left.slr_positive"),
        ({"left": {"slr_positive": True, "slr_angle": 91}}, "left.slr_angle"),
        ({"right": {"slr_positive": True, "slr_angle": -5}}, "right.slr_angle"),
        ({"right": {"slr_angle": 40}}, "right.slr_positive"),
    ],
    "shape": [
        ({"left": {"ankle_dorsiflexion": 4, "hip_flexion": 5}}, "left.hip_flexion"),
        ({"left": [4, 4, 4, 4]}, "left"),
        ({"left": LEFT, "examiner": "me"}, "examiner"),
        ({"left": LEFT, "notes": "x" * 2001}, "notes"),
    ],
    "date": [
        ({"left": LEFT, "date": "2026-02-30"}, "date"),
        ({"left": LEFT, "date": None}, "date"),
        ({"left": LEFT, "date": FUTURE}, "date"),
    ],
}


@pytest.mark.parametrize("kind", list(BAD_ASSESSMENTS))
def test_bad_assessment_is_422_naming_the_field_and_stores_nothing(client, linked, kind):
    patient, clinician = linked
    for body, field in BAD_ASSESSMENTS[kind]:
        sent = {"date": patient.day(1), **body}
        if sent["date"] is FUTURE:
            sent["date"] = patient.day(-1)
        response = client.post(assessments_url(patient.id), json=sent, headers=clinician.headers)
        assert response.status_code == 422, (body, response.get_json())
        assert_names(assert_problem(response, 422), field)
    assert rows(client.application, Assessment) == 0
    assert client.get(assessments_url(patient.id), headers=clinician.headers).get_json()["items"] == []


def test_an_assessment_without_any_finding_is_422(client, linked):
    patient, clinician = linked
    for body in ({}, {"left": None, "right": None, "notes": "looked fine"}, {"left": {}, "right": {}},
                 {"left": {name: None for name in LEG_FIELDS}}):
        response = client.post(assessments_url(patient.id), json={"date": patient.day(1), **body},
                               headers=clinician.headers)
        problem = assert_problem(response, 422)
        assert problem.get("errors"), problem
    assert rows(client.application, Assessment) == 0


def test_assessment_future_date_is_the_patients_future(client, app):
    patient = make_patient(client, "Far Pago", timezone="Pacific/Pago_Pago")
    clinician = make_clinician(app, client)
    code = client.post(f"{API}/me/share-codes", headers=patient.headers).get_json()["code"]
    assert client.post(f"{API}/patients/link", json={"code": code}, headers=clinician.headers).status_code == 201
    response = client.post(assessments_url(patient.id), json={"date": patient.day(-1), "left": LEFT},
                           headers=clinician.headers)
    assert_names(assert_problem(response, 422), "date")
    response = client.post(assessments_url(patient.id), json={"date": patient.day(0), "left": LEFT},
                           headers=clinician.headers)
    assert response.status_code == 201, response.get_json()
    assert rows(client.application, Assessment) == 1


def test_assessments_need_a_linked_clinician(client, app, patient):
    stranger = make_clinician(app, client, "Dr Stranger")
    body = {"date": patient.day(1), "left": LEFT}
    assert_problem(client.post(assessments_url(patient.id), json=body, headers=stranger.headers), 404)
    assert_problem(client.get(assessments_url(patient.id), headers=stranger.headers), 404)
    assert_problem(client.post(assessments_url(patient.id), json=body, headers=patient.headers), 403)
    assert_problem(client.post(assessments_url(patient.id + 999), json=body, headers=stranger.headers), 404)
    assert rows(client.application, Assessment) == 0
