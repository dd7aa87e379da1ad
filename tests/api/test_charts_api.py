"""Charts and the physio report through the API: real images of the right size and type,
304 when unchanged, bounds refused, and a PDF of several pages."""

from __future__ import annotations

import re
import struct
import xml.etree.ElementTree as ET

import pytest
from flask.testing import FlaskClient

from tests.conftest import Account

KINDS = ["pain", "radiation", "walking", "numbness", "weekly"]


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def _diary(client: FlaskClient, patient: Account, days: int = 21) -> None:
    entries = [{"date": patient.day(d), "leg_pain": 3 + d % 4, "radiation": "calf", "walking_minutes": 20 + d,
                "numbness": ["sole"] if d % 2 else []} for d in range(days, 0, -1)]
    assert client.post("/api/v1/me/entries/batch", json={"entries": entries}, headers=patient.headers).status_code == 200
    client.post("/api/v1/me/events", json={"date": patient.day(10), "kind": "epidural_injection"},
                headers=patient.headers)


@pytest.mark.parametrize("kind", KINDS)
def test_each_chart_is_a_real_image(client: FlaskClient, linked: tuple[Account, Account], kind: str) -> None:
    patient, clinician = linked
    _diary(client, patient)
    png = client.get(f"/api/v1/me/charts/{kind}.png?width=640&height=400", headers=patient.headers)
    assert png.status_code == 200 and png.mimetype == "image/png"
    assert png_size(png.data) == (640, 400)
    svg = client.get(f"/api/v1/patients/{patient.id}/charts/{kind}.svg?days=30", headers=clinician.headers)
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml"
    root = ET.fromstring(svg.data)
    assert root.tag.endswith("svg") and root.get("width", "").startswith("800")


def test_an_empty_diary_is_a_picture_too(client: FlaskClient, patient: Account) -> None:
    response = client.get("/api/v1/me/charts/pain.png", headers=patient.headers)
    assert response.status_code == 200 and png_size(response.data) == (800, 500)


def test_unchanged_chart_answers_304_until_the_data_changes(client: FlaskClient, patient: Account) -> None:
    _diary(client, patient, days=8)
    first = client.get("/api/v1/me/charts/pain.png", headers=patient.headers)
    etag = first.headers["ETag"]
    again = client.get("/api/v1/me/charts/pain.png", headers={**patient.headers, "If-None-Match": etag})
    assert again.status_code == 304 and again.data == b"" and again.headers["ETag"] == etag
    client.put(f"/api/v1/me/entries/{patient.day(0)}", json={"leg_pain": 9}, headers=patient.headers)
    changed = client.get("/api/v1/me/charts/pain.png", headers={**patient.headers, "If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag


@pytest.mark.parametrize("query, field", [
    ("width=5000", "width"), ("height=100", "height"), ("width=319", "width"), ("days=731", "days"),
    ("days=0", "days"), ("from=2026-01-10&to=2026-01-01", "to"), ("width=abc", "width"), ("size=3", "size"),
])
def test_out_of_bounds_requests_are_refused(client: FlaskClient, patient: Account, query: str, field: str) -> None:
    response = client.get(f"/api/v1/me/charts/pain.png?{query}", headers=patient.headers)
    assert 400 <= response.status_code < 500 and response.mimetype == "application/problem+json"
    assert field in response.get_json()["errors"]


def test_unknown_kind_or_format_is_not_found(client: FlaskClient, patient: Account) -> None:
    assert client.get("/api/v1/me/charts/mood.png", headers=patient.headers).status_code == 404
    assert client.get("/api/v1/me/charts/pain.gif", headers=patient.headers).status_code == 404


def test_report_is_a_multi_page_pdf(client: FlaskClient, linked: tuple[Account, Account]) -> None:
    patient, clinician = linked
    _diary(client, patient)
    client.post(f"/api/v1/patients/{patient.id}/assessments",
                json={"date": patient.day(2), "left": {"ankle_dorsiflexion": 4, "achilles_reflex": "reduced"}},
                headers=clinician.headers)
    response = client.get(f"/api/v1/patients/{patient.id}/report.pdf", headers=clinician.headers)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF-")
    pages = len(re.findall(rb"/Type\s*/Page\b", response.data))
    assert pages >= 4
    assert client.get(f"/api/v1/patients/{patient.id}/report.pdf", headers=patient.headers).status_code == 403
