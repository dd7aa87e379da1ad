"""PUT, GET, DELETE /me/entries/{date} and GET /me/entries: the diary's one-entry-a-day contract."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone
from typing import Any

import pytest

from tests.conftest import Account, make_patient, rows
from tracker.models import Entry

API = "/api/v1"
PROBLEM = "application/problem+json"

ENTRY_FIELDS = (
    "leg_pain", "back_pain", "side", "radiation", "numbness", "tingling", "pain_quality",
    "aggravators", "heel_walk", "toe_walk", "foot_drop", "walking_minutes", "walking_aid",
    "bladder_or_bowel_change", "saddle_numbness", "medications", "exercises_done", "notes",
)

FULL_ENTRY: dict[str, Any] = {
    "leg_pain": 7,
    "back_pain": 4,
    "side": "left",
    "radiation": "calf",
    "numbness": ["outer_calf", "big_toe"],
    "tingling": ["top_of_foot", "sole", "heel"],
    "pain_quality": ["burning", "shooting", "electric"],
    "aggravators": ["sitting", "coughing_sneezing", "bending"],
    "heel_walk": "difficult",
    "toe_walk": "normal",
    "foot_drop": False,
    "walking_minutes": 25,
    "walking_aid": True,
    "bladder_or_bowel_change": False,
    "saddle_numbness": False,
    "medications": ["nsaid", "neuropathic", "muscle_relaxant"],
    "exercises_done": True,
    "notes": "Worse after the drive to work.",
}


def entry_url(day: str) -> str:
    return f"{API}/me/entries/{day}"


def aware(value: str) -> datetime:
    """An ISO 8601 time that carries an offset."""
    parsed = datetime.fromisoformat(value)
    assert parsed.tzinfo is not None and parsed.utcoffset() is not None, value
    return parsed


def assert_problem(response: Any, status: int | None = None) -> dict[str, Any]:
    assert response.mimetype == PROBLEM, (response.status_code, response.data[:300])
    body = response.get_json(force=True)
    assert {"type", "title", "status", "detail"} <= body.keys(), body
    assert body["status"] == response.status_code
    assert isinstance(body["detail"], str) and body["detail"]
    if status is not None:
        assert response.status_code == status, body
    return body


def assert_names(body: dict[str, Any], field: str) -> None:
    errors = body.get("errors")
    assert isinstance(errors, dict) and errors, body
    # A field, or an element of it ("numbness.0"), is named by its path.
    named = [key for key in errors if key == field or key.startswith(field + ".")]
    assert named, body
    assert all(isinstance(m, str) and m for key in named for m in errors[key]), body


def get_entry(client: Any, patient: Account, day: str) -> Any:
    return client.get(entry_url(day), headers=patient.headers)


# --- create, replace, read ------------------------------------------------------------


def test_create_answers_201_with_the_entry_and_alerts_raised(client, patient):
    day = patient.day(1)
    response = client.put(entry_url(day), json={"leg_pain": 5, "side": "right"}, headers=patient.headers)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert set(ENTRY_FIELDS) | {"date", "recorded_at", "received_at", "alerts_raised"} <= body.keys()
    assert body["date"] == day
    assert body["leg_pain"] == 5 and body["side"] == "right"
    # Every field not sent is "not answered": null, never false or an empty list.
    assert all(body[name] is None for name in ENTRY_FIELDS if name not in ("leg_pain", "side"))
    assert isinstance(body["alerts_raised"], list)
    received = aware(body["received_at"])
    recorded = aware(body["recorded_at"])
    now = datetime.now(timezone.utc)
    assert abs(received - now) < timedelta(minutes=1)
    # Without recorded_at the phone time defaults to the time the server received it.
    assert abs(recorded - received) < timedelta(seconds=1)
    assert rows(client.application, Entry) == 1


def test_replace_answers_200_and_wholly_replaces(client, patient):
    day = patient.day(2)
    first = client.put(entry_url(day), json=FULL_ENTRY, headers=patient.headers)
    assert first.status_code == 201, first.get_json()
    second = client.put(entry_url(day), json={"leg_pain": 2, "walking_minutes": 60}, headers=patient.headers)
    assert second.status_code == 200, second.get_json()
    body = second.get_json()
    assert isinstance(body["alerts_raised"], list)
    assert body["leg_pain"] == 2 and body["walking_minutes"] == 60
    for name in ENTRY_FIELDS:
        if name not in ("leg_pain", "walking_minutes"):
            assert body[name] is None, (name, body[name])
    stored = get_entry(client, patient, day).get_json()
    assert {name: stored[name] for name in ENTRY_FIELDS} == {name: body[name] for name in ENTRY_FIELDS}
    assert rows(client.application, Entry) == 1


def test_full_entry_round_trips(client, patient):
    day = patient.day(3)
    sent = {**FULL_ENTRY, "recorded_at": (datetime.now(timezone(timedelta(hours=2))) - timedelta(hours=3))
            .replace(microsecond=0).isoformat()}
    put = client.put(entry_url(day), json=sent, headers=patient.headers)
    assert put.status_code == 201, put.get_json()
    response = get_entry(client, patient, day)
    assert response.status_code == 200
    body = response.get_json()
    assert set(ENTRY_FIELDS) | {"date", "recorded_at", "received_at"} <= body.keys()
    assert {name: body[name] for name in ENTRY_FIELDS} == FULL_ENTRY
    assert body["date"] == day
    assert aware(body["recorded_at"]) == datetime.fromisoformat(sent["recorded_at"])
    assert aware(body["received_at"]) == aware(put.get_json()["received_at"])
    assert aware(body["received_at"]) > aware(body["recorded_at"])
    # The write's answer is the same entry.
    assert {name: put.get_json()[name] for name in ENTRY_FIELDS} == FULL_ENTRY


def test_every_value_of_every_vocabulary_is_accepted(client, patient):
    from tracker import vocabulary as v

    bodies = [
        {"leg_pain": 0, "back_pain": 0, "side": "both", "radiation": "none", "numbness": list(v.REGIONS),
         "tingling": [], "pain_quality": list(v.PAIN_QUALITIES), "aggravators": list(v.AGGRAVATORS),
         "heel_walk": "unable", "toe_walk": "unable", "foot_drop": True, "walking_minutes": 0,
         "medications": list(v.MEDICATIONS), "notes": ""},
        {"leg_pain": 10, "back_pain": 10, "side": "right", "radiation": "foot", "tingling": list(v.REGIONS),
         "walking_minutes": 600, "heel_walk": "normal", "toe_walk": "difficult", "bladder_or_bowel_change": True,
         "saddle_numbness": True, "exercises_done": False, "walking_aid": False},
    ]
    for days_ago, body in enumerate(bodies, start=1):
        response = client.put(entry_url(patient.day(days_ago)), json=body, headers=patient.headers)
        assert response.status_code == 201, response.get_json()
        stored = get_entry(client, patient, patient.day(days_ago)).get_json()
        assert {name: stored[name] for name in body} == body


def test_explicit_nulls_are_not_answered(client, patient):
    day = patient.day(1)
    body = {"leg_pain": 3, **{name: None for name in ENTRY_FIELDS if name != "leg_pain"}}
    response = client.put(entry_url(day), json=body, headers=patient.headers)
    assert response.status_code == 201, response.get_json()
    stored = get_entry(client, patient, day).get_json()
    assert {name: stored[name] for name in ENTRY_FIELDS} == body


def test_unicode_notes_round_trip(client, patient):
    notes = "Schmerz ↯ im Bein — 坐骨神経痛 🦶🔥, «ça brûle», naïve café\nsecond line\ttab"
    day = patient.day(1)
    response = client.put(entry_url(day), json={"leg_pain": 6, "notes": notes}, headers=patient.headers)
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["notes"] == notes
    assert get_entry(client, patient, day).get_json()["notes"] == notes
    listed = client.get(f"{API}/me/entries", headers=patient.headers).get_json()["items"]
    assert [item["notes"] for item in listed] == [notes]


def test_notes_of_2000_characters_outside_ascii_are_accepted(client, patient):
    """The limit counts characters, not bytes: 2,000 emoji (8,000 bytes) fit."""
    notes = "🦶" * 1000 + "痛" * 1000
    day = patient.day(1)
    response = client.put(entry_url(day), json={"leg_pain": 6, "notes": notes}, headers=patient.headers)
    assert response.status_code == 201, response.get_json()
    assert get_entry(client, patient, day).get_json()["notes"] == notes


def test_recorded_at_keeps_the_instant_given_in_any_offset(client, patient):
    day = patient.day(1)
    recorded = (datetime.now(timezone.utc) - timedelta(days=1)).replace(microsecond=0)
    sent = recorded.astimezone(timezone(timedelta(hours=-5, minutes=-30))).isoformat()
    response = client.put(entry_url(day), json={"leg_pain": 1, "recorded_at": sent}, headers=patient.headers)
    assert response.status_code == 201, response.get_json()
    assert aware(response.get_json()["recorded_at"]) == recorded
    assert aware(get_entry(client, patient, day).get_json()["recorded_at"]) == recorded


@pytest.mark.parametrize("notes", [
    pytest.param("before\x00after", id="nul-character"),
    pytest.param("\ud83d alone", id="lone-surrogate"),
])
def test_notes_no_database_can_hold_are_refused_not_a_5xx(client, patient, notes):
    """JSON allows \\u0000 and lone surrogates; PostgreSQL text and UTF-8 do not. Never a 5xx:
    the note is kept exactly or refused by name, on either database."""
    existing_day = patient.day(1)
    existing = _store_existing(client, patient, existing_day)
    raw = json.dumps({"leg_pain": 4, "notes": notes})
    for day in (patient.day(2), existing_day):
        response = client.put(entry_url(day), data=raw, headers={**patient.headers,
                                                                  "Content-Type": "application/json"})
        assert response.status_code < 500, response.get_json()
        if response.status_code == 422:
            assert_names(assert_problem(response, 422), "notes")
        else:
            assert response.status_code in (200, 201)
            assert get_entry(client, patient, day).get_json()["notes"] == notes
    if response.status_code == 422:
        _assert_nothing_changed(client, patient, existing_day, existing, patient.day(2))


def test_recorded_at_in_year_one_is_refused_not_a_5xx(client, patient):
    """An offset that pushes the instant out of the representable range must not crash the write."""
    day = patient.day(1)
    response = client.put(entry_url(day), json={"leg_pain": 3, "recorded_at": "0001-01-01T00:30:00+01:00"},
                          headers=patient.headers)
    assert response.status_code < 500, response.get_json()
    assert_names(assert_problem(response, 422), "recorded_at")
    assert rows(client.application, Entry) == 0


def test_recorded_at_a_minute_ahead_is_tolerated_as_clock_skew(client, patient):
    ahead = (datetime.now(timezone.utc) + timedelta(minutes=1)).isoformat()
    response = client.put(entry_url(patient.day(0)), json={"leg_pain": 1, "recorded_at": ahead},
                          headers=patient.headers)
    assert response.status_code == 201, response.get_json()


def test_get_an_absent_day_is_404_problem(client, patient):
    assert_problem(get_entry(client, patient, patient.day(1)), 404)


def test_entries_are_private_to_their_patient(client, patient):
    day = patient.day(1)
    assert client.put(entry_url(day), json={"leg_pain": 8}, headers=patient.headers).status_code == 201
    other = make_patient(client, "Other")
    assert_problem(get_entry(client, other, day), 404)
    assert_problem(client.delete(entry_url(day), headers=other.headers), 404)
    assert client.get(f"{API}/me/entries", headers=other.headers).get_json()["items"] == []
    # The other patient's own entry for that day is a separate row.
    assert client.put(entry_url(day), json={"leg_pain": 1}, headers=other.headers).status_code == 201
    assert get_entry(client, patient, day).get_json()["leg_pain"] == 8
    assert rows(client.application, Entry) == 2


def test_entries_need_a_patient_token(client, clinician):
    day = clinician.day(1)
    assert_problem(client.put(entry_url(day), json={"leg_pain": 1}), 401)
    assert_problem(client.put(entry_url(day), json={"leg_pain": 1},
                              headers={"Authorization": "Bearer not-a-token"}), 401)
    assert_problem(client.put(entry_url(day), json={"leg_pain": 1}, headers=clinician.headers), 403)
    assert rows(client.application, Entry) == 0


# --- listing --------------------------------------------------------------------------


def test_list_is_by_date_ascending_within_the_range(client, patient):
    for days_ago, pain in ((3, 3), (10, 10), (1, 1), (5, 5), (2, 2), (400, 9)):
        response = client.put(entry_url(patient.day(days_ago)), json={"leg_pain": pain}, headers=patient.headers)
        assert response.status_code == 201
    response = client.get(f"{API}/me/entries", query_string={"from": patient.day(5), "to": patient.day(1)},
                          headers=patient.headers)
    assert response.status_code == 200, response.get_json()
    items = response.get_json()["items"]
    assert [item["date"] for item in items] == [patient.day(n) for n in (5, 3, 2, 1)]
    assert [item["leg_pain"] for item in items] == [5, 3, 2, 1]
    assert all(set(ENTRY_FIELDS) | {"date", "recorded_at", "received_at"} <= item.keys() for item in items)
    # Without a range: the year up to today (the entry of 400 days ago is outside it).
    everything = client.get(f"{API}/me/entries", headers=patient.headers).get_json()["items"]
    assert [item["date"] for item in everything] == [patient.day(n) for n in (10, 5, 3, 2, 1)]
    older = client.get(f"{API}/me/entries", query_string={"from": patient.day(401)}, headers=patient.headers)
    assert [item["leg_pain"] for item in older.get_json()["items"]] == [9]


def test_a_range_of_366_days_is_allowed(client, patient):
    client.put(entry_url(patient.day(365)), json={"leg_pain": 4}, headers=patient.headers)
    client.put(entry_url(patient.day(0)), json={"leg_pain": 5}, headers=patient.headers)
    response = client.get(f"{API}/me/entries", query_string={"from": patient.day(365), "to": patient.day(0)},
                          headers=patient.headers)
    assert response.status_code == 200, response.get_json()
    assert [item["leg_pain"] for item in response.get_json()["items"]] == [4, 5]


def test_a_range_over_366_days_is_422_naming_to(client, patient):
    for start in (366, 3000):
        response = client.get(f"{API}/me/entries", query_string={"from": patient.day(start), "to": patient.day(0)},
                              headers=patient.headers)
        assert_names(assert_problem(response, 422), "to")


def test_from_after_to_is_422(client, patient):
    response = client.get(f"{API}/me/entries", query_string={"from": patient.day(1), "to": patient.day(2)},
                          headers=patient.headers)
    body = assert_problem(response, 422)
    assert body.get("errors") and ({"to", "from"} & body["errors"].keys()), body


def test_bad_query_is_422_naming_the_parameter(client, patient):
    for query, field in (({"colour": "red"}, "colour"), ({"form": "2026-01-01"}, "form"),
                         ({"from": "2026-02-30"}, "from"), ({"to": "yesterday"}, "to")):
        response = client.get(f"{API}/me/entries", query_string=query, headers=patient.headers)
        assert_names(assert_problem(response, 422), field)


# --- delete ---------------------------------------------------------------------------


def test_range_at_the_ends_of_the_calendar_is_not_a_5xx(client, patient):
    """A range open on one side is completed from the other; at the calendar's ends that must not crash."""
    client.put(entry_url(patient.day(1)), json={"leg_pain": 4}, headers=patient.headers)
    for query, field in (({"from": "9999-12-31"}, "from"), ({"to": "0001-01-01"}, "to"),
                         ({"from": "9999-12-01", "to": "9999-12-31"}, None),
                         ({"from": "0001-01-01", "to": "0001-01-02"}, None)):
        response = client.get(f"{API}/me/entries", query_string=query, headers=patient.headers)
        assert response.status_code < 500, (query, response.get_json())
        if response.status_code == 200:
            assert response.get_json()["items"] == [], query
        else:
            body = assert_problem(response, 422)
            assert body.get("errors") and (field is None or set(body["errors"]) & {field, "from", "to"}), body


