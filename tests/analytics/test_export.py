"""The patient's data export: diary CSV (round trip, injection, unicode) and the FHIR R4 Bundle."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd
import pytest
from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.bundle import Bundle

from tracker.analytics.export import ENTRY_CSV_COLUMNS, ENTRY_FIELDS, entries_csv, fhir_bundle

UTC = dt.timezone.utc
BASE = "https://clinic.example"
GENERATED = dt.datetime(2026, 1, 20, 9, 30, tzinfo=UTC)
PATIENT = {"id": 7, "display_name": "Ana Sørensen", "email": "ana@example.org", "timezone": "Europe/Oslo"}

#: Every field answered (with a list of several items and a "no").
FULL_ENTRY: dict[str, Any] = {
    "date": dt.date(2026, 1, 5),
    "leg_pain": 7,
    "back_pain": 4,
    "side": "left",
    "radiation": "calf",
    "numbness": ["outer_calf", "big_toe"],
    "tingling": ["top_of_foot"],
    "pain_quality": ["burning", "electric"],
    "aggravators": ["sitting", "coughing_sneezing"],
    "heel_walk": "difficult",
    "toe_walk": "normal",
    "foot_drop": False,
    "walking_minutes": 25,
    "walking_aid": True,
    "bladder_or_bowel_change": False,
    "saddle_numbness": False,
    "medications": ["nsaid", "neuropathic"],
    "exercises_done": True,
    "notes": "Bad night; sitting > 20 min hurts, \"sharp\" at times",
    "recorded_at": dt.datetime(2026, 1, 5, 21, 15, tzinfo=dt.timezone(dt.timedelta(hours=1))),
    "received_at": dt.datetime(2026, 1, 6, 7, 0, 5, tzinfo=UTC),
}
#: Only the required field: everything else unanswered.
MINIMAL_ENTRY: dict[str, Any] = {"date": dt.date(2026, 1, 6), "leg_pain": 3,
                                 "recorded_at": dt.datetime(2026, 1, 6, 8, tzinfo=UTC),
                                 "received_at": dt.datetime(2026, 1, 6, 8, 1, tzinfo=UTC)}
ALLOWED_STANDARD_CODES = {
    "http://loinc.org": {"72514-3", "97909-6"},
    "http://snomed.info/sct": {"61685007", "32153003", "62175007", "52612000"},
}


def entries_frame(*rows: dict[str, Any]) -> pd.DataFrame:
    """Rows as the service passes them: every column present, None where not answered."""
    columns = list(ENTRY_CSV_COLUMNS)
    return pd.DataFrame([{name: row.get(name) for name in columns} for row in rows], columns=columns)


def read_csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


# --- CSV ---------------------------------------------------------------------------------


def test_csv_columns_are_date_the_fields_in_product_order_then_times() -> None:
    assert ENTRY_CSV_COLUMNS == ("date", *ENTRY_FIELDS, "recorded_at", "received_at")
    assert ENTRY_FIELDS[:4] == ("leg_pain", "back_pain", "side", "radiation")
    assert ENTRY_FIELDS[-3:] == ("medications", "exercises_done", "notes")
    assert len(ENTRY_FIELDS) == 18


def test_csv_has_the_header_and_one_row_per_entry_sorted_by_date() -> None:
    later = {**MINIMAL_ENTRY, "date": dt.date(2026, 1, 9)}
    text = entries_csv(entries_frame(later, FULL_ENTRY, MINIMAL_ENTRY))
    header = next(csv.reader(io.StringIO(text)))
    rows = read_csv(text)
    assert tuple(header) == ENTRY_CSV_COLUMNS
    assert len(rows) == 3
    assert [r["date"] for r in rows] == ["2026-01-05", "2026-01-06", "2026-01-09"]


def test_full_entry_round_trips_cell_by_cell() -> None:
    (row,) = read_csv(entries_csv(entries_frame(FULL_ENTRY)))
    assert row == {
        "date": "2026-01-05",
        "leg_pain": "7",
        "back_pain": "4",
        "side": "left",
        "radiation": "calf",
        "numbness": "outer_calf;big_toe",
        "tingling": "top_of_foot",
        "pain_quality": "burning;electric",
        "aggravators": "sitting;coughing_sneezing",
        "heel_walk": "difficult",
        "toe_walk": "normal",
        "foot_drop": "false",
        "walking_minutes": "25",
        "walking_aid": "true",
        "bladder_or_bowel_change": "false",
        "saddle_numbness": "false",
        "medications": "nsaid;neuropathic",
        "exercises_done": "true",
        "notes": FULL_ENTRY["notes"],
        "recorded_at": "2026-01-05T20:15:00+00:00",
        "received_at": "2026-01-06T07:00:05+00:00",
    }
    assert row["numbness"].split(";") == FULL_ENTRY["numbness"]


def test_unanswered_is_an_empty_cell_never_a_no() -> None:
    answered_no = {**MINIMAL_ENTRY, "date": dt.date(2026, 1, 7), "back_pain": 0, "numbness": [],
                   "foot_drop": False, "walking_minutes": 0, "medications": []}
    unanswered, no = read_csv(entries_csv(entries_frame(MINIMAL_ENTRY, answered_no)))
    assert all(unanswered[name] == "" for name in ENTRY_FIELDS if name != "leg_pain")
    assert (no["back_pain"], no["numbness"], no["foot_drop"], no["walking_minutes"], no["medications"]) == (
        "0", "none", "false", "0", "none",
    )


def test_sqlite_shapes_give_the_same_csv_as_python_values() -> None:
    """JSON text lists, 0/1 booleans, float ints with NaN, ISO text dates and naive UTC times."""
    raw = entries_frame(FULL_ENTRY, MINIMAL_ENTRY)
    for name in ("numbness", "tingling", "pain_quality", "aggravators", "medications"):
        raw[name] = [json.dumps(v) if v is not None else None for v in raw[name]]
    for name in ("foot_drop", "walking_aid", "bladder_or_bowel_change", "saddle_numbness", "exercises_done"):
        raw[name] = pd.array([None if v is None else int(v) for v in raw[name]], dtype="Int64")
    raw["back_pain"] = [4.0, np.nan]
    raw["date"] = ["2026-01-05", "2026-01-06"]
    raw["recorded_at"] = [t.astimezone(UTC).replace(tzinfo=None) for t in raw["recorded_at"]]
    assert entries_csv(raw) == entries_csv(entries_frame(FULL_ENTRY, MINIMAL_ENTRY))


@pytest.mark.parametrize(
    "notes", ["=HYPERLINK(\"http://evil\")", "+1+1", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd"]
)
def test_formula_notes_are_prefixed_with_a_quote(notes: str) -> None:
    (row,) = read_csv(entries_csv(entries_frame({**MINIMAL_ENTRY, "notes": notes})))
    assert row["notes"] == "'" + notes


def test_harmless_notes_are_left_alone() -> None:
    (row,) = read_csv(entries_csv(entries_frame({**MINIMAL_ENTRY, "notes": "1 + 1 = 2, a-ok @ home"})))
    assert row["notes"] == "1 + 1 = 2, a-ok @ home"


def test_unicode_and_line_breaks_survive_utf8_and_crlf_line_ends() -> None:
    notes = "Schmerz ↯ — ça brûle, 痛い 🙁\nzweite Zeile"
    text = entries_csv(entries_frame({**MINIMAL_ENTRY, "notes": notes}))
    decoded = text.encode("utf-8").decode("utf-8")
    (row,) = read_csv(decoded)
    assert row["notes"] == notes
    assert text.endswith("\r\n")
    assert text.count("\r\n") == 2  # header and row; the note's own \n stays inside quotes


@pytest.mark.parametrize("empty", [pd.DataFrame(), entries_frame()], ids=["no columns", "no rows"])
def test_empty_diary_gives_the_header_only(empty: pd.DataFrame) -> None:
    assert entries_csv(empty) == ",".join(ENTRY_CSV_COLUMNS) + "\r\n"


@pytest.mark.parametrize(
    ("field", "value"),
    [("foot_drop", 2), ("numbness", "[not json"), ("numbness", ["ankle;knee"]), ("side", "up"),
     ("leg_pain", "x")],
)
def test_malformed_rows_are_refused_with_the_field_named(field: str, value: Any) -> None:
    with pytest.raises(ValueError, match=field):
        entries_csv(entries_frame({**MINIMAL_ENTRY, field: value}))


# --- FHIR --------------------------------------------------------------------------------


def odi_frame(*rows: tuple[dt.date, list[int | None], float | None]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["date", "answers", "score"])


def alerts_frame(*rows: tuple[int, str, str, str, dt.date, str]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["id", "rule", "severity", "status", "raised_on", "message"])


SCORED = (dt.date(2026, 1, 5), [2, 1, 3, 2, None, 2, 1, 0, 2, 2], 33.33333333333333)
UNSCORED = (dt.date(2026, 1, 12), [2, None, 3, None, 1, 2, 1, 0, 2, 2], None)
ALERTS = (
    (12, "new_foot_drop", "urgent", "open", dt.date(2026, 1, 5), "New foot drop reported on 2026-01-05."),
    (13, "pain_worsening", "warning", "acknowledged", dt.date(2026, 1, 6), "Leg pain rising."),
    (9, "cauda_equina_signs", "emergency", "resolved", dt.date(2026, 1, 2), "Saddle numbness reported."),
)


@pytest.fixture(scope="module")
def bundle() -> dict[str, Any]:
    """Two entries (one full, one leg pain only), a scored and an unscored ODI, three alerts."""
    return fhir_bundle(
        PATIENT,
        entries_frame(MINIMAL_ENTRY, FULL_ENTRY),
        odi_frame(SCORED, UNSCORED),
        alerts_frame(*ALERTS),
        generated_at=GENERATED,
        base_url=BASE + "/",
    )


def resources(bundle: dict[str, Any], kind: str | None = None) -> list[dict[str, Any]]:
    return [e["resource"] for e in bundle["entry"] if kind is None or e["resource"]["resourceType"] == kind]


def by_id(bundle: dict[str, Any], resource_id: str) -> dict[str, Any]:
    (found,) = [r for r in resources(bundle) if r["id"] == resource_id]
    return found


def walk(node: Any) -> Iterator[dict[str, Any]]:
    """Every dict nested in a JSON value."""
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from walk(value)


def pain_observations(bundle: dict[str, Any]) -> list[dict[str, Any]]:
    return [r for r in resources(bundle, "Observation")
            if any(c["code"] == "72514-3" for c in r["code"].get("coding", []))]


def test_bundle_validates_as_fhir_r4b_and_each_resource_with_its_model(bundle: dict[str, Any]) -> None:
    Bundle.model_validate(bundle)
    for resource in resources(bundle):
        get_fhir_model_class(resource["resourceType"]).model_validate(resource)
    assert bundle["type"] == "collection"
    assert bundle["timestamp"] == "2026-01-20T09:30:00+00:00"


def test_bundle_is_plain_json(bundle: dict[str, Any]) -> None:
    assert json.loads(json.dumps(bundle, allow_nan=False)) == bundle


def test_resource_counts(bundle: dict[str, Any]) -> None:
    kinds = [r["resourceType"] for r in resources(bundle)]
    assert kinds.count("Patient") == 1
    assert len(pain_observations(bundle)) == 3  # leg pain twice, back pain once
    assert kinds.count("QuestionnaireResponse") == 2  # every ODI answered …
    observations = [r["id"] for r in resources(bundle, "Observation")]
    assert len([i for i in observations if i.startswith("odi-")]) == 1  # … one scored
    assert kinds.count("Questionnaire") == 1
    assert kinds.count("Flag") == len(ALERTS)
    answered = [name for name in ENTRY_FIELDS if FULL_ENTRY.get(name) is not None and name != "side"]
    assert len([i for i in observations if i.startswith("entry-")]) == len(answered) + 1


def test_ids_are_stable_unique_and_full_urls_are_restful(bundle: dict[str, Any]) -> None:
    ids = [r["id"] for r in resources(bundle)]
    assert len(set(ids)) == len(ids)
    assert {"7", "entry-2026-01-05-leg-pain", "entry-2026-01-05-back-pain", "entry-2026-01-06-leg-pain",
            "odi-2026-01-05", "odi-2026-01-05-score", "odi-2026-01-12", "alert-12"} <= set(ids)
    for entry in bundle["entry"]:
        resource = entry["resource"]
        assert entry["fullUrl"] == f"{BASE}/fhir/{resource['resourceType']}/{resource['id']}"


def test_every_reference_resolves_inside_the_bundle(bundle: dict[str, Any]) -> None:
    full_urls = {e["fullUrl"] for e in bundle["entry"]}
    references = [node["reference"] for entry in bundle["entry"] for node in walk(entry["resource"])
                  if "reference" in node]
    assert references
    for reference in references:
        assert f"{BASE}/fhir/{reference}" in full_urls, reference
    canonicals = {r["questionnaire"] for r in resources(bundle, "QuestionnaireResponse")}
    assert canonicals == {q["url"] for q in resources(bundle, "Questionnaire")}


def test_codes_are_loinc_where_standard_and_no_other_standard_code_is_used(bundle: dict[str, Any]) -> None:
    codings = [n for n in walk(bundle) if "system" in n and "code" in n]
    loinc = {c["code"] for c in codings if c["system"] == "http://loinc.org"}
    assert {"72514-3", "97909-6"} <= loinc
    for coding in codings:
        system = coding["system"]
        assert coding["code"] in ALLOWED_STANDARD_CODES.get(system, {coding["code"]}), coding
        if system not in ALLOWED_STANDARD_CODES and system != "http://unitsofmeasure.org":
            assert system.startswith(("http://terminology.hl7.org/CodeSystem/", f"{BASE}/fhir/CodeSystem/"))


def test_observations_are_final_patient_surveys_dated_on_the_entry_day(bundle: dict[str, Any]) -> None:
    for obs in resources(bundle, "Observation"):
        assert obs["status"] == "final"
        assert obs["category"][0]["coding"][0]["code"] == "survey"
        assert obs["subject"] == {"reference": "Patient/7"}
        assert obs["effectiveDateTime"] == obs["id"].split("-", 1)[1][:10]
        # obs-7: a component coded like the observation forbids the observation's value.
        for component in obs.get("component", []):
            assert component["code"] != obs["code"]


def test_pain_observations_carry_the_score_and_the_body_site(bundle: dict[str, Any]) -> None:
    leg = by_id(bundle, "entry-2026-01-05-leg-pain")
    back = by_id(bundle, "entry-2026-01-05-back-pain")
    assert (leg["valueInteger"], back["valueInteger"]) == (7, 4)
    assert leg["bodySite"]["coding"][0]["code"] == "32153003"  # left lower limb
    assert back["bodySite"]["coding"][0]["code"] == "52612000"  # lumbar region
    assert leg["issued"] == "2026-01-06T07:00:05+00:00"


@pytest.mark.parametrize(("side", "code"), [("left", "32153003"), ("right", "62175007"),
                                            ("both", "61685007"), (None, "61685007")])
def test_leg_pain_site_follows_the_side(side: str | None, code: str) -> None:
    result = fhir_bundle(PATIENT, entries_frame({**MINIMAL_ENTRY, "side": side}), odi_frame(), alerts_frame(),
                         generated_at=GENERATED, base_url=BASE)
    (leg,) = pain_observations(result)
    assert leg["bodySite"]["coding"] == [{"system": "http://snomed.info/sct", "code": code,
                                          "display": leg["bodySite"]["coding"][0]["display"]}]
    if side == "both":
        assert "left and right" in leg["bodySite"]["text"]


def test_other_answers_are_typed_values(bundle: dict[str, Any]) -> None:
    day = "entry-2026-01-05"
    walking = by_id(bundle, f"{day}-walking-minutes")["valueQuantity"]
    assert walking == {"value": 25, "unit": "min", "system": "http://unitsofmeasure.org", "code": "min"}
    assert by_id(bundle, f"{day}-foot-drop")["valueBoolean"] is False  # an answered "no" is kept
    assert by_id(bundle, f"{day}-walking-aid")["valueBoolean"] is True
    assert by_id(bundle, f"{day}-radiation")["valueCodeableConcept"]["coding"][0]["code"] == "calf"
    assert by_id(bundle, f"{day}-heel-walk")["valueCodeableConcept"]["coding"][0]["code"] == "difficult"
    numbness = by_id(bundle, f"{day}-numbness")
    regions = [c["valueCodeableConcept"]["coding"][0]["code"] for c in numbness["component"]]
    assert regions == ["outer_calf", "big_toe"]
    medications = by_id(bundle, f"{day}-medications")
    assert "NSAID" in medications["valueString"]
    assert by_id(bundle, f"{day}-notes")["valueString"] == FULL_ENTRY["notes"]


def test_unanswered_fields_have_no_observation(bundle: dict[str, Any]) -> None:
    minimal = [r["id"] for r in resources(bundle, "Observation") if r["id"].startswith("entry-2026-01-06")]
    assert minimal == ["entry-2026-01-06-leg-pain"]


def test_odi_response_and_score(bundle: dict[str, Any]) -> None:
    response = by_id(bundle, "odi-2026-01-05")
    assert response["status"] == "completed"
    assert response["authored"] == "2026-01-05"
    assert response["questionnaire"] == f"{BASE}/fhir/Questionnaire/odi"
    answers = {item["linkId"]: item["answer"][0]["valueInteger"] for item in response["item"]}
    assert len(answers) == 9 and "section-5" not in answers  # the skipped section is omitted
    assert answers["section-1"] == 2
    score = by_id(bundle, "odi-2026-01-05-score")
    assert score["code"]["coding"][0] == {"system": "http://loinc.org", "code": "97909-6",
                                          "display": "Oswestry disability index score ODI"}
    assert score["valueQuantity"]["value"] == pytest.approx(33.333, abs=1e-3)
    assert score["valueQuantity"]["code"] == "%"
    assert score["derivedFrom"] == [{"reference": "QuestionnaireResponse/odi-2026-01-05"}]
    assert not [r for r in resources(bundle) if r["id"] == "odi-2026-01-12-score"]


def test_flags_follow_the_alert_lifecycle(bundle: dict[str, Any]) -> None:
    status = {f["id"]: f["status"] for f in resources(bundle, "Flag")}
    assert status == {"alert-12": "active", "alert-13": "active", "alert-9": "inactive"}
    flag = by_id(bundle, "alert-12")
    assert flag["code"]["text"] == "New foot drop reported on 2026-01-05."
    assert flag["period"] == {"start": "2026-01-05"}
    assert flag["category"][0]["coding"][0]["code"] == "clinical"
    assert flag["subject"] == {"reference": "Patient/7"}


def test_patient_has_the_name_and_no_email(bundle: dict[str, Any]) -> None:
    (patient,) = resources(bundle, "Patient")
    assert patient == {"resourceType": "Patient", "id": "7", "name": [{"text": "Ana Sørensen"}]}
    assert "ana@example.org" not in json.dumps(bundle)


def test_empty_diary_gives_a_valid_bundle_with_only_the_patient() -> None:
    result = fhir_bundle(
        PATIENT, pd.DataFrame(), odi_frame(), alerts_frame(), generated_at=GENERATED, base_url=BASE
    )
    Bundle.model_validate(result)
    assert [r["resourceType"] for r in resources(result)] == ["Patient"]


def test_numpy_and_sqlite_inputs_still_give_plain_json() -> None:
    entries = entries_frame(FULL_ENTRY, MINIMAL_ENTRY)
    entries["leg_pain"] = entries["leg_pain"].astype("int64")
    entries["foot_drop"] = pd.array([0, None], dtype="Int64")
    entries["numbness"] = [json.dumps(FULL_ENTRY["numbness"]), None]
    odi = odi_frame(SCORED).astype({"score": "float64"})
    odi["answers"] = [json.dumps(SCORED[1])]
    alerts = alerts_frame(*ALERTS).astype({"id": "int64"})
    result = fhir_bundle({"id": np.int64(7), "display_name": "Ana"}, entries, odi, alerts,
                         generated_at=GENERATED, base_url=BASE)
    assert json.loads(json.dumps(result, allow_nan=False)) == result
    Bundle.model_validate(result)
    assert by_id(result, "entry-2026-01-05-foot-drop")["valueBoolean"] is False


def test_a_naive_generated_at_is_refused() -> None:
    with pytest.raises(ValueError, match="generated_at"):
        fhir_bundle(PATIENT, pd.DataFrame(), odi_frame(), alerts_frame(),
                    generated_at=dt.datetime(2026, 1, 20), base_url=BASE)


def test_odi_answers_out_of_range_are_refused() -> None:
    with pytest.raises(ValueError, match="odi.answers"):
        fhir_bundle(PATIENT, pd.DataFrame(), odi_frame((dt.date(2026, 1, 5), [6] * 10, 100.0)),
                    alerts_frame(), generated_at=GENERATED, base_url=BASE)
