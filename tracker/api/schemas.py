"""Request and response schemas. Bodies refuse unknown fields (marshmallow's RAISE default)."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Any
from zoneinfo import available_timezones

from marshmallow import Schema, ValidationError, fields, post_load, validate, validates_schema

from tracker.api.fields import Choice, ChoiceList, StrictBoolean, StrictInteger, Text
from tracker.vocabulary import (
    AGGRAVATORS,
    ALERT_STATUSES,
    EVENT_KINDS,
    GAIT,
    MEDICATIONS,
    NOTES_MAX,
    ODI_SECTIONS,
    PAIN_QUALITIES,
    RADIATION_LEVELS,
    REFLEXES,
    REGIONS,
    ROLES,
    SEVERITIES,
    SIDES,
)


@lru_cache(maxsize=1)
def _time_zones() -> frozenset[str]:
    return frozenset(available_timezones())


def _valid_time_zone(value: str) -> None:
    if value not in _time_zones():
        raise ValidationError("Not a known IANA time zone, such as Europe/London.")


def _not_blank(value: str) -> None:
    if not value.strip():
        raise ValidationError("Must not be blank.")


Notes = lambda: Text(allow_none=True, validate=validate.Length(max=NOTES_MAX))  # noqa: E731


# --- accounts -----------------------------------------------------------------------


class RegisterSchema(Schema):
    email = fields.Email(required=True, validate=validate.Length(max=254))
    password = Text(required=True, load_only=True, validate=validate.Length(min=10, max=128))
    display_name = Text(required=True, validate=[validate.Length(min=1, max=100), _not_blank])
    timezone = Text(required=True, validate=_valid_time_zone)

    @post_load
    def normalise(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        data["email"] = data["email"].strip().lower()
        data["display_name"] = data["display_name"].strip()
        return data


class CredentialsSchema(Schema):
    email = Text(required=True, validate=validate.Length(min=1, max=254))
    password = Text(required=True, load_only=True, validate=validate.Length(min=1, max=128))


class RefreshSchema(Schema):
    refresh_token = Text(required=True, validate=validate.Length(min=1, max=4096))


class TokenPairSchema(Schema):
    access_token = Text()
    refresh_token = Text()
    token_type = Text()
    expires_in = fields.Integer()


class UserSchema(Schema):
    id = fields.Integer()
    email = Text()
    role = Text(metadata={"enum": list(ROLES)})
    display_name = Text()
    timezone = Text()


# --- diary --------------------------------------------------------------------------


class EntryFieldsSchema(Schema):
    """A day's answers. Only leg_pain is required; an absent field means "not answered"."""

    leg_pain = StrictInteger(required=True, validate=validate.Range(0, 10))
    back_pain = StrictInteger(allow_none=True, validate=validate.Range(0, 10))
    side = Choice(SIDES, allow_none=True)
    radiation = Choice(RADIATION_LEVELS, allow_none=True)
    numbness = ChoiceList(REGIONS, allow_none=True)
    tingling = ChoiceList(REGIONS, allow_none=True)
    pain_quality = ChoiceList(PAIN_QUALITIES, allow_none=True)
    aggravators = ChoiceList(AGGRAVATORS, allow_none=True)
    heel_walk = Choice(GAIT, allow_none=True)
    toe_walk = Choice(GAIT, allow_none=True)
    foot_drop = StrictBoolean(allow_none=True)
    walking_minutes = StrictInteger(allow_none=True, validate=validate.Range(0, 600))
    walking_aid = StrictBoolean(allow_none=True)
    bladder_or_bowel_change = StrictBoolean(allow_none=True)
    saddle_numbness = StrictBoolean(allow_none=True)
    medications = ChoiceList(MEDICATIONS, allow_none=True)
    exercises_done = StrictBoolean(allow_none=True)
    notes = Notes()


class EntryInSchema(EntryFieldsSchema):
    recorded_at = fields.AwareDateTime(
        validate=validate.Range(min=dt.datetime(2000, 1, 1, tzinfo=dt.timezone.utc)),
        metadata={"description": "When the phone recorded the entry (ISO 8601 with offset); "
                  "defaults to the time the server receives it."}
    )