def test_delete_then_404(client, patient):
    day, other_day = patient.day(1), patient.day(2)
    client.put(entry_url(day), json={"leg_pain": 5}, headers=patient.headers)
    client.put(entry_url(other_day), json={"leg_pain": 6}, headers=patient.headers)
    response = client.delete(entry_url(day), headers=patient.headers)
    assert response.status_code == 204
    assert response.data == b""
    assert_problem(get_entry(client, patient, day), 404)
    assert_problem(client.delete(entry_url(day), headers=patient.headers), 404)
    assert rows(client.application, Entry) == 1
    assert get_entry(client, patient, other_day).get_json()["leg_pain"] == 6
    # The day can be logged again afterwards: a new entry, 201.
    assert client.put(entry_url(day), json={"leg_pain": 2}, headers=patient.headers).status_code == 201


# --- bad input ------------------------------------------------------------------------

BASE = {"leg_pain": 5}
TOO_LONG = "x" * 2001


def _future_by_a_day() -> str:
    return (datetime.now(timezone.utc) + timedelta(days=1)).isoformat()


MISSING = object()
FUTURE_BY_A_DAY = object()

# Per field, the bad values it must refuse (MISSING: the field left out).
BAD_VALUES: dict[str, list[Any]] = {
    "leg_pain": [MISSING, -1, 11, 5.5, "5", True, None],
    "back_pain": [11, -1, 2.0, "3"],
    "side": ["up", "LEFT", ["left"]],
    "radiation": ["toe", 3],
    "numbness": ["big_toe", ["nose"], ["sole", "sole"], [None]],
    "tingling": [["ear"], "heel", ["heel", "heel"]],
    "pain_quality": [["dull"], "sharp"],
    "aggravators": [["sitting", "running"]],
    "medications": [["aspirin"], {"nsaid": True}],
    "heel_walk": ["maybe", True],
    "toe_walk": ["maybe", 0],
    **{name: [1, "true", "yes", 0] for name in (
        "foot_drop", "walking_aid", "bladder_or_bowel_change", "saddle_numbness", "exercises_done")},
    "walking_minutes": [601, -1, 10.0, "30"],
    "notes": [TOO_LONG, 123, ["a"]],
    "recorded_at": ["2026-01-01T08:00:00", FUTURE_BY_A_DAY, "yesterday", 1767225600],
    # Fields the entry does not have: an error, never silently dropped.
    "mood": ["grumpy"],
    "date": ["2026-01-01"],
    "received_at": ["2026-01-01T08:00:00+00:00"],
}


