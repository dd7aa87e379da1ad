"""The webhook outbox: deliver each new urgent or emergency alert to the clinic, with retries.

A delivery is claimed (its next attempt pushed a lease ahead, committed) before it is
sent, so two `deliver` runs at once never post the same one; it is marked delivered
only after the webhook answers 2xx. If the process dies between the post and that
mark, the next run posts it again with the same idempotency key, which the receiver
uses to ignore the repeat (the `Idempotency-Key` header and the payload carry it).
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from tracker.database import writing
from tracker.extensions import db
from tracker.models import OutboxDelivery
from tracker.models.types import utcnow

LEASE = timedelta(minutes=2)
FIRST_RETRY = timedelta(seconds=30)
LONGEST_RETRY = timedelta(hours=1)
TIMEOUT_SECONDS = 10


@dataclass
class DeliveryReport:
    delivered: int = 0
    failed: int = 0


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min, … doubling, at most an hour between attempts."""
    return min(FIRST_RETRY * (2 ** max(0, attempts - 1)), LONGEST_RETRY)


def _claim(now: datetime, limit: int) -> list[OutboxDelivery]:
    with writing():
        due = list(
            db.session.scalars(
                select(OutboxDelivery)
                .where(OutboxDelivery.delivered_at.is_(None), OutboxDelivery.next_attempt_at <= now)
                .order_by(OutboxDelivery.id)
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
        )
        for delivery in due:
            delivery.next_attempt_at = now + LEASE
    return due


def _post(url: str, delivery: OutboxDelivery) -> None:
    request = urllib.request.Request(
        url,
        data=json.dumps(delivery.payload).encode(),
        method="POST",
        headers={"Content-Type": "application/json", "Idempotency-Key": delivery.idempotency_key},
    )
    with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310 (operator's URL)
        if not 200 <= response.status < 300:
            raise urllib.error.HTTPError(url, response.status, response.reason, response.headers, None)


def deliver_due(url: str, now: datetime | None = None, limit: int = 100) -> DeliveryReport:
    """Post every delivery that is due; failures are retried later with backoff."""
    now = now or utcnow()
    report = DeliveryReport()
    for delivery in _claim(now, limit):
        try:
            _post(url, delivery)
        except (urllib.error.URLError, OSError, ValueError) as error:
            outcome: dict[str, object] = {"error": f"{type(error).__name__}: {error}"[:1000]}
            report.failed += 1
        else:
            outcome = {"delivered": True}
            report.delivered += 1
        with writing():
            row = db.session.get(OutboxDelivery, delivery.id)
            row.attempts += 1
            if outcome.get("delivered"):
                row.delivered_at, row.last_error = utcnow(), None
            else:
                row.last_error = str(outcome["error"])
                row.next_attempt_at = now + backoff(row.attempts)
    return report


def pending_count() -> int:
    return len(db.session.scalars(select(OutboxDelivery.id).where(OutboxDelivery.delivered_at.is_(None))).all())
