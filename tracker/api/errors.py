"""One error shape for every failure: RFC 9457 application/problem+json."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from flask import Flask, Response, jsonify
from flask_smorest import Api
from werkzeug.exceptions import HTTPException, InternalServerError

from tracker.errors import TrackerError

log = logging.getLogger(__name__)

PROBLEM = "application/problem+json"


LOCATIONS = {"json", "query", "path", "headers", "form", "view_args", "querystring"}


def flatten_errors(messages: Any, prefix: str = "", top: bool = True) -> dict[str, list[str]]:
    """{"json": {"entries": {0: {"leg_pain": [..]}}}} → {"entries.0.leg_pain": [..]}."""
    if isinstance(messages, Mapping):
        flat: dict[str, list[str]] = {}
        for key, value in messages.items():
            name = str(key)
            if top and name in LOCATIONS:
                name = ""
            elif name == "_schema":
                name = prefix or "body"
                flat.setdefault(name, []).extend(_messages(value))
                continue
            path = f"{prefix}.{name}" if prefix and name else (prefix or name)
            for field, msgs in flatten_errors(value, path, top=False).items():
                flat.setdefault(field, []).extend(msgs)
        return flat
    return {prefix or "body": _messages(messages)}


def _messages(value: Any) -> list[str]:
    if isinstance(value, (list, tuple)):
        out: list[str] = []
        for item in value:
            out.extend(_messages(item) if isinstance(item, (list, tuple)) else [str(item)])
        return out
    if isinstance(value, Mapping):
        return [f"{k}: {m}" for k, msgs in flatten_errors(value).items() for m in msgs]
    return [str(value)]


def problem(status: int, detail: str, errors: Mapping[str, list[str]] | None = None,
            headers: Mapping[str, str] | None = None, title: str | None = None) -> Response:
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": title or HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
    }
    if errors:
        body["errors"] = dict(errors)
    response = jsonify(body)
    response.status_code = status
    response.mimetype = PROBLEM
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


class ProblemApi(Api):
    """flask-smorest's Api answering every HTTP error as problem+json."""

    def handle_http_exception(self, error: HTTPException) -> Response:
        data = getattr(error, "data", None) or {}
        errors = data.get("errors")
        if not errors and data.get("messages"):
            errors = flatten_errors(data["messages"])
        status = error.code or 500
        detail = data.get("message") or error.description or HTTPStatus(status).phrase
        if errors and "message" not in data:
            detail = "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in errors.items())
        headers = {
            name: value
            for name, value in error.get_headers()
            if name.lower() not in {"content-type", "content-length"}
        }
        headers.update(data.get("headers") or {})
        if status >= 500:
            detail = "The server could not complete the request."
        return problem(status, detail, errors, headers)


def register_error_handlers(app: Flask) -> None:
    """Domain errors and anything unexpected get the same shape as HTTP errors."""

    @app.errorhandler(TrackerError)
    def _domain_error(error: TrackerError) -> Response:
        # A 401 names the scheme that would succeed (RFC 9110 §15.5.2).
        headers = {"WWW-Authenticate": 'Bearer realm="tracker"'} if error.status == 401 else None
        return problem(error.status, error.detail, error.errors or None, headers)

    @app.errorhandler(RecursionError)
    def _nested_too_deeply(_error: RecursionError) -> Response:
        # Only a body nested thousands of levels deep gets here: JSON parsing recurses.
        return problem(400, "body: The JSON body is nested too deeply.", {"body": ["Nested too deeply."]})

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> Response:
        # HTTP errors have their own, more specific handler (ProblemApi above).
        log.exception("unhandled error", exc_info=error)
        return problem(500, InternalServerError.description)
