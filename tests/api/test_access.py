"""Who may call what: every /api/v1 endpoint against every kind of caller, consent, share codes, audit.

The endpoint list comes from the app's URL map, so an endpoint added later is tested here
without anyone remembering to; ``ACCESS`` says who each one is for, and a test fails until
a new endpoint is given a line there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

import jwt as pyjwt
import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.routing import AnyConverter, Rule
from werkzeug.routing.converters import NumberConverter
from werkzeug.test import TestResponse

from tests.conftest import Account, link, make_clinician, make_patient, rows, assert_problem
from tracker import create_app
from tracker.api.routing import DayConverter
from tracker.config import TestConfig
from tracker.extensions import db
from tracker.models import Assessment, AuditEvent, ClinicianLink, Entry, Event, OdiResponse, ShareCode, User

API = "/api/v1"
PROBLEM = "application/problem+json"
# Reachable without a token: signing up and in, and the API's own description.
PUBLIC = {"/auth/register", "/auth/token", "/auth/refresh", "/openapi.json", "/docs"}

ANYONE, PATIENT, CLINICIAN = "anyone signed in", "patient", "clinician"

# Who each endpoint is for, by method and path with its parameters written {}.
# The endpoints of the product page that are not built yet are listed already.
ACCESS: dict[tuple[str, str], str] = {
    ("POST", "/auth/logout"): ANYONE,
    ("GET", "/me"): ANYONE,
    # the patient's own diary
    ("GET", "/me/entries"): PATIENT,
    ("GET", "/me/entries/{}"): PATIENT,
    ("PUT", "/me/entries/{}"): PATIENT,
    ("DELETE", "/me/entries/{}"): PATIENT,
    ("POST", "/me/entries/batch"): PATIENT,
    ("GET", "/me/events"): PATIENT,
    ("POST", "/me/events"): PATIENT,
    ("DELETE", "/me/events/{}"): PATIENT,
    ("GET", "/me/odi"): PATIENT,
    ("PUT", "/me/odi/{}"): PATIENT,
    ("POST", "/me/share-codes"): PATIENT,
    ("GET", "/me/clinicians"): PATIENT,
    ("DELETE", "/me/clinicians/{}"): PATIENT,
    ("GET", "/me/alerts"): PATIENT,
    ("GET", "/me/trends/weekly"): PATIENT,
    ("GET", "/me/charts/{}.{}"): PATIENT,
    ("GET", "/me/charts/{}.png"): PATIENT,
    ("GET", "/me/charts/{}.svg"): PATIENT,
    ("GET", "/me/export.csv"): PATIENT,
    ("GET", "/me/export/fhir"): PATIENT,
    # a clinician's caseload
    ("POST", "/patients/link"): CLINICIAN,
    ("GET", "/patients"): CLINICIAN,
    ("GET", "/patients/{}/entries"): CLINICIAN,
    ("GET", "/patients/{}/events"): CLINICIAN,
    ("GET", "/patients/{}/odi"): CLINICIAN,
    ("GET", "/patients/{}/assessments"): CLINICIAN,
    ("POST", "/patients/{}/assessments"): CLINICIAN,
    ("GET", "/patients/{}/alerts"): CLINICIAN,
    ("GET", "/patients/{}/trends/weekly"): CLINICIAN,
    ("GET", "/patients/{}/charts/{}.{}"): CLINICIAN,
    ("GET", "/patients/{}/charts/{}.png"): CLINICIAN,
    ("GET", "/patients/{}/charts/{}.svg"): CLINICIAN,
    ("GET", "/patients/{}/report.pdf"): CLINICIAN,
    ("GET", "/alerts"): CLINICIAN,
    ("POST", "/alerts/{}/acknowledge"): CLINICIAN,
    ("POST", "/alerts/{}/resolve"): CLINICIAN,
}

PARAMETER = re.compile(r"<(?:(?P<converter>\w+)(?:\((?P<args>[^)]*)\))?:)?(?P<name>\w+)>")
# Values for free-text path parameters, by name (chart kinds and formats).
NAMED_VALUES = {"kind": "pain", "fmt": "png", "format": "png", "ext": "png", "extension": "png"}


@dataclass(frozen=True)
class Endpoint:
    method: str
    rule: str
    # Per path parameter, in order: "day", "id", or the value to put there.
    parameters: tuple[str, ...]

    @property
    def shape(self) -> str:
        """The path below /api/v1 with every parameter written ``{}``."""
        return PARAMETER.sub("{}", self.rule[len(API):]) or "/"

    @property
    def key(self) -> tuple[str, str]:
        return self.method, self.shape

    @property
    def role(self) -> str | None:
        return ACCESS.get(self.key)

    def __str__(self) -> str:
        return f"{self.method} {self.shape}"

    def url(self, day: str, ids: dict[str, int] | None = None, default_id: int = 1) -> str:
        """A concrete URL: ``day`` for dates, ``ids`` by parameter name for row ids."""
        ids = ids or {}
        kinds = iter(self.parameters)

        def value(match: re.Match[str]) -> str:
            kind = next(kinds)
            if kind == "day":
                return day
            if kind == "id":
                return str(ids.get(match["name"], default_id))
            return kind

        return PARAMETER.sub(value, self.rule)

    def body(self, day: str) -> Any:
        """A valid request body, so that only the caller can be the reason for a refusal."""
        bodies: dict[tuple[str, str], Any] = {
            ("PUT", "/me/entries/{}"): {"leg_pain": 4},
            ("POST", "/me/entries/batch"): {"entries": [{"date": day, "leg_pain": 4}]},
            ("POST", "/me/events"): {"date": day, "kind": "other", "note": "access test"},
            ("PUT", "/me/odi/{}"): {"answers": [1] * 10},
            ("POST", "/patients/link"): {"code": "ABCD-EFGH"},
            ("POST", "/patients/{}/assessments"): {"date": day, "left": {"ankle_dorsiflexion": 5}},
            ("POST", "/alerts/{}/acknowledge"): {"note": "seen"},
            ("POST", "/alerts/{}/resolve"): {"note": "done"},
        }
        if self.key in bodies:
            return bodies[self.key]
        return None if self.method in ("GET", "DELETE") else {}


def _parameter_kind(converters: dict[str, type], match: re.Match[str]) -> str:
    converter = converters.get(match["converter"] or "default")
    if converter is not None and issubclass(converter, DayConverter):
        return "day"
    if converter is not None and issubclass(converter, NumberConverter):
        return "id"
    if converter is not None and issubclass(converter, AnyConverter):
        return sorted(item.strip().strip("'\"") for item in match["args"].split(","))[0]
    return NAMED_VALUES.get(match["name"], "x")


def _api_rules(app: Flask) -> list[tuple[str, Rule]]:
    return [
        (method, rule)
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith(API + "/")
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"})
    ]


def _discover() -> list[Endpoint]:
    """Every method of every rule under /api/v1, from an app built like the tests' apps."""
    app = create_app({**TestConfig.settings(), "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    converters = app.url_map.converters
    found = {
        Endpoint(method, rule.rule,
                 tuple(_parameter_kind(converters, m) for m in PARAMETER.finditer(rule.rule)))
        for method, rule in _api_rules(app)
    }
    return sorted(found, key=lambda e: (e.shape, e.method))


ALL = _discover()
PROTECTED = [e for e in ALL if e.shape not in PUBLIC]
OF_A_PATIENT = [e for e in PROTECTED if e.shape.startswith("/patients/{}/")]
PATIENT_DATA_READS = [e for e in OF_A_PATIENT if e.method == "GET"]
# The caseload shows each linked patient's last entry date, alerts and trend: audited too.
AUDITED_READS = [*PATIENT_DATA_READS, *(e for e in PROTECTED if e.key == ("GET", "/patients"))]


# --- helpers ------------------------------------------------------------------------


def call(client: FlaskClient, endpoint: Endpoint, account: Account | None, *, day: str,
         ids: dict[str, int] | None = None, headers: dict[str, str] | None = None) -> TestResponse:
    if headers is None:
        headers = account.headers if account else {}
    return client.open(endpoint.url(day, ids), method=endpoint.method, json=endpoint.body(day), headers=headers)




def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def absent_id(app: Flask) -> int:
    with app.app_context():
        return (db.session.scalar(sa.select(sa.func.max(User.id))) or 0) + 1000


def fill_diary(client: FlaskClient, patient: Account, day: str) -> int:
    """An entry, an event and an ODI on ``day``; answers the event's id."""
    r = client.put(f"{API}/me/entries/{day}", json={"leg_pain": 6, "side": "left"}, headers=patient.headers)
    assert r.status_code == 201, r.get_json()
    r = client.post(f"{API}/me/events", json={"date": day, "kind": "epidural_injection"}, headers=patient.headers)
    assert r.status_code == 201, r.get_json()
    event_id = r.get_json()["id"]
    r = client.put(f"{API}/me/odi/{day}", json={"answers": [2] * 10}, headers=patient.headers)
    assert r.status_code == 201, r.get_json()
    return event_id


def assess(client: FlaskClient, clinician: Account, patient: Account, day: str) -> TestResponse:
    return client.post(f"{API}/patients/{patient.id}/assessments",
                       json={"date": day, "left": {"ankle_dorsiflexion": 4}}, headers=clinician.headers)


def share_code(client: FlaskClient, patient: Account) -> str:
    r = client.post(f"{API}/me/share-codes", headers=patient.headers)
    assert r.status_code == 201, r.get_json()
    return r.get_json()["code"]


def redeem(client: FlaskClient, clinician: Account, code: Any) -> TestResponse:
    return client.post(f"{API}/patients/link", json={"code": code}, headers=clinician.headers)


def caseload_ids(client: FlaskClient, clinician: Account) -> list[int]:
    r = client.get(f"{API}/patients", headers=clinician.headers)
    assert r.status_code == 200, r.get_json()
    return [item["id"] for item in r.get_json()["items"]]


def my_clinician_ids(client: FlaskClient, patient: Account) -> list[int]:
    r = client.get(f"{API}/me/clinicians", headers=patient.headers)
    assert r.status_code == 200, r.get_json()
    return [item["id"] for item in r.get_json()["items"]]


def caseload_alert_ids(client: FlaskClient, clinician: Account) -> list[int]:
    r = client.get(f"{API}/alerts", headers=clinician.headers)
    assert r.status_code == 200, r.get_json()
    return [item["id"] for item in r.get_json()["items"]]


def active_links(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(
            sa.select(sa.func.count()).select_from(ClinicianLink).where(ClinicianLink.unlinked_at.is_(None))
        )


def audit_events(app: Flask) -> list[AuditEvent]:
    with app.app_context():
        return list(db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id)))


def raise_emergency_alert(client: FlaskClient, patient: Account, day: str) -> int:
    """An entry reporting bladder change opens a cauda equina alert; answers its id."""
    r = client.put(f"{API}/me/entries/{day}", json={"leg_pain": 7, "bladder_or_bowel_change": True},
                   headers=patient.headers)
    assert r.status_code in (200, 201), r.get_json()
    raised = r.get_json()["alerts_raised"]
    assert raised, "precondition: a cauda equina entry opens an alert"
    return raised[0]["id"]


# --- the endpoint list --------------------------------------------------------------


def test_every_api_endpoint_is_in_the_matrix() -> None:
    app = create_app({**TestConfig.settings(), "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    rules = {(method, PARAMETER.sub("{}", rule.rule[len(API):])) for method, rule in _api_rules(app)}
    tested = {e.key for e in PROTECTED}
    public = {key for key in rules if key[1] in PUBLIC}
    assert rules == tested | public
    assert {shape for _, shape in public} == PUBLIC
    unclassified = sorted(str(e) for e in PROTECTED if e.role is None)
    assert unclassified == [], f"say in ACCESS who these endpoints are for: {unclassified}"
    # The endpoints the product page fixes are among them.
    for key in [("GET", "/me/entries"), ("PUT", "/me/entries/{}"), ("DELETE", "/me/clinicians/{}"),
                ("POST", "/patients/link"), ("GET", "/patients/{}/entries"), ("POST", "/auth/logout")]:
        assert key in tested


def test_the_public_endpoints_need_no_token(client: FlaskClient) -> None:
    for path in ("/auth/register", "/auth/token", "/auth/refresh"):
        r = client.post(f"{API}{path}", json={})
        assert r.status_code == 422, (path, r.get_json())
    assert client.get(f"{API}/openapi.json").status_code == 200


# --- the matrix: every endpoint against every kind of caller ------------------------------


def bad_credentials(account: Account) -> dict[str, dict[str, str]]:
    """Authorization headers that carry no valid access token, by what is wrong with them."""
    claims = pyjwt.decode(account.access_token, options={"verify_signature": False})
    return {
        "garbage token": bearer("garbage"),
        "empty bearer": {"Authorization": "Bearer "},
        "another scheme": {"Authorization": f"Basic {account.access_token}"},
        "refresh token as access token": bearer(account.refresh_token),
        "token signed with another key": bearer(
            pyjwt.encode(claims, "another-secret-key-that-is-long-enough", algorithm="HS256")),
        "unsigned token (alg none)": bearer(pyjwt.encode(claims, None, algorithm="none")),
    }


def patients_out_of_sight(app: Flask, client: FlaskClient, clinician: Account) -> dict[str, int]:
    """Ids under /patients/{id} that the clinician may not see, by why."""
    unlinked = make_patient(client, "Unlinked")
    theirs = make_patient(client, "Someone Elses")
    other = make_clinician(app, client, "Dr Other")
    link(client, theirs, other)
    return {
        "no such id": absent_id(app),
        "a patient linked to nobody": unlinked.id,
        "a patient linked to another clinician": theirs.id,
        "the clinician's own id": clinician.id,
        "another clinician's id": other.id,
    }


@pytest.mark.parametrize("endpoint", PROTECTED, ids=str)
def test_access_matrix(app: Flask, client: FlaskClient, linked: tuple[Account, Account], endpoint: Endpoint) -> None:
    """One row of the matrix; every wrong cell is listed, so one failure does not hide another.

    No token or a bad one: 401 with a challenge. The wrong role: 403. A patient the
    clinician may not see: 404, the same answer as for no patient at all. The role the
    endpoint is for gets in, and only a clinician's read of patient data is audited.
    """
    patient, clinician = linked
    day = patient.day(0)
    ids = {"patient_id": patient.id, "clinician_id": clinician.id}
    audit_before = len(audit_events(app))
    wrong: list[str] = []

    def expect(cell: str, response: TestResponse, status: int) -> dict[str, Any] | None:
        body = response.get_json(silent=True) or {}
        if response.status_code != status or response.mimetype != PROBLEM or body.get("status") != status:
            wrong.append(f"{cell}: {response.status_code} {response.mimetype} {response.get_data(as_text=True)[:200]}")
        elif status == 401 and not response.headers.get("WWW-Authenticate", "").startswith("Bearer"):
            wrong.append(f"{cell}: 401 without a 'WWW-Authenticate: Bearer' challenge")
        return body

    expect("no token", call(client, endpoint, None, day=day, ids=ids, headers={}), 401)
    for what, headers in bad_credentials(patient).items():
        expect(what, call(client, endpoint, patient, day=day, ids=ids, headers=headers), 401)

    if endpoint.role == CLINICIAN:
        expect("a patient", call(client, endpoint, patient, day=day, ids=ids), 403)
    if endpoint.role == PATIENT:
        expect("a clinician", call(client, endpoint, clinician, day=day, ids=ids), 403)

    if endpoint in OF_A_PATIENT:
        answers = {
            what: expect(what, call(client, endpoint, clinician, day=day, ids={**ids, "patient_id": patient_id}), 404)
            for what, patient_id in patients_out_of_sight(app, client, clinician).items()
        }
        if len({repr(body) for body in answers.values()}) != 1:
            wrong.append(f"the 404s tell the cases apart: {answers}")

    callers = {PATIENT: [patient], CLINICIAN: [clinician], ANYONE: [patient, clinician]}[endpoint.role or ANYONE]
    for account in callers:
        r = call(client, endpoint, account, day=day, ids=ids)
        if r.status_code in (401, 403) or r.status_code >= 500:
            wrong.append(f"the {account.role} it is for: {r.status_code} {r.get_data(as_text=True)[:200]}")

    reads = [(e.actor_id, e.patient_id, e.method, e.path) for e in audit_events(app)[audit_before:] if e.method]
    audited = [(clinician.id, patient.id, "GET", endpoint.url(day, ids))] if endpoint in AUDITED_READS else []
    if reads != audited:
        wrong.append(f"audited reads: {reads}, expected {audited}")
    assessments = rows(app, Assessment)
    if assessments != (1 if endpoint.key == ("POST", "/patients/{}/assessments") else 0):
        wrong.append(f"{assessments} assessments stored")
    assert wrong == [], "\n".join(wrong)


def test_an_id_beyond_the_integer_range_is_404_not_500(
    app: Flask, client: FlaskClient, linked: tuple[Account, Account]
) -> None:
    patient, clinician = linked
    failures = []
    for endpoint in PROTECTED:
        if "id" not in endpoint.parameters or endpoint.role not in (PATIENT, CLINICIAN):
            continue
        account = patient if endpoint.role == PATIENT else clinician
        for huge in (2**31, 10**20):
            r = client.open(endpoint.url(patient.day(1), default_id=huge), method=endpoint.method,
                            json=endpoint.body(patient.day(1)), headers=account.headers)
            if r.status_code != 404:
                failures.append((str(endpoint), huge, r.status_code))
    assert failures == [], f"expected 404 for ids no row can have: {failures}"


def test_an_alert_of_a_patient_not_linked_looks_like_no_alert(
    app: Flask, client: FlaskClient, patient: Account, clinician: Account
) -> None:
    alert_id = raise_emergency_alert(client, patient, patient.day(0))
    for action in ("acknowledge", "resolve"):
        mine = client.post(f"{API}/alerts/{alert_id}/{action}", json={"note": "x"}, headers=clinician.headers)
        none = client.post(f"{API}/alerts/{alert_id + 1000}/{action}", json={"note": "x"},
                           headers=clinician.headers)
        assert_problem(mine, 404)
        assert mine.get_json() == assert_problem(none, 404)
    r = client.get(f"{API}/alerts", headers=clinician.headers)
    assert r.status_code == 200 and r.get_json()["items"] == []
    r = client.get(f"{API}/me/alerts", headers=patient.headers)
    assert [a["status"] for a in r.get_json()["items"]] == ["open"]


# --- consent: link, unlink, link again --------------------------------------------------


def test_unlinking_ends_a_clinicians_access_and_a_new_code_restores_it(
    app: Flask, client: FlaskClient, patient: Account, clinician: Account
) -> None:
    day = patient.day(1)
    fill_diary(client, patient, day)
    alert_id = raise_emergency_alert(client, patient, patient.day(0))
    first_code = share_code(client, patient)
    assert redeem(client, clinician, first_code).status_code == 201
    assert assess(client, clinician, patient, day).status_code == 201

    def reads() -> dict[str, TestResponse]:
        return {str(e): call(client, e, clinician, day=day, ids={"patient_id": patient.id})
                for e in PATIENT_DATA_READS}

    for what, r in reads().items():
        assert r.status_code == 200, (what, r.get_json())
    entries = client.get(f"{API}/patients/{patient.id}/entries", headers=clinician.headers).get_json()["items"]
    events = client.get(f"{API}/patients/{patient.id}/events", headers=clinician.headers).get_json()["items"]
    odi = client.get(f"{API}/patients/{patient.id}/odi", headers=clinician.headers).get_json()["items"]
    exams = client.get(f"{API}/patients/{patient.id}/assessments", headers=clinician.headers).get_json()["items"]
    assert [(e["date"], e["leg_pain"]) for e in entries] == [(day, 6), (patient.day(0), 7)]
    assert [e["kind"] for e in events] == ["epidural_injection"]
    assert [o["score"] for o in odi] == [40.0]
    assert [a["left"]["ankle_dorsiflexion"] for a in exams] == [4]
    assert caseload_ids(client, clinician) == [patient.id]
    assert caseload_alert_ids(client, clinician) == [alert_id]

    r = client.delete(f"{API}/me/clinicians/{clinician.id}", headers=patient.headers)
    assert r.status_code == 204, r.get_json()

    nobody = call(client, PATIENT_DATA_READS[0], clinician, day=day, ids={"patient_id": absent_id(app)})
    for what, r in reads().items():
        assert_problem(r, 404)
        assert r.get_json() == nobody.get_json(), what
    assert_problem(assess(client, clinician, patient, day), 404)
    assert rows(app, Assessment) == 1
    assert caseload_ids(client, clinician) == []
    assert my_clinician_ids(client, patient) == []
    assert caseload_alert_ids(client, clinician) == []
    no_alert = client.post(f"{API}/alerts/{alert_id + 1000}/acknowledge", json={}, headers=clinician.headers)
    theirs = client.post(f"{API}/alerts/{alert_id}/acknowledge", json={}, headers=clinician.headers)
    assert assert_problem(theirs, 404) == assert_problem(no_alert, 404)
    # The code used before does not link again: consent needs a new code.
    assert_problem(redeem(client, clinician, first_code), 422)
    assert caseload_ids(client, clinician) == []

    assert redeem(client, clinician, share_code(client, patient)).status_code == 201
    for what, r in reads().items():
        assert r.status_code == 200, (what, r.get_json())
    entries = client.get(f"{API}/patients/{patient.id}/entries", headers=clinician.headers).get_json()["items"]
    assert [(e["date"], e["leg_pain"]) for e in entries] == [(day, 6), (patient.day(0), 7)]
    assert caseload_ids(client, clinician) == [patient.id]
    assert my_clinician_ids(client, patient) == [clinician.id]
    assert caseload_alert_ids(client, clinician) == [alert_id]
    r = client.post(f"{API}/alerts/{alert_id}/acknowledge", json={}, headers=clinician.headers)
    assert r.status_code == 200, r.get_json()


def test_unlinking_one_clinician_leaves_the_others(
    app: Flask, client: FlaskClient, patient: Account, clinician: Account
) -> None:
    other = make_clinician(app, client, "Dr Second")
    link(client, patient, clinician)
    link(client, patient, other)
    assert sorted(my_clinician_ids(client, patient)) == sorted([clinician.id, other.id])
    assert client.delete(f"{API}/me/clinicians/{clinician.id}", headers=patient.headers).status_code == 204
    assert my_clinician_ids(client, patient) == [other.id]
    assert caseload_ids(client, other) == [patient.id]
    assert client.get(f"{API}/patients/{patient.id}/entries", headers=other.headers).status_code == 200
    assert client.get(f"{API}/patients/{patient.id}/entries", headers=clinician.headers).status_code == 404


def test_unlinking_a_clinician_who_is_not_linked_is_404(
    app: Flask, client: FlaskClient, patient: Account, clinician: Account
) -> None:
    linked_elsewhere = make_clinician(app, client, "Dr Elsewhere")
    someone = make_patient(client, "Someone")
    link(client, someone, linked_elsewhere)
    link(client, patient, clinician)
    assert client.delete(f"{API}/me/clinicians/{clinician.id}", headers=patient.headers).status_code == 204
    for what, clinician_id in {
        "already unlinked": clinician.id,
        "linked to another patient": linked_elsewhere.id,
        "no such user": absent_id(app),
        "the patient's own id": patient.id,
        "another patient": someone.id,
    }.items():
        r = client.delete(f"{API}/me/clinicians/{clinician_id}", headers=patient.headers)
        assert_problem(r, 404)
    assert my_clinician_ids(client, someone) == [linked_elsewhere.id]
    assert caseload_ids(client, linked_elsewhere) == [someone.id]


# --- a clinician never writes the diary ---------------------------------------------------


def test_no_route_lets_a_clinician_write_a_patients_diary(
    app: Flask, client: FlaskClient, linked: tuple[Account, Account]
) -> None:
    patient, clinician = linked
    day = patient.day(1)
    writes_under_patients = {e.key for e in OF_A_PATIENT if e.method != "GET"}
    assert writes_under_patients <= {("POST", "/patients/{}/assessments")}
    attempts = [
        ("PUT", f"{API}/me/entries/{day}", {"leg_pain": 3}),
        ("POST", f"{API}/me/entries/batch", {"entries": [{"date": day, "leg_pain": 3}]}),
        ("POST", f"{API}/me/events", {"date": day, "kind": "discectomy"}),
        ("PUT", f"{API}/me/odi/{day}", {"answers": [1] * 10}),
    ]
    for method, url, body in attempts:
        assert_problem(client.open(url, method=method, json=body, headers=clinician.headers), 403)
    for method, url, body in [
        ("PUT", f"{API}/patients/{patient.id}/entries/{day}", {"leg_pain": 3}),
        ("POST", f"{API}/patients/{patient.id}/entries", {"date": day, "leg_pain": 3}),
        ("POST", f"{API}/patients/{patient.id}/events", {"date": day, "kind": "discectomy"}),
        ("PUT", f"{API}/patients/{patient.id}/odi/{day}", {"answers": [1] * 10}),
    ]:
        r = client.open(url, method=method, json=body, headers=clinician.headers)
        assert r.status_code in (404, 405), (method, url, r.status_code)
    assert rows(app, Entry) == rows(app, Event) == rows(app, OdiResponse) == 0


# --- the audit log ----------------------------------------------------------------------


def test_a_read_with_a_date_range_is_audited_too(
    app: Flask, client: FlaskClient, linked: tuple[Account, Account]
) -> None:
    patient, clinician = linked
    path = f"{API}/patients/{patient.id}/entries"
    r = client.get(path, query_string={"from": patient.day(10), "to": patient.day(0)}, headers=clinician.headers)
    assert r.status_code == 200, r.get_json()
    event = audit_events(app)[-1]
    assert (event.actor_id, event.patient_id, event.method) == (clinician.id, patient.id, "GET")
    assert event.path.split("?")[0] == path


def test_reading_caseload_alerts_is_audited_for_each_patient_shown(
    app: Flask, client: FlaskClient, linked: tuple[Account, Account]
) -> None:
    patient, clinician = linked
    raise_emergency_alert(client, patient, patient.day(0))
    before = len(audit_events(app))
    r = client.get(f"{API}/alerts", headers=clinician.headers)
    assert r.status_code == 200 and [a["patient_id"] for a in r.get_json()["items"]] == [patient.id]
    new = [(e.actor_id, e.patient_id, e.path) for e in audit_events(app)[before:]]
    assert (clinician.id, patient.id, f"{API}/alerts") in new


# --- share codes --------------------------------------------------------------------------


def test_a_share_code_is_shown_once_and_only_its_hash_is_stored(
    app: Flask, client: FlaskClient, patient: Account
) -> None:
    r = client.post(f"{API}/me/share-codes", headers=patient.headers)
    assert r.status_code == 201
    body = r.get_json()
    code = body["code"]
    assert re.fullmatch(r"[A-Z0-9]{4}-[A-Z0-9]{4}", code), code
    expires_at = datetime.fromisoformat(body["expires_at"])
    assert expires_at.tzinfo is not None
    lifetime = expires_at - datetime.now(timezone.utc)
    assert timedelta(minutes=55) < lifetime <= timedelta(minutes=60)
    with app.app_context():
        stored = db.session.execute(sa.select(ShareCode.__table__)).mappings().all()
    assert len(stored) == 1
    text = repr([dict(row) for row in stored]).upper()
    for form in (code, code.replace("-", "")):
        assert form.upper() not in text
    assert stored[0]["patient_id"] == patient.id and stored[0]["redeemed_at"] is None


def test_a_share_code_is_accepted_in_either_case_with_or_without_the_hyphen(
    app: Flask, client: FlaskClient, patient: Account, clinician: Account
) -> None:
    for typed in (str, str.lower, lambda code: code.replace("-", ""), lambda code: code.replace("-", "").lower()):
        code = share_code(client, patient)
        r = redeem(client, clinician, typed(code))
        assert r.status_code == 201, (typed(code), r.get_json())
        assert r.get_json()["id"] == patient.id
        assert caseload_ids(client, clinician) == [patient.id]
        assert my_clinician_ids(client, patient) == [clinician.id]
        assert client.delete(f"{API}/me/clinicians/{clinician.id}", headers=patient.headers).status_code == 204
        assert caseload_ids(client, clinician) == []


def test_a_share_code_links_once_only(app: Flask, client: FlaskClient, patient: Account, clinician: Account) -> None:
    other = make_clinician(app, client, "Dr Late")
    code = share_code(client, patient)
    assert redeem(client, clinician, code).status_code == 201
    for who in (other, clinician):
        body = assert_problem(redeem(client, who, code), 422)
        assert "code" in body["errors"]
    assert caseload_ids(client, other) == []
    assert my_clinician_ids(client, patient) == [clinician.id]
    assert rows(app, ClinicianLink) == 1


def test_an_expired_share_code_is_refused(settings: dict[str, Any], request: pytest.FixtureRequest) -> None:
    settings["SHARE_CODE_MINUTES"] = 0  # before the app is built
    app, client = request.getfixturevalue("app"), request.getfixturevalue("client")
    patient, clinician = make_patient(client), make_clinician(app, client)
    body = assert_problem(redeem(client, clinician, share_code(client, patient)), 422)
    assert "code" in body["errors"]
    assert caseload_ids(client, clinician) == [] and active_links(app) == 0


def test_a_share_code_past_its_expiry_time_is_refused(
    app: Flask, client: FlaskClient, patient: Account, clinician: Account
) -> None:
    code = share_code(client, patient)
    with app.app_context():
        db.session.execute(sa.update(ShareCode).values(expires_at=datetime.now(timezone.utc) - timedelta(seconds=1)))
        db.session.commit()
    body = assert_problem(redeem(client, clinician, code), 422)
    assert "code" in body["errors"]
    assert caseload_ids(client, clinician) == [] and active_links(app) == 0


def test_a_malformed_share_code_is_422_naming_code(
    app: Flask, client: FlaskClient, patient: Account, clinician: Account
) -> None:
    real = share_code(client, patient)
    never_issued = "2222-2222" if real != "2222-2222" else "3333-3333"
    for code in ["", "ABCD", "ABCD-EFG", real + "X", real[:-1] + "!", "x" * 40, never_issued,
                 12345678, None, ["ABCD-EFGH"], {"code": real}]:
        body = assert_problem(redeem(client, clinician, code), 422)
        assert "code" in body["errors"], (code, body)
    body = assert_problem(client.post(f"{API}/patients/link", json={}, headers=clinician.headers), 422)
    assert "code" in body["errors"]
    assert active_links(app) == 0
    # The real code still works after all those attempts.
    assert redeem(client, clinician, real).status_code == 201


# --- one patient never sees another's ------------------------------------------------------


def test_a_patient_sees_and_changes_only_their_own_diary(app: Flask, client: FlaskClient) -> None:
    a, b = make_patient(client, "Alice"), make_patient(client, "Bob")
    shared_day, a_day, b_day = a.day(1), a.day(2), a.day(3)
    a_event = fill_diary(client, a, shared_day)
    b_event = fill_diary(client, b, shared_day)
    assert client.put(f"{API}/me/entries/{a_day}", json={"leg_pain": 2}, headers=a.headers).status_code == 201
    assert client.put(f"{API}/me/entries/{b_day}", json={"leg_pain": 9}, headers=b.headers).status_code == 201
    assert client.put(f"{API}/me/entries/{shared_day}", json={"leg_pain": 8}, headers=b.headers).status_code == 200

    entries = client.get(f"{API}/me/entries", headers=a.headers).get_json()["items"]
    assert sorted((e["date"], e["leg_pain"]) for e in entries) == sorted([(shared_day, 6), (a_day, 2)])
    assert client.get(f"{API}/me/entries/{shared_day}", headers=a.headers).get_json()["leg_pain"] == 6
    assert_problem(client.get(f"{API}/me/entries/{b_day}", headers=a.headers), 404)
    assert [e["id"] for e in client.get(f"{API}/me/events", headers=a.headers).get_json()["items"]] == [a_event]
    assert len(client.get(f"{API}/me/odi", headers=a.headers).get_json()["items"]) == 1

    # A cannot delete B's event by its id, nor B's entry by its day.
    assert_problem(client.delete(f"{API}/me/events/{b_event}", headers=a.headers), 404)
    assert_problem(client.delete(f"{API}/me/entries/{b_day}", headers=a.headers), 404)
    assert [e["id"] for e in client.get(f"{API}/me/events", headers=b.headers).get_json()["items"]] == [b_event]
    b_entries = client.get(f"{API}/me/entries", headers=b.headers).get_json()["items"]
    assert sorted((e["date"], e["leg_pain"]) for e in b_entries) == sorted([(shared_day, 8), (b_day, 9)])
    # Nor reach B through the clinicians' routes.
    assert_problem(client.get(f"{API}/patients/{b.id}/entries", headers=a.headers), 403)
    # A deleting their own event leaves B's alone.
    assert client.delete(f"{API}/me/events/{a_event}", headers=a.headers).status_code == 204
    assert rows(app, Event) == 1