def bad_body(field: str, value: Any) -> dict[str, Any]:
    body = dict(BASE)
    if value is MISSING:
        body.pop(field, None)
        body["back_pain"] = 3
    elif value is FUTURE_BY_A_DAY:
        body[field] = _future_by_a_day()
    else:
        body[field] = value
    return body


def _store_existing(client: Any, patient: Account, day: str) -> dict[str, Any]:
    response = client.put(entry_url(day), json=FULL_ENTRY, headers=patient.headers)
    assert response.status_code == 201, response.get_json()
    return get_entry(client, patient, day).get_json()


def _assert_nothing_changed(client: Any, patient: Account, existing_day: str, existing: dict[str, Any],
                            new_day: str) -> None:
    assert rows(client.application, Entry) == 1
    assert get_entry(client, patient, existing_day).get_json() == existing
    assert get_entry(client, patient, new_day).status_code == 404


@pytest.mark.parametrize("field", list(BAD_VALUES))
def test_bad_field_is_refused_and_nothing_stored(client, patient, field):
    existing_day, new_day = patient.day(1), patient.day(2)
    existing = _store_existing(client, patient, existing_day)
    for value in BAD_VALUES[field]:
        sent = bad_body(field, value)
        for day in (new_day, existing_day):
            response = client.put(entry_url(day), json=sent, headers=patient.headers)
            assert response.status_code == 422, (field, value, day, response.get_json())
            assert_names(assert_problem(response, 422), field)
    _assert_nothing_changed(client, patient, existing_day, existing, new_day)


