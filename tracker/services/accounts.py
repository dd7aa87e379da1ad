"""Accounts: registration, password checks, operator-created clinicians."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from tracker.database import writing
from tracker.errors import Conflict, Unauthorized
from tracker.extensions import db
from tracker.models import User


def _hasher() -> PasswordHasher:
    config = current_app.config
    return PasswordHasher(
        time_cost=config["ARGON2_TIME_COST"],
        memory_cost=config["ARGON2_MEMORY_COST"],
        parallelism=config["ARGON2_PARALLELISM"],
    )


def create_user(*, email: str, password: str, display_name: str, timezone: str, role: str) -> User:
    """Create an account; an email already registered is a conflict."""
    email = email.strip().lower()
    user = User(
        email=email,
        password_hash=_hasher().hash(password),
        role=role,
        display_name=display_name,
        timezone=timezone,
    )
    try:
        with writing():
            db.session.add(user)
    except IntegrityError:
        raise Conflict("An account with this email already exists.",
                       {"email": ["An account with this email already exists."]}) from None
    return user


def authenticate(email: str, password: str) -> User:
    """The user these credentials belong to; the same answer for a wrong email or password."""
    hasher = _hasher()
    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        # Spend the same time as a real check so response times do not reveal accounts.
        hasher.hash(password)
        raise Unauthorized("Wrong email or password.")
    try:
        hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        raise Unauthorized("Wrong email or password.") from None
    if hasher.check_needs_rehash(user.password_hash):
        with writing():
            user.password_hash = hasher.hash(password)
            db.session.add(user)
    return user
