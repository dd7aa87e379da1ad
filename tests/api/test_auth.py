"""Accounts and tokens: registration, sign-in, rotating refresh tokens, sign-out, rate limits,
and the operator command that creates clinicians."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import jwt as pyjwt
import pytest
import redis
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from flask_jwt_extended import create_access_token, create_refresh_token
from werkzeug.test import TestResponse

from tests.conftest import PASSWORD, Account, make_patient, rows, sign_in, assert_problem
from tracker import create_app
from tracker.extensions import db
from tracker.models import AuthSession, User

API = "/api/v1"
PROBLEM = "application/problem+json"
REDIS_URL = "redis://127.0.0.1:6379"

NEW = {"email": "new.patient@example.org", "password": PASSWORD, "display_name": "New Patient",
       "timezone": "Europe/Paris"}


def register(client: FlaskClient, **changes: Any) -> TestResponse:
    return client.post(f"{API}/auth/register", json={**NEW, **changes})


def token(client: FlaskClient, email: str, password: str, **kwargs: Any) -> TestResponse:
    return client.post(f"{API}/auth/token", json={"email": email, "password": password}, **kwargs)


def refresh(client: FlaskClient, refresh_token: str) -> TestResponse:
    return client.post(f"{API}/auth/refresh", json={"refresh_token": refresh_token})


def me(client: FlaskClient, access_token: str) -> TestResponse:
    return client.get(f"{API}/me", headers={"Authorization": f"Bearer {access_token}"})




def assert_signed_out(client: FlaskClient, access_token: str) -> None:
    r = me(client, access_token)
    assert_problem(r, 401)
    assert r.headers.get("WWW-Authenticate", "").startswith("Bearer")


def stored_user(app: Flask, email: str) -> User | None:
    with app.app_context():
        return db.session.scalar(sa.select(User).where(User.email == email))


# --- registration -------------------------------------------------------------------


def test_register_creates_a_patient(app: Flask, client: FlaskClient) -> None:
    r = register(client)
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    assert set(body) == {"id", "email", "role", "display_name", "timezone"}
    assert isinstance(body["id"], int)
    assert (body["email"], body["role"], body["display_name"], body["timezone"]) == (
        NEW["email"], "patient", NEW["display_name"], NEW["timezone"])
    user = stored_user(app, NEW["email"])
    assert user is not None and user.id == body["id"] and user.role == "patient"


def test_register_stores_the_email_in_lower_case(app: Flask, client: FlaskClient) -> None:
    r = register(client, email="Ann.Smith@Example.ORG")
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["email"] == "ann.smith@example.org"
    assert stored_user(app, "ann.smith@example.org") is not None
    for typed in ("ann.smith@example.org", "ANN.SMITH@EXAMPLE.ORG"):
        r = token(client, typed, PASSWORD)
        assert r.status_code == 200, (typed, r.get_json())
        assert me(client, r.get_json()["access_token"]).get_json()["email"] == "ann.smith@example.org"


def test_register_an_email_already_taken_is_409_naming_email(app: Flask, client: FlaskClient) -> None:
    assert register(client).status_code == 201
    for email in (NEW["email"], NEW["email"].upper()):
        body = assert_problem(register(client, email=email, display_name="Impostor"), 409)
        assert "email" in body["errors"]
    assert rows(app, User) == 1
    assert stored_user(app, NEW["email"]).display_name == NEW["display_name"]


MISSING = object()
BAD_REGISTRATIONS: list[tuple[str, str, Any]] = [
    ("invalid email", "email", "not-an-email"),
    ("email with two @", "email", "two@@example.org"),
    ("email too long", "email", "a" * 250 + "@example.org"),
    ("password of 9 characters", "password", "123456789"),
    ("empty password", "password", ""),
    ("blank display_name", "display_name", "   "),
    ("empty display_name", "display_name", ""),
    ("display_name too long", "display_name", "x" * 101),
    ("unknown timezone", "timezone", "Mars/Base"),
    ("empty timezone", "timezone", ""),
    *[(f"missing {field}", field, MISSING) for field in NEW],
    *[(f"null {field}", field, None) for field in NEW],
    ("email as a number", "email", 42),
    ("password as a number", "password", 12345678901),
    ("display_name as a list", "display_name", ["New", "Patient"]),
    ("timezone as an object", "timezone", {"name": "Europe/London"}),
    ("password as true", "password", True),
    ("unknown extra field", "nickname", "Newbie"),
    ("a role", "role", "clinician"),
]


def test_register_refuses_bad_input_naming_the_field_and_stores_nothing(app: Flask, client: FlaskClient) -> None:
    wrong = []
    for case, field, value in BAD_REGISTRATIONS:
        body = {**NEW, field: value}
        if value is MISSING:
            del body[field]
        r = client.post(f"{API}/auth/register", json=body)
        problem = r.get_json(silent=True) or {}
        if not (400 <= r.status_code < 500 and r.mimetype == PROBLEM and field in problem.get("errors", {})):
            wrong.append(f"{case}: {r.status_code} {r.mimetype} {problem}")
    assert wrong == [], "\n".join(wrong)
    assert rows(app, User) == 0
    # Ten characters is long enough.
    assert register(client, password="0123456789").status_code == 201
    assert token(client, NEW["email"], "0123456789").status_code == 200


def test_register_refuses_a_body_that_is_not_an_object(app: Flask, client: FlaskClient) -> None:
    for body in ([NEW], "new.patient@example.org", 42):
        r = client.post(f"{API}/auth/register", json=body)
        assert 400 <= r.status_code < 500 and r.mimetype == PROBLEM, (body, r.status_code)
    r = client.post(f"{API}/auth/register", data='{"email": ', content_type="application/json")
    assert 400 <= r.status_code < 500 and r.mimetype == PROBLEM
    assert rows(app, User) == 0


def test_nobody_can_register_as_a_clinician(app: Flask, client: FlaskClient) -> None:
    for role in ("clinician", "patient"):
        body = assert_problem(register(client, role=role), 422)
        assert "role" in body["errors"]
        assert any("unknown" in message.lower() for message in body["errors"]["role"]), body
    assert rows(app, User) == 0
    # Without the field the account is a patient's, whatever else the body says.
    assert register(client).get_json()["role"] == "patient"


def test_the_password_is_stored_as_an_argon2id_hash(app: Flask, client: FlaskClient) -> None:
    assert register(client).status_code == 201
    password_hash = stored_user(app, NEW["email"]).password_hash
    assert password_hash.startswith("$argon2id$")
    assert PASSWORD not in password_hash


# --- sign-in ------------------------------------------------------------------------


def test_a_wrong_password_and_an_unknown_email_get_the_same_401(client: FlaskClient, patient: Account) -> None:
    wrong_password = token(client, patient.email, "not the password")
    unknown_email = token(client, "nobody@example.org", PASSWORD)
    assert_problem(wrong_password, 401)
    assert_problem(unknown_email, 401)
    assert wrong_password.get_json() == unknown_email.get_json()
    assert "access_token" not in wrong_password.get_json()


def test_sign_in_answers_a_token_pair(app: Flask, client: FlaskClient, patient: Account) -> None:
    r = token(client, patient.email, PASSWORD)
    assert r.status_code == 200, r.get_json()
    pair = r.get_json()
    assert set(pair) == {"access_token", "refresh_token", "token_type", "expires_in"}
    assert pair["token_type"] == "Bearer"
    assert pair["expires_in"] == app.config["JWT_ACCESS_TOKEN_EXPIRES"] == 15 * 60
    claims = pyjwt.decode(pair["access_token"], options={"verify_signature": False})
    assert claims["exp"] - claims["iat"] == pair["expires_in"]
    assert pair["access_token"] != pair["refresh_token"]
    assert me(client, pair["access_token"]).status_code == 200


def test_me_describes_the_signed_in_user(client: FlaskClient, patient: Account) -> None:
    r = me(client, patient.access_token)
    assert r.status_code == 200
    assert r.get_json() == {"id": patient.id, "email": patient.email, "role": "patient",
                            "display_name": "Pat", "timezone": "Europe/London"}


# --- refresh rotation ---------------------------------------------------------------


def test_refresh_gives_a_new_pair_and_the_old_refresh_token_stops_working(
    client: FlaskClient, patient: Account
) -> None:
    r = refresh(client, patient.refresh_token)
    assert r.status_code == 200, r.get_json()
    pair = r.get_json()
    assert set(pair) == {"access_token", "refresh_token", "token_type", "expires_in"}
    assert pair["refresh_token"] != patient.refresh_token and pair["access_token"] != patient.access_token
    assert me(client, pair["access_token"]).get_json()["id"] == patient.id
    assert_problem(refresh(client, patient.refresh_token), 401)


def test_presenting_a_used_refresh_token_again_ends_the_session(client: FlaskClient, patient: Account) -> None:
    other_device = sign_in(client, patient.email)
    second = refresh(client, patient.refresh_token).get_json()
    third = refresh(client, second["refresh_token"]).get_json()
    assert me(client, third["access_token"]).status_code == 200

    assert_problem(refresh(client, patient.refresh_token), 401)  # a copy of an old token came back

    assert_problem(refresh(client, third["refresh_token"]), 401)
    for access_token in (patient.access_token, second["access_token"], third["access_token"]):
        assert_signed_out(client, access_token)
    # Only that session ends: the same account on another device stays signed in.
    assert me(client, other_device["access_token"]).status_code == 200
    assert refresh(client, other_device["refresh_token"]).status_code == 200


def test_refresh_refuses_anything_but_a_current_refresh_token(
    app: Flask, client: FlaskClient, patient: Account
) -> None:
    claims = pyjwt.decode(patient.refresh_token, options={"verify_signature": False})
    with app.app_context():
        expired = create_refresh_token(identity=claims["sub"], additional_claims={"sid": claims["sid"]},
                                       expires_delta=timedelta(seconds=-1))
    forged = pyjwt.encode(claims, "another-secret-key-that-is-long-enough", algorithm="HS256")
    for bad in ("garbage", patient.access_token, expired, forged):
        assert_problem(refresh(client, bad), 401)
    # None of those ended the session: the real refresh token still works.
    assert refresh(client, patient.refresh_token).status_code == 200


# --- sign-out and expiry ------------------------------------------------------------


def test_logout_ends_the_access_and_the_refresh_token(app: Flask, client: FlaskClient, patient: Account) -> None:
    other_device = sign_in(client, patient.email)
    r = client.post(f"{API}/auth/logout", headers=patient.headers)
    assert r.status_code == 204 and r.get_data() == b""
    assert_signed_out(client, patient.access_token)
    assert_problem(refresh(client, patient.refresh_token), 401)
    assert_problem(client.post(f"{API}/auth/logout", headers=patient.headers), 401)
    assert me(client, other_device["access_token"]).status_code == 200
    with app.app_context():
        sessions = db.session.scalars(sa.select(AuthSession).where(AuthSession.user_id == patient.id)).all()
    assert sorted(s.revoked_at is None for s in sessions) == [False, True]


def test_an_access_token_past_its_expiry_is_401(app: Flask, client: FlaskClient, patient: Account) -> None:
    claims = pyjwt.decode(patient.access_token, options={"verify_signature": False})
    extra = {"role": claims["role"], "sid": claims["sid"]}
    with app.app_context():
        expired = create_access_token(identity=claims["sub"], additional_claims=extra,
                                      expires_delta=timedelta(seconds=-1))
        current = create_access_token(identity=claims["sub"], additional_claims=extra,
                                      expires_delta=timedelta(minutes=5))
    assert me(client, current).status_code == 200  # the same token, but in date, is accepted
    assert_signed_out(client, expired)


def test_an_access_token_naming_no_open_session_is_401(app: Flask, client: FlaskClient, patient: Account) -> None:
    with app.app_context():
        stray = create_access_token(identity=str(patient.id), additional_claims={"role": "patient", "sid": "0" * 32})
        no_user = create_access_token(identity="999999", additional_claims={"role": "patient", "sid": "1" * 32})
    assert_signed_out(client, stray)
    assert_signed_out(client, no_user)


# --- rate limits --------------------------------------------------------------------


def test_the_fourth_sign_in_attempt_in_a_minute_is_429(settings: dict[str, Any],
                                                       request: pytest.FixtureRequest) -> None:
    settings["LOGIN_RATE_LIMIT"] = "3 per minute"  # before the app is built
    client = request.getfixturevalue("client")
    assert register(client).status_code == 201
    assert [token(client, NEW["email"], p).status_code for p in ("wrong password", "still wrong", PASSWORD)] == [
        401, 401, 200]
    r = token(client, NEW["email"], PASSWORD)  # the right password, too late
    assert_problem(r, 429)
    assert "access_token" not in r.get_json()
    assert int(r.headers["Retry-After"]) > 0


@pytest.fixture
def redis_client() -> Any:
    client = redis.Redis.from_url(REDIS_URL)
    client.ping()
    yield client
    client.close()


def test_the_sign_in_limit_is_shared_by_workers_through_redis(
    settings: dict[str, Any], redis_client: Any
) -> None:
    prefix = f"tracker-test-{uuid.uuid4().hex}"
    address = f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250 + 1}"
    settings.update(LOGIN_RATE_LIMIT="3 per minute", RATELIMIT_STORAGE_URI=REDIS_URL, RATELIMIT_KEY_PREFIX=prefix)
    from_address = {"environ_base": {"REMOTE_ADDR": address}}
    workers: list[Flask] = []
    try:
        workers.append(create_app(settings))
        worker_a = workers[0].test_client()
        for _ in range(3):
            assert_problem(token(worker_a, "nobody@example.org", "wrong password", **from_address), 401)
        counters = [key for key in redis_client.scan_iter(match=f"*{address}*")]
        assert counters, "the attempts are counted in Redis"
        # A second worker, built after the attempts: it has no memory of them but Redis.
        workers.append(create_app(settings))
        worker_b = workers[1].test_client()
        assert_problem(token(worker_b, "nobody@example.org", "wrong password", **from_address), 429)
    finally:
        for pattern in (f"*{prefix}*", f"*{address}*"):
            for key in redis_client.scan_iter(match=pattern):
                redis_client.delete(key)
        for worker in workers:
            with worker.app_context():
                db.engine.dispose()
    assert list(redis_client.scan_iter(match=f"*{address}*")) == []


# --- the operator command -----------------------------------------------------------

CLINICIAN_EMAIL = "dr.new@clinic.example"


def create_clinician(runner: Any, *extra: str, email: str = CLINICIAN_EMAIL, input: str | None = None) -> Any:
    return runner.invoke(args=["create-clinician", email, "--name", "Dr New", *extra], input=input)


def test_create_clinician_reads_the_password_from_stdin(app: Flask, client: FlaskClient, runner: Any) -> None:
    result = create_clinician(runner, "--password-stdin", input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output
    r = token(client, CLINICIAN_EMAIL, PASSWORD)
    assert r.status_code == 200, r.get_json()
    profile = me(client, r.get_json()["access_token"]).get_json()
    assert (profile["email"], profile["role"], profile["display_name"]) == (CLINICIAN_EMAIL, "clinician", "Dr New")
    assert stored_user(app, CLINICIAN_EMAIL).password_hash.startswith("$argon2id$")


def test_create_clinician_asks_for_the_password_twice(app: Flask, client: FlaskClient, runner: Any) -> None:
    password = "a different password"
    result = create_clinician(runner, input=f"{password}\n{password}\n")
    assert result.exit_code == 0, result.output
    assert "Password" in result.output and password not in result.output
    r = token(client, CLINICIAN_EMAIL, password)
    assert r.status_code == 200, r.get_json()
    assert me(client, r.get_json()["access_token"]).get_json()["role"] == "clinician"
    # Two different answers: it asks again, and keeps the pair that matched.
    result = create_clinician(runner, email="dr.two@clinic.example",
                              input=f"first password\nsecond password\n{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert token(client, "dr.two@clinic.example", PASSWORD).status_code == 200
    assert token(client, "dr.two@clinic.example", "first password").status_code == 401


def test_create_clinician_refuses_an_email_already_taken(app: Flask, client: FlaskClient, runner: Any) -> None:
    assert create_clinician(runner, "--password-stdin", input=PASSWORD + "\n").exit_code == 0
    again = create_clinician(runner, "--password-stdin", email=CLINICIAN_EMAIL.upper(), input="another password\n")
    assert again.exit_code != 0
    patient = make_patient(client, "Pat")
    taken = create_clinician(runner, "--password-stdin", email=patient.email, input=PASSWORD + "\n")
    assert taken.exit_code != 0
    assert rows(app, User) == 2
    assert me(client, patient.access_token).get_json()["role"] == "patient"
    assert token(client, CLINICIAN_EMAIL, "another password").status_code == 401


def test_create_clinician_refuses_bad_input_and_creates_nothing(app: Flask, runner: Any) -> None:
    for case, email, password in [
        ("short password", CLINICIAN_EMAIL, "too short"),
        ("empty password", CLINICIAN_EMAIL, ""),
        ("invalid email", "not-an-email", PASSWORD),
    ]:
        result = create_clinician(runner, "--password-stdin", email=email, input=password + "\n")
        assert result.exit_code != 0, (case, result.output)
        assert "password" in result.output.lower() or "email" in result.output.lower(), (case, result.output)
    assert rows(app, User) == 0
