"""The patient's CSV and FHIR exports through the API."""

from __future__ import annotations

import csv
import io

from fhir.resources.R4B.bundle import Bundle
from flask.testing import FlaskClient

from tests.conftest import Account


def _diary(client: FlaskClient, patient: Account) -> None:
    for days_ago, pain in ((3, 4), (2, 5), (1, 6)):
        client.put(f"/api/v1/me/entries/{patient.day(days_ago)}",
                   json={"leg_pain": pain, "back_pain": 3, "side": "left", "numbness": ["sole"]},
                   headers=patient.headers)
    client.put(f"/api/v1/me/entries/{patient.day(0)}", json={"leg_pain": 7, "saddle_numbness": True},
               headers=patient.headers)
    client.put(f"/api/v1/me/odi/{patient.day(0)}", json={"answers": [2] * 10}, headers=patient.headers)


def test_csv_has_a_row_per_entry(client: FlaskClient, patient: Account) -> None:
    _diary(client, patient)
    response = client.get("/api/v1/me/export.csv", headers=patient.headers)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [r["leg_pain"] for r in rows] == ["4", "5", "6", "7"]
    assert rows[0]["numbness"] == "sole" and rows[3]["back_pain"] == ""
    assert rows[3]["saddle_numbness"] == "true"


def test_fhir_bundle_validates(client: FlaskClient, patient: Account) -> None:
    _diary(client, patient)
    response = client.get("/api/v1/me/export/fhir", headers=patient.headers)
    assert response.status_code == 200 and response.mimetype == "application/fhir+json"
    bundle = response.get_json()
    Bundle.model_validate(bundle)
    kinds = [e["resource"]["resourceType"] for e in bundle["entry"]]
    assert kinds.count("Flag") == 1  # cauda equina signs
    assert kinds.count("QuestionnaireResponse") == 1
    codes = {c["code"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Observation"
             for c in e["resource"]["code"].get("coding", [])}
    assert {"72514-3", "97909-6"} <= codes


def test_exports_are_the_patients_own(client: FlaskClient, linked: tuple[Account, Account]) -> None:
    patient, clinician = linked
    assert client.get("/api/v1/me/export.csv", headers=clinician.headers).status_code == 403
    assert client.get("/api/v1/me/export/fhir").status_code == 401
