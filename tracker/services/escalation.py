"""Escalation: re-evaluate a patient's rules after each write and keep their alerts."""

from __future__ import annotations

from datetime import date

from tracker.models import Alert, Assessment, User


def after_diary_write(patient: User, day: date) -> list[Alert]:
    return []


def after_event_write(patient: User, day: date) -> list[Alert]:
    return []


def after_odi_write(patient: User, day: date) -> list[Alert]:
    return []


def after_assessment_write(patient: User, assessment: Assessment) -> list[Alert]:
    return []
