"""The webhook outbox against a real HTTP receiver on 127.0.0.1: written with the alert,
retried with backoff while the clinic's webhook is down or failing, delivered exactly once."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from tests.conftest import Account, make_patient, rows
from tracker.extensions import db
from tracker.models import OutboxDelivery
from tracker.services.delivery import deliver_due

API = "/api/v1"


# --- a real receiver ------------------------------------------------------------------------


@dataclass
class Receiver:
    url: str
    status: int = 200
    delay: float = 0.0  # seconds to wait before answering
    posts: list[tuple[str | None, dict[str, Any]]] = field(default_factory=list)  # (Idempotency-Key, body)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """An HTTP server in a thread that records each POST and answers `receiver.status`."""
    state = Receiver(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's name)
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            state.posts.append((self.headers.get("Idempotency-Key"), json.loads(body)))
            time.sleep(state.delay)
            self.send_response(state.status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/alerts"
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def dead_url() -> str:
    """A URL on a port where nothing listens (bound for a moment to find a free one, then closed)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/hooks/alerts"


@pytest.fixture
def down_app(request: pytest.FixtureRequest, settings: dict[str, Any], dead_url: str) -> Flask:
    """The app with ALERT_WEBHOOK_URL pointing at nothing, set before the app is built."""
    settings["ALERT_WEBHOOK_URL"] = dead_url
    app = request.getfixturevalue("app")
    assert app.config["ALERT_WEBHOOK_URL"] == dead_url, "request down_app before client/app"
    return app


# --- helpers ----------------------------------------------------------------------------------


def put(client: Any, patient: Account, days_ago: int, **answers: Any) -> list[dict[str, Any]]:
    response = client.put(f"{API}/me/entries/{patient.day(days_ago)}", json={"leg_pain": 4, **answers},
                          headers=patient.headers)
    assert response.status_code in (200, 201), response.get_json()
    return response.get_json()["alerts_raised"]


def new_foot_drop(client: Any, patient: Account) -> dict[str, Any]:
    put(client, patient, 3, foot_drop=False)
    (alert,) = put(client, patient, 2, foot_drop=True)
    assert (alert["rule"], alert["severity"]) == ("new_foot_drop", "urgent")
    return alert


def deliveries(app: Flask) -> list[OutboxDelivery]:
    with app.app_context():
        found = list(db.session.scalars(sa.select(OutboxDelivery).order_by(OutboxDelivery.id)))
        db.session.expunge_all()
        return found


def deliver(app: Flask, url: str, now: datetime | None = None) -> tuple[int, int]:
    with app.app_context():
        report = deliver_due(url, now=now)
        return report.delivered, report.failed


# --- the outbox row ---------------------------------------------------------------------------


def test_an_urgent_alert_writes_exactly_one_delivery_with_it(app, client, patient):
    alert = new_foot_drop(client, patient)
    (delivery,) = deliveries(app)
    assert delivery.alert_id == alert["id"]
    assert (delivery.attempts, delivery.delivered_at, delivery.last_error) == (0, None, None)
    assert delivery.next_attempt_at <= datetime.now(timezone.utc)
    assert delivery.idempotency_key
    payload = delivery.payload
    assert payload["idempotency_key"] == delivery.idempotency_key
    assert (payload["alert"]["id"], payload["alert"]["rule"], payload["alert"]["severity"]) == (
        alert["id"], "new_foot_drop", "urgent")
    assert payload["alert"]["patient_id"] == patient.id
    assert payload["alert"]["raised_on"] == patient.day(2)

    # Seen again (still open): the alert is refreshed, nothing more is queued.
    put(client, patient, 1, foot_drop=True, heel_walk="unable")
    assert rows(app, OutboxDelivery) == 1


def test_an_emergency_is_queued_once_however_often_it_is_seen_again(app, client, patient):
    for days_ago in (3, 2, 1):
        put(client, patient, days_ago, saddle_numbness=True)
    (delivery,) = deliveries(app)
    assert delivery.payload["alert"]["severity"] == "emergency"
    assert delivery.payload["alert"]["rule"] == "cauda_equina_signs"


def test_warnings_and_info_are_not_delivered(app, client, runner, patient):
    for days_ago, answers in ((20, [1] * 10), (13, [3] * 10)):  # ODI 20 → 60
        assert client.put(f"{API}/me/odi/{patient.day(days_ago)}", json={"answers": answers},
                          headers=patient.headers).status_code == 201
    put(client, patient, 9)
    assert runner.invoke(args=["evaluate"]).exit_code == 0  # missed_entries (info)
    alerts = client.get(f"{API}/me/alerts", headers=patient.headers).get_json()["items"]
    assert sorted(a["severity"] for a in alerts) == ["info", "warning"]
    assert rows(app, OutboxDelivery) == 0


def test_each_urgent_alert_gets_its_own_delivery(app, client):
    ann, bob = make_patient(client, "Ann"), make_patient(client, "Bob")
    ann_alert = new_foot_drop(client, ann)
    bob_alert = new_foot_drop(client, bob)
    (bob_emergency,) = put(client, bob, 1, bladder_or_bowel_change=True)
    found = deliveries(app)
    assert [d.alert_id for d in found] == [ann_alert["id"], bob_alert["id"], bob_emergency["id"]]
    assert len({d.idempotency_key for d in found}) == 3


# --- delivering -------------------------------------------------------------------------------


