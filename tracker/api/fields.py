"""Strict marshmallow fields: no silent coercion of what a client sent."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from marshmallow import ValidationError, fields, validate


class StrictInteger(fields.Integer):
    """An integer as JSON gives it: 5.5, "5" and true are refused, not coerced."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(strict=True, **kwargs)

    def _validated(self, value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.make_error("invalid")
        return super()._validated(value)


class StrictBoolean(fields.Boolean):
    """Only JSON true or false; 1, "yes" and "true" are refused."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> bool:
        if not isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return value


class Text(fields.String):
    """A string every database can store: no NUL character, no lone UTF-16 surrogate."""

    default_error_messages = {
        **fields.String.default_error_messages,
        "unstorable": "Contains a character that cannot be stored (NUL or an unpaired surrogate).",
    }

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        if "\x00" in text:
            raise self.make_error("unstorable")
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            raise self.make_error("unstorable") from None
        return text


def Choice(values: Sequence[str], **kwargs: Any) -> fields.String:  # noqa: N802  (a field factory)
    """A string from a fixed vocabulary."""
    return Text(validate=validate.OneOf(values), **kwargs)


def _unique(items: list[Any]) -> None:
    if len(set(items)) != len(items):
        raise ValidationError("Each value may appear once.")


def ChoiceList(values: Sequence[str], **kwargs: Any) -> fields.List:  # noqa: N802
    """A list of distinct strings from a fixed vocabulary."""
    return fields.List(Choice(values), validate=[validate.Length(max=len(values)), _unique], **kwargs)
