"""Fixtures: an app per test on each real database (SQLite and PostgreSQL), clients, factories.

The schema is built once per database and worker; each test starts from empty tables.
In CI (CI=true) a PostgreSQL that cannot be reached fails the run instead of skipping.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from tracker import create_app
from tracker.config import TestConfig
from tracker.extensions import db, limiter

POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
IN_CI = os.environ.get("CI", "").lower() == "true"
PASSWORD = "correct horse battery"


def _worker(request: pytest.FixtureRequest) -> str:
    """A name for this test process, distinct across concurrent runs on one machine."""
    worker = getattr(request.config, "workerinput", {}).get("workerid", "main")
    return f"{worker}_{os.getpid()}"


def _drop_postgres_database(url: str) -> None:
    admin = sa.create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)'))
    finally:
        admin.dispose()


def _postgres_database(name: str) -> str:
    """A fresh database for this worker on the PostgreSQL server; skip (or fail in CI) if down."""
    admin = sa.create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.OperationalError as error:
        message = f"PostgreSQL is not reachable at {POSTGRES_URL}: {error.orig}"
        if IN_CI:
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    finally:
        admin.dispose()
    return POSTGRES_URL.rsplit("/", 1)[0] + f"/{name}"


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One database per backend and worker, with the schema built from the models."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'tracker.db'}"
    else:
        url = _postgres_database(f"tracker_test_{_worker(request)}")
    app = create_app({**TestConfig.settings(), "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        db.create_all()
        db.engine.dispose()
    yield url
    if request.param == "postgresql":
        _drop_postgres_database(url)


def _empty_tables() -> None:
    tables = list(reversed(db.metadata.sorted_tables))
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in tables)
            conn.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                conn.execute(table.delete())


@pytest.fixture
def settings(database_url: str) -> dict[str, Any]:
    """The app's settings; a test may change them before using ``app``."""
    return {**TestConfig.settings(), "SQLALCHEMY_DATABASE_URI": database_url}


@pytest.fixture
def app(settings: dict[str, Any]) -> Iterator[Flask]:
    app = create_app(settings)
    limiter.reset()
    yield app
    with app.app_context():
        db.session.remove()
        _empty_tables()
        db.engine.dispose()
    limiter.reset()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> Any:
    return app.test_cli_runner()


@pytest.fixture
def backend(database_url: str) -> str:
    return "postgresql" if database_url.startswith("postgresql") else "sqlite"


# --- factories ----------------------------------------------------------------------


@dataclass
class Account:
    id: int
    email: str
    role: str
    timezone: str
    access_token: str
    refresh_token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access_token}"}

    def today(self) -> date:
        return datetime.now(ZoneInfo(self.timezone)).date()

    def day(self, days_ago: int) -> str:
        return (self.today() - timedelta(days=days_ago)).isoformat()


def sign_in(client: FlaskClient, email: str, password: str = PASSWORD) -> dict[str, Any]:
    response = client.post("/api/v1/auth/token", json={"email": email, "password": password})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def make_patient(client: FlaskClient, name: str = "Pat", timezone: str = "Europe/London") -> Account:
    email = f"{name.lower().replace(' ', '.')}@example.org"
    response = client.post(
        "/api/v1/auth/register",
        json={"email": email, "password": PASSWORD, "display_name": name, "timezone": timezone},
    )
    assert response.status_code == 201, response.get_json()
    tokens = sign_in(client, email)
    return Account(response.get_json()["id"], email, "patient", timezone,
                   tokens["access_token"], tokens["refresh_token"])


def make_clinician(app: Flask, client: FlaskClient, name: str = "Dr Physio") -> Account:
    email = f"{name.lower().replace(' ', '.')}@clinic.example"
    result = app.test_cli_runner().invoke(
        args=["create-clinician", email, "--name", name, "--password-stdin"], input=PASSWORD + "\n"
    )
    assert result.exit_code == 0, result.output
    tokens = sign_in(client, email)
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {tokens['access_token']}"}).get_json()
    return Account(me["id"], email, "clinician", me["timezone"], tokens["access_token"], tokens["refresh_token"])


def link(client: FlaskClient, patient: Account, clinician: Account) -> None:
    code = client.post("/api/v1/me/share-codes", headers=patient.headers).get_json()["code"]
    response = client.post("/api/v1/patients/link", json={"code": code}, headers=clinician.headers)
    assert response.status_code == 201, response.get_json()


@pytest.fixture
def patient(client: FlaskClient) -> Account:
    return make_patient(client)


@pytest.fixture
def clinician(app: Flask, client: FlaskClient) -> Account:
    return make_clinician(app, client)


@pytest.fixture
def linked(client: FlaskClient, patient: Account, clinician: Account) -> tuple[Account, Account]:
    link(client, patient, clinician)
    return patient, clinician


def rows(app: Flask, model: Any) -> int:
    """How many rows a table holds, read straight from the database."""
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model))


PROBLEM = "application/problem+json"


def assert_problem(response: Any, status: int) -> dict[str, Any]:
    """The answer is an RFC 9457 problem with this status; its body."""
    assert response.status_code == status, (response.status_code, response.get_data(as_text=True)[:500])
    assert response.mimetype == PROBLEM
    body = response.get_json(force=True)
    assert {"type", "title", "status", "detail"} <= body.keys(), body
    assert body["status"] == status and body["title"] and body["detail"]
    return body
