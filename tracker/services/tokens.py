"""Bearer tokens: short-lived access tokens and rotating refresh tokens bound to a session.

Each sign-in opens an AuthSession holding the id (jti) of the one refresh token
that is currently valid. Refreshing replaces it; presenting an older refresh token
means it was copied, so the whole session is revoked. Access tokens name their
session, so signing out (or a revoked session) ends them at once.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from flask import Response, current_app
from flask_jwt_extended import JWTManager, create_access_token, create_refresh_token, decode_token
from flask_jwt_extended.exceptions import JWTExtendedException
from jwt import PyJWTError
from sqlalchemy import select

from tracker.database import writing
from tracker.errors import Unauthorized
from tracker.extensions import db
from tracker.models import AuthSession, User
from tracker.models.types import utcnow


def _issue(user: User, session: AuthSession) -> dict[str, Any]:
    claims = {"role": user.role, "sid": session.id}
    refresh_token = create_refresh_token(identity=str(user.id), additional_claims={"sid": session.id})
    session.refresh_jti = decode_token(refresh_token)["jti"]
    expires = current_app.config["JWT_ACCESS_TOKEN_EXPIRES"]
    expires_in = int(expires.total_seconds() if isinstance(expires, timedelta) else expires)
    return {
        "access_token": create_access_token(identity=str(user.id), additional_claims=claims),
        "refresh_token": refresh_token,
        "token_type": "Bearer",
        "expires_in": expires_in,
    }


def sign_in(user: User) -> dict[str, Any]:
    """Open a session for a user whose credentials were checked; a new token pair."""
    with writing():
        session = AuthSession(id=secrets.token_hex(16), user_id=user.id, refresh_jti="")
        pair = _issue(user, session)
        db.session.add(session)
    return pair


def open_session(user: User) -> str:
    """A session for a signed-in web page (no refresh token); its id goes in the cookie."""
    with writing():
        session = AuthSession(id=secrets.token_hex(16), user_id=user.id, refresh_jti="")
        db.session.add(session)
    return session.id


def refresh(refresh_token: str) -> dict[str, Any]:
    """Rotate: the presented refresh token stops working and a new pair is issued."""
    try:
        claims = decode_token(refresh_token)
    except (JWTExtendedException, PyJWTError):
        raise Unauthorized("The refresh token is not valid or has expired.") from None
    if claims.get("type") != "refresh":
        raise Unauthorized("A refresh token is required.")
    with writing():
        session = db.session.get(AuthSession, claims.get("sid"), with_for_update=True)
        if session is None or session.revoked_at is not None:
            raise Unauthorized("The refresh token is not valid or has expired.")
        if session.refresh_jti != claims["jti"]:
            # An old refresh token came back: someone holds a copy. End the session.
            session.revoked_at = utcnow()
            db.session.flush()
            pair = None
        else:
            user = db.session.get(User, session.user_id)
            session.refreshed_at = utcnow()
            pair = _issue(user, session)
    if pair is None:
        raise Unauthorized("The refresh token was already used; sign in again.")
    return pair


def sign_out(session_id: str) -> None:
    with writing():
        session = db.session.get(AuthSession, session_id)
        if session is not None and session.revoked_at is None:
            session.revoked_at = utcnow()


def register_token_callbacks(jwt: JWTManager) -> None:
    """Load the signed-in user with their session in one query; answer every failure as 401."""
    from tracker.api.errors import problem

    @jwt.user_lookup_loader
    def _load_user(_header: dict[str, Any], payload: dict[str, Any]) -> User | None:
        return db.session.scalar(
            select(User)
            .join(AuthSession, AuthSession.user_id == User.id)
            .where(
                AuthSession.id == payload.get("sid"),
                AuthSession.revoked_at.is_(None),
                User.id == int(payload["sub"]),
            )
        )

    def _unauthorized(detail: str) -> Response:
        return problem(401, detail, headers={"WWW-Authenticate": 'Bearer realm="tracker"'})

    jwt.unauthorized_loader(lambda reason: _unauthorized("A bearer token is required."))
    jwt.invalid_token_loader(lambda reason: _unauthorized("The bearer token is not valid."))
    jwt.expired_token_loader(lambda _h, _p: _unauthorized("The bearer token has expired."))
    jwt.revoked_token_loader(lambda _h, _p: _unauthorized("The bearer token was revoked."))
    jwt.needs_fresh_token_loader(lambda _h, _p: _unauthorized("A fresh sign-in is required."))
    jwt.user_lookup_error_loader(lambda _h, _p: _unauthorized("The session has ended; sign in again."))
    jwt.token_verification_failed_loader(lambda _h, _p: _unauthorized("The bearer token is not valid."))