class BatchItemSchema(EntryInSchema):
    date = fields.Date(required=True)


class EntrySchema(EntryFieldsSchema):
    date = fields.Date()
    recorded_at = fields.DateTime()
    received_at = fields.DateTime()


# Dates a diary can hold; beyond them a query or a phone's clock is wrong.
EARLIEST = dt.date(2000, 1, 1)
LATEST = dt.date(2999, 12, 31)
_IN_CALENDAR = validate.Range(min=EARLIEST, max=LATEST)


class DateRangeQuerySchema(Schema):
    from_ = fields.Date(data_key="from", validate=_IN_CALENDAR)
    to = fields.Date(validate=_IN_CALENDAR)

    @validates_schema
    def ordered(self, data: dict[str, Any], **_: Any) -> None:
        if "from_" in data and "to" in data and data["from_"] > data["to"]:
            raise ValidationError("Must not be before 'from'.", "to")


class BatchSchema(Schema):
    # Items are validated one by one by the service so that good ones are kept.
    entries = fields.List(fields.Raw(allow_none=True), required=True, validate=validate.Length(min=1, max=100))


class EventInSchema(Schema):
    date = fields.Date(required=True)
    kind = Choice(EVENT_KINDS, required=True)
    note = Notes()


class EventSchema(EventInSchema):
    id = fields.Integer()
    created_at = fields.DateTime()


class OdiInSchema(Schema):
    answers = fields.List(
        StrictInteger(allow_none=True, validate=validate.Range(0, 5)),
        required=True,
        validate=validate.Length(equal=ODI_SECTIONS),
        metadata={"description": "Ten sections scored 0–5 in questionnaire order; null when skipped."},
    )


class OdiSchema(Schema):
    date = fields.Date()
    score = fields.Float(allow_none=True)
    answers = fields.List(fields.Integer(allow_none=True))


# --- sharing ------------------------------------------------------------------------


class ShareCodeSchema(Schema):
    code = Text()
    expires_at = fields.DateTime()


class LinkSchema(Schema):
    code = Text(required=True, validate=validate.Length(min=1, max=32))


class LinkedClinicianSchema(Schema):
    id = fields.Integer()
    display_name = Text()
    email = Text()
    linked_at = fields.DateTime()


class PatientSummarySchema(Schema):
    id = fields.Integer()
    display_name = Text()
    timezone = Text()


class CaseloadItemSchema(PatientSummarySchema):
    open_alerts = fields.Dict(keys=Text(), values=fields.Integer())
    last_entry_date = fields.Date(allow_none=True)
    classification = Text(allow_none=True)


# --- assessments --------------------------------------------------------------------


