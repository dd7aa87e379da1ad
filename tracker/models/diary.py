"""What a patient records (entries, events, ODI) and what a clinician records (assessments)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Date, Float, ForeignKey, Index, Text
from sqlalchemy import UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tracker.extensions import db
from tracker.models.types import UTCDateTime, choice, utcnow
from tracker.vocabulary import ENTRY_FIELDS, EVENT_KINDS, GAIT, RADIATION_LEVELS, REFLEXES, SIDES


def _range(column: str, low: int, high: int) -> CheckConstraint:
    return CheckConstraint(f"{column} BETWEEN {low} AND {high}", name=f"{column}_range")


class Entry(db.Model):
    """One patient's diary entry for one local calendar day."""

    __tablename__ = "entries"
    __table_args__ = (
        UniqueConstraint("patient_id", "date", name="uq_entries_patient_day"),
        _range("leg_pain", 0, 10),
        _range("back_pain", 0, 10),
        _range("walking_minutes", 0, 600),
        CheckConstraint("length(notes) <= 2000", name="notes_length"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    date: Mapped[date] = mapped_column(Date)
    leg_pain: Mapped[int]
    back_pain: Mapped[int | None]
    side: Mapped[str | None] = mapped_column(choice("side", SIDES))
    radiation: Mapped[str | None] = mapped_column(choice("radiation", RADIATION_LEVELS))
    numbness: Mapped[list[str] | None] = mapped_column(JSON)
    tingling: Mapped[list[str] | None] = mapped_column(JSON)
    pain_quality: Mapped[list[str] | None] = mapped_column(JSON)
    aggravators: Mapped[list[str] | None] = mapped_column(JSON)
    heel_walk: Mapped[str | None] = mapped_column(choice("heel_walk", GAIT))
    toe_walk: Mapped[str | None] = mapped_column(choice("toe_walk", GAIT))
    foot_drop: Mapped[bool | None]
    walking_minutes: Mapped[int | None]
    walking_aid: Mapped[bool | None]
    bladder_or_bowel_change: Mapped[bool | None]
    saddle_numbness: Mapped[bool | None]
    medications: Mapped[list[str] | None] = mapped_column(JSON)
    exercises_done: Mapped[bool | None]
    notes: Mapped[str | None] = mapped_column(Text)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def answers(self) -> dict[str, Any]:
        """The day's answers by field name (None: not answered)."""
        return {name: getattr(self, name) for name in ENTRY_FIELDS}




class Event(db.Model):
    """A dated marker on the patient's charts: an injection, surgery, a new programme."""

    __tablename__ = "events"
    __table_args__ = (
        Index("ix_events_patient_date", "patient_id", "date"),
        CheckConstraint("length(note) <= 2000", name="note_length"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    date: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(choice("event_kind", EVENT_KINDS))
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class OdiResponse(db.Model):
    """An Oswestry Disability Index questionnaire: ten sections scored 0–5, at most one skipped."""

    __tablename__ = "odi_responses"
    __table_args__ = (
        UniqueConstraint("patient_id", "date", name="uq_odi_responses_patient_day"),
        CheckConstraint("score IS NULL OR (score >= 0 AND score <= 100)", name="score_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    date: Mapped[date] = mapped_column(Date)
    answers: Mapped[list[int | None]] = mapped_column(JSON)
    score: Mapped[float | None] = mapped_column(Float)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


def _mrc(side: str, muscle: str) -> CheckConstraint:
    return _range(f"{side}_{muscle}", 0, 5)


class Assessment(db.Model):
    """A clinician's examination of a linked patient, per leg: MRC grades, reflexes, SLR."""

    __tablename__ = "assessments"
    __table_args__ = (
        Index("ix_assessments_patient_date", "patient_id", "date"),
        *(
            _mrc(side, muscle)
            for side in ("left", "right")
            for muscle in ("ankle_dorsiflexion", "big_toe_extension", "foot_eversion", "plantarflexion")
        ),
        _range("left_slr_angle", 0, 90),
        _range("right_slr_angle", 0, 90),
        CheckConstraint("length(notes) <= 2000", name="notes_length"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    clinician_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    date: Mapped[date] = mapped_column(Date)
    left_ankle_dorsiflexion: Mapped[int | None]
    left_big_toe_extension: Mapped[int | None]
    left_foot_eversion: Mapped[int | None]
    left_plantarflexion: Mapped[int | None]
    left_achilles_reflex: Mapped[str | None] = mapped_column(choice("left_achilles_reflex", REFLEXES))
    left_knee_reflex: Mapped[str | None] = mapped_column(choice("left_knee_reflex", REFLEXES))
    left_slr_positive: Mapped[bool | None]
    left_slr_angle: Mapped[int | None]
    right_ankle_dorsiflexion: Mapped[int | None]
    right_big_toe_extension: Mapped[int | None]
    right_foot_eversion: Mapped[int | None]
    right_plantarflexion: Mapped[int | None]
    right_achilles_reflex: Mapped[str | None] = mapped_column(choice("right_achilles_reflex", REFLEXES))
    right_knee_reflex: Mapped[str | None] = mapped_column(choice("right_knee_reflex", REFLEXES))
    right_slr_positive: Mapped[bool | None]
    right_slr_angle: Mapped[int | None]
    notes: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


ASSESSMENT_SIDE_FIELDS = (
    "ankle_dorsiflexion",
    "big_toe_extension",
    "foot_eversion",
    "plantarflexion",
    "achilles_reflex",
    "knee_reflex",
    "slr_positive",
    "slr_angle",
)
