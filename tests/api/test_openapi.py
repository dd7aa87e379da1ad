"""The OpenAPI document, and the API fuzzed from it: no input may cause a server error."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings

from tests.conftest import Account, link, make_clinician, make_patient

FUZZ_EXAMPLES = 30

CONTRACT_PATHS = {
    "/api/v1/auth/register", "/api/v1/auth/token", "/api/v1/auth/refresh", "/api/v1/me",
    "/api/v1/me/entries/{day}", "/api/v1/me/entries", "/api/v1/me/entries/batch", "/api/v1/me/events",
    "/api/v1/me/odi/{day}", "/api/v1/me/share-codes", "/api/v1/me/clinicians",
    "/api/v1/me/clinicians/{clinician_id}", "/api/v1/patients/link", "/api/v1/patients",
    "/api/v1/patients/{patient_id}/entries", "/api/v1/patients/{patient_id}/assessments",
    "/api/v1/me/alerts", "/api/v1/patients/{patient_id}/alerts", "/api/v1/alerts",
    "/api/v1/alerts/{alert_id}/acknowledge", "/api/v1/alerts/{alert_id}/resolve",
    "/api/v1/me/trends/weekly", "/api/v1/patients/{patient_id}/trends/weekly",
}


def test_openapi_document_lists_the_contract(client: FlaskClient) -> None:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.get_json()
    assert document["openapi"].startswith("3.")
    assert CONTRACT_PATHS <= set(document["paths"])
    entry = document["components"]["schemas"]["EntryIn"]
    assert entry["required"] == ["leg_pain"]
    assert entry["additionalProperties"] is False


def test_interactive_docs_page_is_served(client: FlaskClient) -> None:
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    assert b"swagger" in response.data.lower()


@pytest.fixture
def accounts(app: Flask, client: FlaskClient) -> dict[str, Account]:
    patient = make_patient(client, "Fuzz Patient")
    clinician = make_clinician(app, client, "Fuzz Physio")
    link(client, patient, clinician)
    return {"patient": patient, "clinician": clinician}


def test_no_input_causes_a_server_error(app: Flask, accounts: dict[str, Account]) -> None:
    """Any body, path or query the schema allows — or nearly allows — answers below 500,
    and every refusal is problem+json."""
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    failures: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= len(CONTRACT_PATHS)
    for operation in operations:
        role = "clinician" if operation.path.startswith(("/api/v1/patients", "/api/v1/alerts")) else "patient"

        @given(case=operation.as_strategy())
        @settings(max_examples=FUZZ_EXAMPLES, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        def exercise(case: Any) -> None:
            response = case.call(headers=accounts[role].headers)
            headers = {name.lower(): value for name, value in response.headers.items()}
            content_type = headers.get("content-type", "")
            if isinstance(content_type, list):
                content_type = content_type[0]
            if response.status_code >= 500 or (
                response.status_code >= 400 and not content_type.startswith("application/problem+json")
            ):
                failures.append(f"{case.method} {case.formatted_path} {case.body!r} {case.query!r} → "
                                f"{response.status_code} {content_type!r} {response.text[:300]}")

        exercise()
    assert not failures, f"{len(failures)} failures, first ones:\n" + "\n".join(failures[:20])
