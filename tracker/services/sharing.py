"""Consent: share codes, clinician links, and who may see a patient's data."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select

from tracker.database import writing
from tracker.errors import InvalidInput, NotFound
from tracker.extensions import db
from tracker.models import AuditEvent, ClinicianLink, ShareCode, User
from tracker.models.types import utcnow

# Crockford-style alphabet: no 0/O, 1/I/L, so a code read aloud is not misheard.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 8


def _hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def _normalise(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


def create_share_code(patient: User) -> tuple[str, datetime]:
    """A fresh single-use code, shown once, formatted ``ABCD-EFGH``; only its hash is stored."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    expires_at = utcnow() + timedelta(minutes=current_app.config["SHARE_CODE_MINUTES"])
    with writing():
        db.session.add(ShareCode(patient_id=patient.id, code_hash=_hash(raw), expires_at=expires_at))
    return f"{raw[:4]}-{raw[4:]}", expires_at


def redeem_share_code(clinician: User, code: str) -> User:
    """Link the clinician to the patient who made the code; the code cannot be used again."""
    refused = InvalidInput.field("code", "This code is not valid, was already used, or has expired.")
    with writing():
        share = db.session.scalar(
            select(ShareCode).where(ShareCode.code_hash == _hash(_normalise(code))).with_for_update()
        )
        now = utcnow()
        if share is None or share.redeemed_at is not None or share.expires_at <= now:
            raise refused
        share.redeemed_at, share.redeemed_by = now, clinician.id
        link = db.session.scalar(
            select(ClinicianLink).where(
                ClinicianLink.patient_id == share.patient_id,
                ClinicianLink.clinician_id == clinician.id,
            )
        )
        if link is None:
            db.session.add(ClinicianLink(patient_id=share.patient_id, clinician_id=clinician.id, linked_at=now))
        elif link.unlinked_at is not None:
            link.linked_at, link.unlinked_at = now, None
        db.session.add(AuditEvent(actor_id=clinician.id, patient_id=share.patient_id, action="link"))
        patient = db.session.get(User, share.patient_id)
    return patient


def linked_clinicians(patient: User) -> list[tuple[User, ClinicianLink]]:
    rows = db.session.execute(
        select(User, ClinicianLink)
        .join(ClinicianLink, ClinicianLink.clinician_id == User.id)
        .where(ClinicianLink.patient_id == patient.id, ClinicianLink.unlinked_at.is_(None))
        .order_by(ClinicianLink.linked_at)
    )
    return [(user, link) for user, link in rows]


def unlink(patient: User, clinician_id: int) -> None:
    """End a clinician's access at once. Not linked: 404, as for any other absent thing."""
    with writing():
        link = db.session.scalar(
            select(ClinicianLink).where(
                ClinicianLink.patient_id == patient.id,
                ClinicianLink.clinician_id == clinician_id,
                ClinicianLink.unlinked_at.is_(None),
            )
        )
        if link is None:
            raise NotFound("No linked clinician with this id.")
        link.unlinked_at = utcnow()
        db.session.add(AuditEvent(actor_id=patient.id, patient_id=patient.id, action="unlink"))


def linked_patients(clinician: User) -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .join(ClinicianLink, ClinicianLink.patient_id == User.id)
            .where(ClinicianLink.clinician_id == clinician.id, ClinicianLink.unlinked_at.is_(None))
            .order_by(User.display_name, User.id)
        )
    )


def patient_visible_to(viewer: User, patient_id: int) -> User:
    """The patient, if the viewer is that patient or a clinician they have linked; else 404.

    Every route that loads a patient's data goes through here, so access cannot be forgotten.
    """
    if viewer.role == "patient":
        if viewer.id == patient_id:
            return viewer
        raise NotFound("No such patient.")
    patient = db.session.scalar(
        select(User)
        .join(ClinicianLink, ClinicianLink.patient_id == User.id)
        .where(
            User.id == patient_id,
            ClinicianLink.clinician_id == viewer.id,
            ClinicianLink.unlinked_at.is_(None),
        )
    )
    if patient is None:
        raise NotFound("No such patient.")
    return patient


def record_access(actor: User, patient_ids: Iterable[int], action: str, method: str, path: str) -> None:
    """Write a clinician's access to patients' data to the audit log, a row per patient, in one commit."""
    with writing():
        db.session.add_all(
            AuditEvent(actor_id=actor.id, patient_id=patient_id, action=action, method=method, path=path[:500])
            for patient_id in sorted(set(patient_ids))
        )
