"""URL converters: a diary day in a path is an ISO date, refused by name when it is not one."""

from __future__ import annotations

from datetime import date

from typing import Any

from werkzeug.exceptions import UnprocessableEntity
from werkzeug.routing import BaseConverter, IntegerConverter


class DayConverter(BaseConverter):
    """Matches ``YYYY-MM-DD``; an impossible date (2026-02-30) is a 422 naming ``date``.

    URL matching only lets HTTP exceptions through to the error handlers, hence
    no domain exception here.
    """

    regex = r"\d{4}-\d{2}-\d{2}"

    def to_python(self, value: str) -> date:
        try:
            return date.fromisoformat(value)
        except ValueError:
            error = UnprocessableEntity()
            message = f"{value!r} is not a valid calendar date."
            error.data = {"message": f"date: {message}", "errors": {"date": [message]}}
            raise error from None

    def to_url(self, value: date | str) -> str:
        return value.isoformat() if isinstance(value, date) else str(value)


class IdConverter(IntegerConverter):
    """A row id: 1 … 2³¹−1. Anything else matches no route, so it is a plain 404."""

    def __init__(self, map: Any) -> None:  # noqa: A002  (werkzeug's parameter name)
        super().__init__(map, min=1, max=2**31 - 1)
