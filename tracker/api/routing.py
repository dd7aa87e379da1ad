"""URL converters: a diary day in a path is an ISO date, refused by name when it is not one."""

from __future__ import annotations

from datetime import date

from werkzeug.exceptions import UnprocessableEntity
from werkzeug.routing import BaseConverter


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