def test_a_webhook_that_is_down_loses_nothing_and_gets_it_once_it_is_up(down_app, receiver):
    app = down_app
    client, runner = app.test_client(), app.test_cli_runner()
    patient = make_patient(client)
    alert = new_foot_drop(client, patient)

    started = datetime.now(timezone.utc)
    result = runner.invoke(args=["deliver"])
    assert result.exit_code == 0, result.output
    assert "failed 1" in result.output
    (delivery,) = deliveries(app)
    assert delivery.attempts == 1
    assert delivery.delivered_at is None
    assert delivery.last_error
    assert delivery.next_attempt_at > started + timedelta(seconds=5)  # backed off, not due at once
    retry_at = delivery.next_attempt_at

    # Run again before the backoff has passed: nothing is tried.
    result = runner.invoke(args=["deliver"])
    assert result.exit_code == 0, result.output
    assert "failed 0" in result.output
    assert deliveries(app)[0].attempts == 1
    assert deliver(app, receiver.url, now=retry_at - timedelta(seconds=1)) == (0, 0)
    assert receiver.posts == []

    # The webhook is back (at the receiver's URL) and the backoff has passed: delivered once.
    assert deliver(app, receiver.url, now=retry_at + timedelta(seconds=1)) == (1, 0)
    assert len(receiver.posts) == 1
    header_key, body = receiver.posts[0]
    assert header_key == body["idempotency_key"] == delivery.idempotency_key
    assert (body["alert"]["id"], body["alert"]["rule"], body["alert"]["severity"]) == (
        alert["id"], "new_foot_drop", "urgent")
    assert body["alert"]["patient_id"] == patient.id
    (delivered,) = deliveries(app)
    assert delivered.delivered_at is not None
    assert delivered.attempts == 2
    assert delivered.last_error is None

    # Never twice: later runs, however late, post nothing more.
    assert deliver(app, receiver.url, now=retry_at + timedelta(days=2)) == (0, 0)
    assert deliver(app, receiver.url) == (0, 0)
    assert len(receiver.posts) == 1


def test_a_webhook_answering_500_is_retried_with_growing_backoff(app, client, patient, receiver):
    alert = new_foot_drop(client, patient)
    receiver.status = 500
    now = datetime.now(timezone.utc)

    assert deliver(app, receiver.url, now=now) == (0, 1)
    (first,) = deliveries(app)
    assert (first.attempts, first.delivered_at) == (1, None)
    assert "500" in first.last_error
    first_wait = first.next_attempt_at - now
    assert first_wait > timedelta(0)

    later = first.next_attempt_at + timedelta(seconds=1)
    assert deliver(app, receiver.url, now=later) == (0, 1)
    (second,) = deliveries(app)
    assert second.attempts == 2
    assert second.next_attempt_at - later > first_wait  # waits longer after each failure

    receiver.status = 204
    assert deliver(app, receiver.url, now=second.next_attempt_at + timedelta(seconds=1)) == (1, 0)
    assert deliver(app, receiver.url, now=second.next_attempt_at + timedelta(hours=3)) == (0, 0)
    # Three posts: two refused by the receiver, one accepted; all with the same key.
    assert len(receiver.posts) == 3
    assert {key for key, _ in receiver.posts} == {first.idempotency_key}
    assert all(body["alert"]["id"] == alert["id"] for _, body in receiver.posts)
    assert deliveries(app)[0].delivered_at is not None


def test_deliver_posts_every_due_alert_once(app, client, receiver):
    ann, bob = make_patient(client, "Ann"), make_patient(client, "Bob")
    new_foot_drop(client, ann)
    (emergency,) = put(client, bob, 1, saddle_numbness=True)
    assert deliver(app, receiver.url) == (2, 0)
    assert deliver(app, receiver.url, now=datetime.now(timezone.utc) + timedelta(days=1)) == (0, 0)
    assert sorted(body["alert"]["severity"] for _, body in receiver.posts) == ["emergency", "urgent"]
    assert len({key for key, _ in receiver.posts}) == 2
    # A new urgent alert later is delivered on the next run, and only it.
    (foot_drop,) = put(client, bob, 0, saddle_numbness=True, foot_drop=True)
    assert foot_drop["rule"] == "new_foot_drop"
    assert deliver(app, receiver.url) == (1, 0)
    assert len(receiver.posts) == 3
    assert receiver.posts[-1][1]["alert"]["id"] == foot_drop["id"]
    assert emergency["id"] in {body["alert"]["id"] for _, body in receiver.posts[:2]}


def test_two_deliver_runs_at_once_post_each_alert_once(app, client, receiver):
    for name in ("Ann", "Bob", "Cy"):
        new_foot_drop(client, make_patient(client, name))
    receiver.delay = 0.3  # a slow webhook keeps the first run busy while the second starts
    reports: list[tuple[int, int]] = []

    def run() -> None:
        reports.append(deliver(app, receiver.url))

    runs = [threading.Thread(target=run) for _ in range(2)]
    for thread in runs:
        thread.start()
    for thread in runs:
        thread.join(timeout=30)
    assert len(reports) == 2, reports
    assert sum(delivered for delivered, _ in reports) == 3
    assert sum(failed for _, failed in reports) == 0
    keys = [key for key, _ in receiver.posts]
    assert len(keys) == len(set(keys)) == 3
    assert all(d.delivered_at is not None and d.attempts == 1 for d in deliveries(app))


def test_without_a_webhook_url_deliver_says_so_and_delivers_nothing(app, client, runner, patient, receiver):
    assert not app.config.get("ALERT_WEBHOOK_URL")
    new_foot_drop(client, patient)
    result = runner.invoke(args=["deliver"])
    assert result.exit_code == 0, result.output
    assert "ALERT_WEBHOOK_URL" in result.output
    assert "1" in result.output  # how many wait
    (delivery,) = deliveries(app)
    assert (delivery.attempts, delivery.delivered_at, delivery.last_error) == (0, None, None)
    assert receiver.posts == []
