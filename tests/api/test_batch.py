"""POST /me/entries/batch: offline sync, a result per item, good items kept beside bad ones."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from tests.conftest import Account, make_patient, rows, assert_problem
from tracker.models import Entry

API = "/api/v1"
BATCH = f"{API}/me/entries/batch"
PROBLEM = "application/problem+json"
RESULT_KEYS = {"index", "date", "status", "errors", "alerts_raised"}




def names(errors: dict[str, Any], field: str) -> bool:
    return any(key == field or key.startswith(field + ".") for key in errors)


def sync(client: Any, patient: Account, entries: Any) -> list[dict[str, Any]]:
    response = client.post(BATCH, json={"entries": entries}, headers=patient.headers)
    assert response.status_code == 200, response.get_json()
    items = response.get_json()["items"]
    for result in items:
        assert RESULT_KEYS <= result.keys(), result
        assert isinstance(result["alerts_raised"], list)
        assert isinstance(result["errors"], dict)
    return items


def stored(client: Any, patient: Account, day: str) -> dict[str, Any] | None:
    response = client.get(f"{API}/me/entries/{day}", headers=patient.headers)
    if response.status_code == 404:
        return None
    assert response.status_code == 200
    return response.get_json()


def test_a_result_per_item_in_order(client, patient):
    existing = patient.day(4)
    assert client.put(f"{API}/me/entries/{existing}", json={"leg_pain": 1},
                      headers=patient.headers).status_code == 201
    entries = [
        {"date": patient.day(1), "leg_pain": 6, "side": "left"},
        {"date": existing, "leg_pain": 7},
        {"date": patient.day(3), "leg_pain": 2, "numbness": ["sole"]},
    ]
    results = sync(client, patient, entries)
    assert [r["index"] for r in results] == [0, 1, 2]
    assert [r["date"] for r in results] == [e["date"] for e in entries]
    assert [r["status"] for r in results] == [201, 200, 201]
    assert all(r["errors"] == {} and r["alerts_raised"] == [] for r in results)
    assert rows(client.application, Entry) == 3
    for entry in entries:
        body = stored(client, patient, entry["date"])
        assert body is not None
        assert {k: body[k] for k in entry} == entry
    # A replace in a batch is whole, as with PUT.
    assert stored(client, patient, patient.day(1))["numbness"] is None
    listed = client.get(f"{API}/me/entries", headers=patient.headers).get_json()["items"]
    assert [e["date"] for e in listed] == [patient.day(4), patient.day(3), patient.day(1)]


def test_results_follow_the_order_sent_not_the_date_order(client, patient):
    entries = [{"date": patient.day(n), "leg_pain": n} for n in (2, 9, 0, 5)]
    results = sync(client, patient, entries)
    assert [(r["index"], r["date"], r["status"]) for r in results] == [
        (i, e["date"], 201) for i, e in enumerate(entries)
    ]
    for e in entries:
        assert stored(client, patient, e["date"])["leg_pain"] == e["leg_pain"]


def test_good_items_are_stored_beside_bad_ones(client, patient):
    kept_day = patient.day(5)
    assert client.put(f"{API}/me/entries/{kept_day}", json={"leg_pain": 3, "notes": "before"},
                      headers=patient.headers).status_code == 201
    future = (datetime.now(timezone.utc) + timedelta(days=1)).isoformat()
    entries = [
        {"date": patient.day(1), "leg_pain": 4},
        {"date": patient.day(2), "leg_pain": 11},
        {"date": kept_day, "leg_pain": 9, "side": "up"},
        {"date": patient.day(3), "leg_pain": 5, "mood": "fine"},
        {"leg_pain": 5},
        {"date": "2026-02-30", "leg_pain": 5},
        {"date": patient.day(6), "leg_pain": 5, "recorded_at": future},
        {"date": patient.day(7), "leg_pain": 5, "numbness": ["sole", "sole"]},
        {"date": patient.day(8), "leg_pain": 8},
    ]
    results = sync(client, patient, entries)
    assert [r["index"] for r in results] == list(range(len(entries)))
    assert [r["status"] for r in results] == [201, 422, 422, 422, 422, 422, 422, 422, 201]
    expected_fields = [None, "leg_pain", "side", "mood", "date", "date", "recorded_at", "numbness", None]
    for result, field in zip(results, expected_fields):
        if field is None:
            assert result["errors"] == {}
        else:
            assert names(result["errors"], field), result
            assert result["alerts_raised"] == []
    assert results[4]["date"] is None
    assert results[1]["date"] == patient.day(2)
    # Only the two good items were added; the refused replace left its day untouched.
    assert rows(client.application, Entry) == 3
    assert stored(client, patient, kept_day)["leg_pain"] == 3
    assert stored(client, patient, kept_day)["notes"] == "before"
    for n in (2, 3, 6, 7):
        assert stored(client, patient, patient.day(n)) is None
    assert stored(client, patient, patient.day(1))["leg_pain"] == 4
    assert stored(client, patient, patient.day(8))["leg_pain"] == 8


def test_a_batch_of_only_bad_items_stores_nothing(client, patient):
    results = sync(client, patient, [{"date": patient.day(1), "leg_pain": -1},
                                     {"date": patient.day(2), "leg_pain": "5"}])
    assert [r["status"] for r in results] == [422, 422]
    assert all(names(r["errors"], "leg_pain") for r in results)
    assert rows(client.application, Entry) == 0


def test_the_same_date_twice_last_one_wins(client, patient):
    day = patient.day(1)
    results = sync(client, patient, [
        {"date": day, "leg_pain": 3, "notes": "first", "side": "left"},
        {"date": patient.day(2), "leg_pain": 1},
        {"date": day, "leg_pain": 8, "notes": "second"},
    ])
    assert [r["status"] for r in results] == [201, 201, 200]
    assert all(r["errors"] == {} for r in results)
    assert rows(client.application, Entry) == 2
    body = stored(client, patient, day)
    assert (body["leg_pain"], body["notes"], body["side"]) == (8, "second", None)


def test_the_same_date_twice_when_the_second_is_bad_keeps_the_first(client, patient):
    day = patient.day(1)
    results = sync(client, patient, [{"date": day, "leg_pain": 3}, {"date": day, "leg_pain": 30}])
    assert [r["status"] for r in results] == [201, 422]
    assert stored(client, patient, day)["leg_pain"] == 3
    assert rows(client.application, Entry) == 1


def test_a_future_date_is_refused_for_that_item_only(client):
    # Pago Pago (UTC-11): the patient's tomorrow may already be today in UTC.
    patient = make_patient(client, "Far Pago", timezone="Pacific/Pago_Pago")
    results = sync(client, patient, [{"date": patient.day(-1), "leg_pain": 2},
                                     {"date": patient.day(0), "leg_pain": 3}])
    assert [r["status"] for r in results] == [422, 201]
    assert names(results[0]["errors"], "date")
    assert rows(client.application, Entry) == 1
    assert stored(client, patient, patient.day(0))["leg_pain"] == 3


def test_a_full_entry_round_trips_through_a_batch(client, patient):
    from tests.api.test_entries import FULL_ENTRY

    recorded = (datetime.now(timezone.utc) - timedelta(days=2)).replace(microsecond=0)
    item = {"date": patient.day(2), **FULL_ENTRY, "recorded_at": recorded.isoformat()}
    results = sync(client, patient, [item])
    assert results[0]["status"] == 201, results
    body = stored(client, patient, patient.day(2))
    assert {k: body[k] for k in FULL_ENTRY} == FULL_ENTRY
    assert datetime.fromisoformat(body["recorded_at"]) == recorded
    assert datetime.fromisoformat(body["received_at"]).tzinfo is not None


def test_an_item_the_database_cannot_hold_fails_alone(client, patient):
    """A note with a NUL character (valid JSON, refused by PostgreSQL text) must not sink the batch."""
    results = client.post(BATCH, json={"entries": [
        {"date": patient.day(1), "leg_pain": 2},
        {"date": patient.day(2), "leg_pain": 3, "notes": "bad\x00note"},
        {"date": patient.day(3), "leg_pain": 4},
    ]}, headers=patient.headers)
    assert results.status_code == 200, results.get_json()
    items = results.get_json()["items"]
    assert [r["status"] for r in items[::2]] == [201, 201]
    assert stored(client, patient, patient.day(1))["leg_pain"] == 2
    assert stored(client, patient, patient.day(3))["leg_pain"] == 4
    if items[1]["status"] == 422:
        assert names(items[1]["errors"], "notes"), items[1]
        assert stored(client, patient, patient.day(2)) is None
        assert rows(client.application, Entry) == 2
    else:
        assert items[1]["status"] == 201
        assert stored(client, patient, patient.day(2))["notes"] == "bad\x00note"


def test_items_that_are_not_objects_fail_alone(client, patient):
    results = sync(client, patient, [
        "2026-01-01", {"date": patient.day(1), "leg_pain": 2}, 5, [{"date": patient.day(2)}], True,
    ])
    assert [r["status"] for r in results] == [422, 201, 422, 422, 422]
    assert [r["index"] for r in results] == [0, 1, 2, 3, 4]
    for result in (results[0], results[2], results[3], results[4]):
        assert result["errors"], result
        assert result["date"] is None
    assert rows(client.application, Entry) == 1


def test_a_null_item_fails_alone(client, patient):
    """null is an item that is not an object like any other: refused alone, the rest synced."""
    results = sync(client, patient, [{"date": patient.day(1), "leg_pain": 2}, None])
    assert [r["status"] for r in results] == [201, 422]
    assert results[1]["errors"] and results[1]["date"] is None
    assert rows(client.application, Entry) == 1


def test_one_hundred_items_are_accepted(client, app, patient):
    assert app.config["MAX_BATCH_ENTRIES"] == 100
    entries = [{"date": patient.day(n), "leg_pain": n % 11} for n in range(100)]
    results = sync(client, patient, entries)
    assert len(results) == 100
    assert all(r["status"] == 201 for r in results)
    assert rows(client.application, Entry) == 100


BAD_BATCHES = [
    (lambda p: {"entries": [{"date": p.day(n), "leg_pain": 1} for n in range(101)]}, "entries"),
    (lambda p: {"entries": []}, "entries"),
    (lambda p: {"entries": {"date": p.day(1), "leg_pain": 1}}, "entries"),
    (lambda p: {"entries": "all"}, "entries"),
    (lambda p: {"entries": None}, "entries"),
    (lambda p: {}, "entries"),
    (lambda p: {"entries": [{"date": p.day(1), "leg_pain": 1}], "device": "x"}, "device"),
    (lambda p: [{"date": p.day(1), "leg_pain": 1}], "body"),
]


def test_a_bad_batch_is_422_and_stores_nothing(client, patient):
    for number, (make, field) in enumerate(BAD_BATCHES):
        response = client.post(BATCH, json=make(patient), headers=patient.headers)
        problem = assert_problem(response, 422)
        assert names(problem.get("errors") or {}, field), (number, problem)
    assert rows(client.application, Entry) == 0


def test_invalid_json_is_a_problem_and_stores_nothing(client, patient):
    response = client.post(BATCH, data=b'{"entries": [', headers={**patient.headers,
                                                                   "Content-Type": "application/json"})
    assert 400 <= response.status_code < 500
    assert response.mimetype == PROBLEM
    assert rows(client.application, Entry) == 0


def test_batch_is_for_patients_only(client, clinician):
    response = client.post(BATCH, json={"entries": [{"date": clinician.day(1), "leg_pain": 1}]},
                           headers=clinician.headers)
    assert_problem(response, 403)
    assert_problem(client.post(BATCH, json={"entries": []}), 401)
    assert rows(client.application, Entry) == 0
