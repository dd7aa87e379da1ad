"""Concurrent writes of one day: never a 5xx, never two rows, the stored entry is one that was sent."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import requests
import sqlalchemy as sa

from tests.conftest import PASSWORD, rows
from tracker.extensions import db
from tracker.models import Entry, OdiResponse

API = "/api/v1"
ROOT = Path(__file__).resolve().parents[2]
THREADS = 8
REQUESTS = 16


def bodies(count: int, tag: str) -> list[dict[str, Any]]:
    """Distinct bodies, so the stored row tells which write won (and that it is not a mixture)."""
    return [
        {"leg_pain": i % 11, "walking_minutes": 10 * i, "notes": f"{tag} writer {i}",
         "side": ("left", "right", "both")[i % 3], **({"numbness": ["sole"]} if i % 2 else {})}
        for i in range(count)
    ]


def stored_rows(app: Any, patient_id: int, day: str) -> int:
    with app.app_context():
        return db.session.scalar(
            sa.select(sa.func.count()).select_from(Entry)
            .where(Entry.patient_id == patient_id, Entry.date == date.fromisoformat(day))
        )


def same_answers(stored: dict[str, Any], sent: dict[str, Any]) -> bool:
    fields = ("leg_pain", "walking_minutes", "notes", "side", "numbness")
    return all(stored.get(name) == sent.get(name) for name in fields)


def race(app: Any, patient: Any, day: str, sent: list[dict[str, Any]]) -> list[tuple[int, Any]]:
    """Every body PUT at once from its own thread and test client."""
    barrier = threading.Barrier(len(sent))
    answers: list[tuple[int, Any] | None] = [None] * len(sent)

    def put(index: int) -> None:
        client = app.test_client()
        barrier.wait(timeout=30)
        response = client.put(f"{API}/me/entries/{day}", json=sent[index], headers=patient.headers)
        answers[index] = (response.status_code, response.get_json(silent=True))

    threads = [threading.Thread(target=put, args=(i,)) for i in range(len(sent))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a writer hung"
    assert all(answer is not None for answer in answers), answers
    return answers  # type: ignore[return-value]


def test_concurrent_puts_of_one_day_in_process(app, client, patient):
    day = patient.day(1)
    sent = bodies(THREADS, "create")
    answers = race(app, patient, day, sent)
    statuses = sorted(status for status, _ in answers)
    assert all(status in (200, 201) for status in statuses), answers
    # One writer created the day; the others found it (or lost the race to it) and replaced it.
    assert statuses.count(201) == 1, statuses
    assert rows(app, Entry) == 1
    assert stored_rows(app, patient.id, day) == 1
    stored = client.get(f"{API}/me/entries/{day}", headers=patient.headers).get_json()
    assert any(same_answers(stored, body) for body in sent), stored
    # Each answer is the entry as that writer wrote it.
    for (status, answer), body in zip(answers, sent):
        assert answer["date"] == day and same_answers(answer, body), answer

    # Again, now that the day exists: every writer replaces.
    sent = bodies(THREADS, "replace")
    answers = race(app, patient, day, sent)
    assert [status for status, _ in answers] == [200] * THREADS, answers
    assert rows(app, Entry) == 1
    stored = client.get(f"{API}/me/entries/{day}", headers=patient.headers).get_json()
    assert any(same_answers(stored, body) for body in sent), stored


def test_concurrent_batches_and_puts_of_one_day(app, client, patient):
    day = patient.day(2)
    sent = bodies(THREADS, "mixed")
    barrier = threading.Barrier(THREADS)
    answers: list[Any] = [None] * THREADS

    def write(index: int) -> None:
        writer = app.test_client()
        barrier.wait(timeout=30)
        if index % 2:
            response = writer.post(f"{API}/me/entries/batch", json={"entries": [{"date": day, **sent[index]}]},
                                   headers=patient.headers)
            answers[index] = (response.status_code, response.get_json(silent=True))
        else:
            response = writer.put(f"{API}/me/entries/{day}", json=sent[index], headers=patient.headers)
            answers[index] = (response.status_code, response.get_json(silent=True))

    with ThreadPoolExecutor(THREADS) as pool:
        list(pool.map(write, range(THREADS)))
    statuses = []
    for index, (status, answer) in enumerate(answers):
        if index % 2:
            assert status == 200, answer
            statuses.append(answer["items"][0]["status"])
        else:
            statuses.append(status)
    assert all(status in (200, 201) for status in statuses), answers
    assert statuses.count(201) == 1, statuses
    assert rows(app, Entry) == 1
    stored = client.get(f"{API}/me/entries/{day}", headers=patient.headers).get_json()
    assert any(same_answers(stored, body) for body in sent), stored


def test_concurrent_odi_puts_of_one_day_in_process(app, client, patient):
    """The weekly questionnaire is also one per day: racing first writes must not 5xx or duplicate."""
    day = patient.day(1)
    barrier = threading.Barrier(THREADS)
    sent = [[i % 6] * 10 for i in range(THREADS)]
    answers: list[Any] = [None] * THREADS

    def put(index: int) -> None:
        writer = app.test_client()
        barrier.wait(timeout=30)
        response = writer.put(f"{API}/me/odi/{day}", json={"answers": sent[index]}, headers=patient.headers)
        answers[index] = (response.status_code, response.get_json(silent=True))

    with ThreadPoolExecutor(THREADS) as pool:
        list(pool.map(put, range(THREADS)))
    statuses = sorted(status for status, _ in answers)
    assert all(status in (200, 201) for status in statuses), answers
    assert statuses.count(201) == 1, statuses
    assert rows(app, OdiResponse) == 1
    items = client.get(f"{API}/me/odi", headers=patient.headers).get_json()["items"]
    assert len(items) == 1 and items[0]["answers"] in sent, items


# --- a real server --------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(process: subprocess.Popen, base: str, log: Path, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"gunicorn exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            if requests.get(f"{base}/api/v1/openapi.json", timeout=5).status_code == 200:
                return
        except (requests.ConnectionError, requests.Timeout):
            pass
        time.sleep(0.1)
    raise AssertionError(f"gunicorn did not answer within {timeout} s:\n{log.read_text()[-3000:]}")


def test_concurrent_puts_through_gunicorn(app, database_url, tmp_path):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "ALERT_WEBHOOK_URL", "DATABASE_URL")}
    env.update(DATABASE_URL=database_url, SECRET_KEY="concurrency-test-secret-key-long-enough-for-hs256")
    gunicorn = Path(sys.executable).with_name("gunicorn")
    log = tmp_path / "gunicorn.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [str(gunicorn), "--no-control-socket", "-w", "2", "-b", f"127.0.0.1:{port}",
             "--timeout", "60", "wsgi:app"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
        )
    try:
        wait_until_up(process, base, log)
        email = "racer@example.org"
        response = requests.post(f"{base}{API}/auth/register", timeout=30, json={
            "email": email, "password": PASSWORD, "display_name": "Racer", "timezone": "Europe/Paris"})
        assert response.status_code == 201, response.text
        response = requests.post(f"{base}{API}/auth/token", json={"email": email, "password": PASSWORD},
                                 timeout=30)
        assert response.status_code == 200, response.text
        headers = {"Authorization": f"Bearer {response.json()['access_token']}"}
        # The patient's yesterday in Paris: never in the future there.
        day = (datetime.now(ZoneInfo("Europe/Paris")).date() - timedelta(days=1)).isoformat()
        sent = bodies(REQUESTS, "server")
        start = threading.Barrier(REQUESTS)

        def put(index: int) -> tuple[int, str]:
            start.wait(timeout=30)
            answer = requests.put(f"{base}{API}/me/entries/{day}", json=sent[index], headers=headers, timeout=60)
            return answer.status_code, answer.text

        with ThreadPoolExecutor(REQUESTS) as pool:
            answers = list(pool.map(put, range(REQUESTS)))
        statuses = sorted(status for status, _ in answers)
        assert not [a for a in answers if a[0] >= 500], (answers, log.read_text()[-3000:])
        assert all(status in (200, 201) for status in statuses), answers
        assert statuses.count(201) == 1, statuses
        assert rows(app, Entry) == 1
        stored = requests.get(f"{base}{API}/me/entries/{day}", headers=headers, timeout=30)
        assert stored.status_code == 200, stored.text
        assert any(same_answers(stored.json(), body) for body in sent), stored.json()
        listed = requests.get(f"{base}{API}/me/entries", headers=headers, timeout=30).json()["items"]
        assert [item["date"] for item in listed] == [day]
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
