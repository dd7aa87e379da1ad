"""Escalation: re-evaluate a patient's rules after each write and keep their alerts.

Runs inside the write's transaction, so the alert, its outbox delivery and the entry
that raised them are committed together or not at all.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from tracker.analytics.frames import diary_frame
from tracker.analytics.rules import (
    ENTRY_RULE_FIELDS,
    Finding,
    evaluate_assessment_rules,
    evaluate_entry_rules,
    evaluate_odi_rules,
)
from tracker.analytics.signs import evaluate_entry
from tracker.extensions import db
from tracker.models import Alert, Assessment, OutboxDelivery, User
from tracker.models.types import utcnow
from tracker.services.frames import assessment_rows, diary_columns, odi_rows

# The widest diary window a rule looks at: pain compares the 7 days to the 14 before
# them (day-20 … day); radiation and numbness look 14 days before the last 3 entries
# spread over up to 5 days (day-18). A margin keeps evaluation independent of that detail.
DIARY_LOOKBACK = timedelta(days=35)
# Events (injections, surgery, a new programme) are shown on the charts but feed no rule,
# so writing one re-evaluates nothing: re-running the diary rules for the event's day
# would only re-raise what that day's entry already raised.
DELIVERED_SEVERITIES = ("urgent", "emergency")


def _diary(patient: User, day: date) -> Any:
    """The patient's diary over the rules' lookback, with only the fields the rules read."""
    return diary_frame(diary_columns(patient.id, day - DIARY_LOOKBACK, day, ENTRY_RULE_FIELDS))


def after_entry_write(patient: User, day: date) -> tuple[list[Alert], list[dict[str, Any]]]:
    """Evaluate the diary rules for the day written: the alerts this opened, and the
    positive signs (centralization, pain improvement) to tell the patient, not as alerts."""
    findings, signs = evaluate_entry(_diary(patient, day), day)
    return record_findings(patient, findings), signs


def after_diary_write(patient: User, day: date) -> list[Alert]:
    """Evaluate the diary rules for the day written; the alerts this opened."""
    return record_findings(patient, evaluate_entry_rules(_diary(patient, day), day))


def after_odi_write(patient: User, day: date) -> list[Alert]:
    return record_findings(patient, evaluate_odi_rules(odi_rows([patient.id], end=day), day))


def after_assessment_write(patient: User, assessment: Assessment) -> list[Alert]:
    return record_findings(patient, evaluate_assessment_rules(assessment_rows(patient.id), assessment.id))


def record_findings(patient: User, findings: Iterable[Finding]) -> list[Alert]:
    """Open an alert per finding, or refresh the rule's alert that is still open or acknowledged.

    A finding for a day whose alert of that rule a clinician already resolved (the same
    entry saved again, say) is that same episode: it opens nothing new.
    """
    opened = []
    for finding in findings:
        alert = _active_alert(patient.id, finding.rule)
        if alert is None and _resolved_for_day(patient.id, finding):
            continue
        if alert is None:
            try:
                with db.session.begin_nested():
                    alert = _open_alert(patient, finding)
                opened.append(alert)
                continue
            except IntegrityError:
                # A concurrent write opened the same rule's alert first: refresh that one.
                alert = _active_alert(patient.id, finding.rule)
        _refresh(alert, finding)
    db.session.flush()
    return opened


def _active_alert(patient_id: int, rule: str) -> Alert | None:
    return db.session.scalar(
        select(Alert).where(Alert.patient_id == patient_id, Alert.rule == rule, Alert.status != "resolved")
    )


def _resolved_for_day(patient_id: int, finding: Finding) -> bool:
    return db.session.scalar(
        select(Alert.id).where(Alert.patient_id == patient_id, Alert.rule == finding.rule,
                               Alert.raised_on == finding.raised_on, Alert.status == "resolved").limit(1)
    ) is not None


def _open_alert(patient: User, finding: Finding) -> Alert:
    alert = Alert(
        patient_id=patient.id,
        rule=finding.rule,
        severity=finding.severity,
        status="open",
        raised_on=finding.raised_on,
        last_seen=finding.raised_on,
        evidence=finding.evidence,
        message=finding.message,
        patient_message=finding.patient_message,
    )
    db.session.add(alert)
    db.session.flush()
    if finding.severity in DELIVERED_SEVERITIES:
        key = str(uuid.uuid4())
        db.session.add(OutboxDelivery(alert_id=alert.id, idempotency_key=key, payload=webhook_payload(alert, key)))
        db.session.flush()
    return alert


def _refresh(alert: Alert, finding: Finding) -> None:
    alert.evidence = finding.evidence
    alert.message = finding.message
    alert.patient_message = finding.patient_message
    alert.last_seen = max(alert.last_seen, finding.raised_on)
    alert.updated_at = utcnow()


def webhook_payload(alert: Alert, key: str) -> dict[str, Any]:
    """What the clinic's webhook receives: enough to act on, no diary contents beyond the evidence."""
    return {
        "idempotency_key": key,
        "alert": {
            "id": alert.id,
            "patient_id": alert.patient_id,
            "rule": alert.rule,
            "severity": alert.severity,
            "raised_on": alert.raised_on.isoformat(),
            "message": alert.message,
            "evidence": alert.evidence,
        },
    }
