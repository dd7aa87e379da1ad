"""The server-rendered pages: sign-in, the patient's progress, the physio's dashboard, CSRF."""

from __future__ import annotations

import re

from flask.testing import FlaskClient

from tests.conftest import PASSWORD, Account, rows
from tracker.models import AuditEvent


def csrf_token(client: FlaskClient, path: str) -> str:
    page = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match, page[:500]
    return match.group(1)


def sign_in_web(client: FlaskClient, account: Account, follow: bool = True):
    token = csrf_token(client, "/login")
    return client.post("/login", data={"email": account.email, "password": PASSWORD, "csrf_token": token},
                       follow_redirects=follow)


def foot_drop_alert(client: FlaskClient, patient: Account) -> int:
    for days_ago in (20, 10, 3):
        client.put(f"/api/v1/me/entries/{patient.day(days_ago)}", json={"leg_pain": 5}, headers=patient.headers)
    response = client.put(f"/api/v1/me/entries/{patient.day(0)}", json={"leg_pain": 6, "foot_drop": True},
                          headers=patient.headers)
    (alert,) = [a for a in response.get_json()["alerts_raised"] if a["rule"] == "new_foot_drop"]
    return alert["id"]


def test_pages_need_signing_in(client: FlaskClient) -> None:
    for path in ("/progress", "/dashboard", "/dashboard/patients/1"):
        response = client.get(path)
        assert response.status_code == 302
        assert "/login" in response.headers["Location"]


def test_wrong_password_shows_the_form_again(client: FlaskClient, patient: Account) -> None:
    token = csrf_token(client, "/login")
    response = client.post("/login", data={"email": patient.email, "password": "nope", "csrf_token": token})
    assert response.status_code == 401
    assert "Wrong email or password" in response.get_data(as_text=True)


def test_a_form_without_csrf_token_is_refused(client: FlaskClient, patient: Account) -> None:
    response = client.post("/login", data={"email": patient.email, "password": PASSWORD})
    assert response.status_code == 400
    assert client.get("/progress").status_code == 302  # still not signed in


def test_patient_sees_progress_and_makes_a_share_code(client: FlaskClient, patient: Account) -> None:
    client.put(f"/api/v1/me/entries/{patient.day(1)}", json={"leg_pain": 4}, headers=patient.headers)
    page = sign_in_web(client, patient)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "My progress" in html
    assert 'name="viewport"' in html
    token = csrf_token(client, "/progress")
    html = client.post("/progress/share-code", data={"csrf_token": token}, follow_redirects=True).get_data(as_text=True)
    assert re.search(r'data-testid="share-code">[2-9A-Z]{4}-[2-9A-Z]{4}<', html)


def test_patient_can_never_reach_a_physio_page(client: FlaskClient, linked: tuple[Account, Account]) -> None:
    patient, _ = linked
    sign_in_web(client, patient)
    assert client.get("/dashboard").status_code == 403
    assert client.get(f"/dashboard/patients/{patient.id}").status_code == 403
    token = csrf_token(client, "/progress")
    assert client.post("/dashboard/alerts/1/acknowledge", data={"csrf_token": token}).status_code == 403


def test_physio_acknowledges_and_resolves_from_the_patient_page(
    client: FlaskClient, linked: tuple[Account, Account]
) -> None:
    patient, clinician = linked
    alert_id = foot_drop_alert(client, patient)
    page = sign_in_web(client, clinician).get_data(as_text=True)
    assert "Caseload" in page and "Pat" in page
    before = rows(client.application, AuditEvent)
    html = client.get(f"/dashboard/patients/{patient.id}").get_data(as_text=True)
    assert rows(client.application, AuditEvent) == before + 1  # the read is audited
    assert f'id="alert-{alert_id}"' in html and 'data-status="open"' in html
    token = csrf_token(client, f"/dashboard/patients/{patient.id}")
    html = client.post(f"/dashboard/alerts/{alert_id}/acknowledge", data={"csrf_token": token, "note": "Called"},
                       follow_redirects=True).get_data(as_text=True)
    assert 'data-status="acknowledged"' in html
    alert = client.get("/api/v1/me/alerts", headers=patient.headers).get_json()["items"][0]
    assert alert["status"] == "acknowledged" and alert["acknowledge_note"] == "Called"
    html = client.post(f"/dashboard/alerts/{alert_id}/resolve", data={"csrf_token": token},
                       follow_redirects=True).get_data(as_text=True)
    assert f'id="alert-{alert_id}"' not in html


def test_unlinked_patient_page_is_not_found(client: FlaskClient, patient: Account, clinician: Account) -> None:
    sign_in_web(client, clinician)
    assert client.get(f"/dashboard/patients/{patient.id}").status_code == 404


def test_signing_out_ends_the_session(client: FlaskClient, patient: Account) -> None:
    sign_in_web(client, patient)
    token = csrf_token(client, "/progress")
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/progress").status_code == 302


def test_login_redirect_stays_on_this_site(client: FlaskClient, patient: Account) -> None:
    token = csrf_token(client, "/login")
    response = client.post("/login?next=//evil.example/x",
                           data={"email": patient.email, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302
    assert "evil.example" not in response.headers["Location"]