@pytest.mark.parametrize("data, content_type, status, fields", [
    pytest.param(b'[{"leg_pain": 5}]', "application/json", 422, {"body"}, id="json-list"),
    pytest.param(b'{"leg_pain": 5,', "application/json", 400, {"body"}, id="invalid-json"),
    # An empty body may be read as no JSON at all or as {} (then leg_pain is missing).
    pytest.param(b"", "application/json", None, {"body", "leg_pain"}, id="empty-json-body"),
    pytest.param(b"", None, None, {"body", "leg_pain"}, id="no-body-at-all"),
    # Well under the size limit, but nested deeper than a JSON parser should follow.
    pytest.param(b"[" * 100_000 + b"]" * 100_000, "application/json", None, {"body"}, id="deeply-nested"),
])
def test_bad_body_is_refused_and_nothing_stored(client, patient, data, content_type, status, fields):
    existing_day, new_day = patient.day(1), patient.day(2)
    existing = _store_existing(client, patient, existing_day)
    for day in (new_day, existing_day):
        headers = {**patient.headers, **({"Content-Type": content_type} if content_type else {})}
        response = client.put(entry_url(day), data=data, headers=headers)
        assert 400 <= response.status_code < 500, response.data
        body = assert_problem(response, status)
        assert body.get("errors") and body["errors"].keys() & fields, body
    _assert_nothing_changed(client, patient, existing_day, existing, new_day)


