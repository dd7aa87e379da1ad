"""Accounts and tokens: register, sign in, refresh (rotating), sign out."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask.views import MethodView
from flask_jwt_extended import get_jwt
from flask_smorest import Blueprint

from tracker.api.access import signed_in
from tracker.api.schemas import CredentialsSchema, RefreshSchema, RegisterSchema, TokenPairSchema, UserSchema
from tracker.extensions import limiter
from tracker.services import accounts, tokens

blp = Blueprint("auth", __name__, url_prefix="/api/v1/auth", description="Accounts and tokens")


def _limit(setting: str) -> Any:
    return limiter.limit(lambda: current_app.config[setting])


@blp.route("/register")
class Register(MethodView):
    decorators = [_limit("REGISTER_RATE_LIMIT")]

    @blp.doc(security=[])
    @blp.arguments(RegisterSchema)
    @blp.response(201, UserSchema)
    def post(self, values: dict[str, Any]) -> Any:
        """Create a patient account (clinicians are created by an operator)."""
        return accounts.create_user(role="patient", **values)


@blp.route("/token")
class Token(MethodView):
    decorators = [_limit("LOGIN_RATE_LIMIT")]

    @blp.doc(security=[])
    @blp.arguments(CredentialsSchema)
    @blp.response(200, TokenPairSchema)
    def post(self, credentials: dict[str, Any]) -> Any:
        """Sign in: an access token and a refresh token."""
        user = accounts.authenticate(credentials["email"], credentials["password"])
        return tokens.sign_in(user)


@blp.route("/refresh")
class Refresh(MethodView):
    decorators = [_limit("LOGIN_RATE_LIMIT")]

    @blp.doc(security=[])
    @blp.arguments(RefreshSchema)
    @blp.response(200, TokenPairSchema)
    def post(self, body: dict[str, Any]) -> Any:
        """A new token pair; the refresh token presented stops working."""
        return tokens.refresh(body["refresh_token"])


@blp.route("/logout")
class Logout(MethodView):
    decorators = [signed_in()]

    @blp.response(204)
    def post(self) -> None:
        """Sign out this device: its access and refresh tokens stop working."""
        tokens.sign_out(get_jwt()["sid"])


__all__ = ["blp", "UserSchema"]