class LegExamSchema(Schema):
    """One leg: MRC grades 0–5, reflexes, straight-leg raise."""

    ankle_dorsiflexion = StrictInteger(allow_none=True, validate=validate.Range(0, 5))
    big_toe_extension = StrictInteger(allow_none=True, validate=validate.Range(0, 5))
    foot_eversion = StrictInteger(allow_none=True, validate=validate.Range(0, 5))
    plantarflexion = StrictInteger(allow_none=True, validate=validate.Range(0, 5))
    achilles_reflex = Choice(REFLEXES, allow_none=True)
    knee_reflex = Choice(REFLEXES, allow_none=True)
    slr_positive = StrictBoolean(allow_none=True)
    slr_angle = StrictInteger(allow_none=True, validate=validate.Range(0, 90))

    @validates_schema
    def angle_needs_test(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("slr_angle") is not None and data.get("slr_positive") is None:
            raise ValidationError("Give slr_positive with the angle.", "slr_positive")


class AssessmentInSchema(Schema):
    date = fields.Date(required=True)
    left = fields.Nested(LegExamSchema, allow_none=True)
    right = fields.Nested(LegExamSchema, allow_none=True)
    notes = Notes()

    @validates_schema
    def examined_something(self, data: dict[str, Any], **_: Any) -> None:
        if not any(any(v is not None for v in (data.get(side) or {}).values()) for side in ("left", "right")):
            raise ValidationError("Record at least one finding for the left or right leg.", "left")


class AssessmentSchema(AssessmentInSchema):
    id = fields.Integer()
    patient_id = fields.Integer()
    clinician_id = fields.Integer(allow_none=True)
    created_at = fields.DateTime()


# --- alerts -------------------------------------------------------------------------


class AlertSchema(Schema):
    id = fields.Integer()
    patient_id = fields.Integer()
    rule = Text()
    severity = Text(metadata={"enum": list(SEVERITIES)})
    status = Text(metadata={"enum": list(ALERT_STATUSES)})
    raised_on = fields.Date()
    last_seen = fields.Date()
    evidence = fields.Dict()
    message = Text()
    patient_message = Text()
    acknowledged_at = fields.DateTime(allow_none=True)
    acknowledge_note = Text(allow_none=True)
    resolved_at = fields.DateTime(allow_none=True)
    resolve_note = Text(allow_none=True)


class PositiveSignSchema(Schema):
    sign = Text(metadata={"enum": ["centralization", "pain_improvement"]})
    raised_on = fields.Date()
    message = Text()
    evidence = fields.Dict()


class AlertStatusQuerySchema(Schema):
    status = Text(validate=validate.OneOf(ALERT_STATUSES))


class AlertActionSchema(Schema):
    note = Text(allow_none=True, validate=validate.Length(max=NOTES_MAX))


class EntryWriteSchema(EntrySchema):
    alerts_raised = fields.List(fields.Nested(AlertSchema))
    positive_signs = fields.List(fields.Nested(PositiveSignSchema))


class BatchItemResultSchema(Schema):
    index = fields.Integer()
    date = Text(allow_none=True)
    status = fields.Integer(metadata={"description": "201 created, 200 replaced, 422 refused"})
    errors = fields.Dict(keys=Text(), values=fields.List(Text()))
    alerts_raised = fields.List(fields.Nested(AlertSchema))


@lru_cache(maxsize=None)
def list_of(schema: type[Schema]) -> type[Schema]:
    """``{"items": [...]}``, the shape of every list the API answers."""
    return Schema.from_dict({"items": fields.List(fields.Nested(schema))}, name=f"{schema.__name__[:-6]}List")


class WeeksQuerySchema(Schema):
    # A query string is text: "12" is the number 12 here, while "12.5" is still refused.
    weeks = fields.Integer(load_default=12, validate=validate.Range(1, 104))


class WeekSchema(Schema):
    """One ISO week of a patient's diary (Monday first, the patient's time zone)."""

    week_start = Text(metadata={"format": "date"})
    days_logged = fields.Integer()
    leg_pain_mean = fields.Float(allow_none=True)
    leg_pain_min = fields.Integer(allow_none=True)
    leg_pain_max = fields.Integer(allow_none=True)
    back_pain_mean = fields.Float(allow_none=True)
    radiation_median = fields.Float(allow_none=True)
    radiation_max = fields.Integer(allow_none=True)
    numbness_share = fields.Float(allow_none=True)
    walking_minutes_median = fields.Float(allow_none=True)
    foot_drop_days = fields.Integer(allow_none=True)
    heel_walk_worst = Text(allow_none=True)
    toe_walk_worst = Text(allow_none=True)
    odi = fields.Float(allow_none=True)
    leg_pain_change = fields.Float(allow_none=True)
    leg_pain_change_from_first = fields.Float(allow_none=True)
    classification = Text(allow_none=True, metadata={"enum": ["improved", "stable", "worse"]})


class WeeksSchema(Schema):
    weeks = fields.List(fields.Nested(WeekSchema))


class ChartQuerySchema(Schema):
    """The period (from/to, or the last `days` days; default 90) and the size in pixels."""

    from_ = fields.Date(data_key="from", validate=_IN_CALENDAR)
    to = fields.Date(validate=_IN_CALENDAR)
    days = fields.Integer(validate=validate.Range(1, 730))
    width = fields.Integer(load_default=800, metadata={"minimum": 320, "maximum": 2000})
    height = fields.Integer(load_default=500, metadata={"minimum": 240, "maximum": 1600})