def test_all_errors_are_reported_at_once(client, patient):
    response = client.put(entry_url(patient.day(1)),
                          json={"leg_pain": 11, "side": "up", "walking_minutes": 601, "mood": 1},
                          headers=patient.headers)
    body = assert_problem(response, 422)
    assert {"leg_pain", "side", "walking_minutes", "mood"} <= body["errors"].keys()
    assert rows(client.application, Entry) == 0


def test_body_over_the_size_limit_is_413_problem(client, app, patient):
    limit = app.config["MAX_CONTENT_LENGTH"]
    existing_day = patient.day(1)
    existing = _store_existing(client, patient, existing_day)
    body = {"leg_pain": 5, "notes": "x" * (limit + 1)}
    response = client.put(entry_url(patient.day(2)), json=body, headers=patient.headers)
    assert_problem(response, 413)
    response = client.put(entry_url(existing_day), json=body, headers=patient.headers)
    assert_problem(response, 413)
    _assert_nothing_changed(client, patient, existing_day, existing, patient.day(2))


# --- dates ----------------------------------------------------------------------------


def test_impossible_date_is_422_naming_date(client, patient):
    for day in ("2026-02-30", "2025-13-01", "2023-02-29"):
        for method in ("put", "get", "delete"):
            response = getattr(client, method)(entry_url(day), json={"leg_pain": 5}, headers=patient.headers)
            assert_names(assert_problem(response, 422), "date")
    # Not date-shaped at all: no such resource, or refused by name; a problem either way.
    for path in ("2026-1-01", "today"):
        response = client.put(entry_url(path), json={"leg_pain": 5}, headers=patient.headers)
        assert response.status_code in (404, 422)
        assert_problem(response)
    assert rows(client.application, Entry) == 0


