"""Domain exceptions. Each carries the HTTP status the API answers it with."""

from __future__ import annotations


class TrackerError(Exception):
    status = 400

    def __init__(self, detail: str, errors: dict[str, list[str]] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors or {}


class InvalidInput(TrackerError):
    """The request was well formed but a field's value is not acceptable."""

    status = 422

    @classmethod
    def field(cls, name: str, message: str) -> "InvalidInput":
        return cls(f"{name}: {message}", {name: [message]})


class NotFound(TrackerError):
    """Absent, or not yours to see: the two are answered the same way."""

    status = 404


class Conflict(TrackerError):
    status = 409


class Unauthorized(TrackerError):
    status = 401


class Forbidden(TrackerError):
    status = 403
