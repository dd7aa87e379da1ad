"""Who is asking: role checks and the one way a route loads a patient it may show."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import request
from flask_jwt_extended import current_user, verify_jwt_in_request

from tracker.errors import Forbidden
from tracker.models import User
from tracker.services import sharing

F = TypeVar("F", bound=Callable[..., Any])


def signed_in(role: str | None = None) -> Callable[[F], F]:
    """Require a valid access token (401), and the given role if any (403)."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            verify_jwt_in_request()
            if role is not None and current_user.role != role:
                raise Forbidden(f"This endpoint is for {role}s.")
            return view(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorator


def me() -> User:
    return current_user  # type: ignore[return-value]


def visible_patient(patient_id: int) -> User:
    """The patient if the signed-in user may see them (404 otherwise); clinician reads are audited."""
    viewer = me()
    patient = sharing.patient_visible_to(viewer, patient_id)
    if viewer.role == "clinician" and request.method in ("GET", "HEAD"):
        audit_read([patient.id])
    return patient


def audit_read(patient_ids: list[int]) -> None:
    """Record that the signed-in clinician read these patients' data through this request."""
    if patient_ids:
        sharing.record_access(me(), patient_ids, "read", request.method, request.full_path.rstrip("?"))