def test_tomorrow_is_422_naming_date(client, patient):
    response = client.put(entry_url(patient.day(-1)), json={"leg_pain": 5}, headers=patient.headers)
    assert_names(assert_problem(response, 422), "date")
    response = client.put(entry_url(patient.day(-400)), json={"leg_pain": 5}, headers=patient.headers)
    assert_names(assert_problem(response, 422), "date")
    assert rows(client.application, Entry) == 0


def test_a_day_before_2000_is_refused(client, patient):
    response = client.put(entry_url("1999-12-31"), json={"leg_pain": 5}, headers=patient.headers)
    assert_names(assert_problem(response, 422), "date")
    assert client.put(entry_url("2000-01-01"), json={"leg_pain": 5}, headers=patient.headers).status_code == 201


@pytest.mark.parametrize("zone", ["Pacific/Kiritimati", "Pacific/Pago_Pago"])
def test_today_is_the_patients_local_day(client, zone):
    patient = make_patient(client, f"Far {zone.split('/')[1]}", timezone=zone)
    utc_today = datetime.now(timezone.utc).date()
    local_today = patient.today()
    # Kiritimati (UTC+14) is never behind UTC; Pago Pago (UTC-11) never ahead.
    assert (local_today >= utc_today) if zone == "Pacific/Kiritimati" else (local_today <= utc_today)

    # Local today is accepted even when UTC has not reached it yet.
    response = client.put(entry_url(patient.day(0)), json={"leg_pain": 5}, headers=patient.headers)
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["date"] == local_today.isoformat()

    # Local tomorrow is refused even when it is already today in UTC.
    response = client.put(entry_url(patient.day(-1)), json={"leg_pain": 5}, headers=patient.headers)
    assert_names(assert_problem(response, 422), "date")

    # UTC's today is accepted exactly when it is not ahead of the patient's today.
    response = client.put(entry_url(utc_today.isoformat()), json={"leg_pain": 6}, headers=patient.headers)
    if utc_today <= local_today:
        assert response.status_code in (200, 201), response.get_json()
    else:
        assert_names(assert_problem(response, 422), "date")
    stored = {item["date"] for item in client.get(f"{API}/me/entries", headers=patient.headers).get_json()["items"]}
    assert stored == {local_today.isoformat()} | ({utc_today.isoformat()} if utc_today <= local_today else set())
    assert all(date.fromisoformat(d) <= local_today for d in stored)


# --- methods --------------------------------------------------------------------------


def test_wrong_method_is_405_with_allow(client, patient):
    for method, path, allowed in (
        ("post", "/me/entries/{day}", {"GET", "PUT", "DELETE"}),
        ("patch", "/me/entries/{day}", {"GET", "PUT", "DELETE"}),
        ("delete", "/me/entries", {"GET"}),
        ("put", "/me/entries", {"GET"}),
        ("get", "/me/entries/batch", {"POST"}),
    ):
        response = getattr(client, method)(API + path.format(day=patient.day(1)), json={"leg_pain": 5},
                                           headers=patient.headers)
        assert_problem(response, 405)
        allow = {m.strip() for m in response.headers.get("Allow", "").split(",") if m.strip()}
        assert allowed <= allow, (method, path, allow)
        assert method.upper() not in allow
    assert rows(client.application, Entry) == 0
