"""The signed-in patient's own data under /me."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import RAISE
from marshmallow import ValidationError

from tracker.api.access import me, signed_in
from tracker.api.errors import flatten_errors
from tracker.api.schemas import (
    BatchItemResultSchema,
    BatchItemSchema,
    BatchSchema,
    DateRangeQuerySchema,
    EntryInSchema,
    EntrySchema,
    EntryWriteSchema,
    EventInSchema,
    EventSchema,
    LinkedClinicianSchema,
    OdiInSchema,
    OdiSchema,
    ShareCodeSchema,
    UserSchema,
    list_of,
)
from tracker.errors import InvalidInput
from tracker.extensions import limiter
from tracker.services import diary, records, sharing

blp = Blueprint("me", __name__, url_prefix="/api/v1/me", description="The signed-in patient's own diary")

patient_only = signed_in("patient")


def written_entry(write: diary.EntryWrite) -> dict[str, Any]:
    entry = write.entry
    return {**entry.answers(), "date": entry.date, "recorded_at": entry.recorded_at,
            "received_at": entry.received_at, "alerts_raised": write.alerts_raised,
            "positive_signs": write.positive_signs}


@blp.route("")
class Me(MethodView):
    decorators = [signed_in()]

    @blp.response(200, UserSchema)
    def get(self) -> Any:
        """The signed-in user."""
        return me()


@blp.route("/entries")
class Entries(MethodView):
    decorators = [patient_only]

    @blp.arguments(DateRangeQuerySchema, location="query", unknown=RAISE, as_kwargs=True)
    @blp.response(200, list_of(EntrySchema))
    def get(self, from_: date | None = None, to: date | None = None) -> Any:
        """The diary by date, over at most a year (default: the year up to today)."""
        return {"items": diary.list_entries(me(), from_, to)}


@blp.route("/entries/<day:day>")
class EntryOfDay(MethodView):
    decorators = [patient_only]

    @blp.response(200, EntrySchema)
    def get(self, day: date) -> Any:
        """One day's entry."""
        return diary.get_entry(me(), day)

    @blp.arguments(EntryInSchema)
    @blp.response(200, EntryWriteSchema, description="The day's entry was replaced.")
    @blp.alt_response(201, schema=EntryWriteSchema, description="The day's entry was created.")
    def put(self, answers: dict[str, Any], day: date) -> Any:
        """Create or wholly replace the day's entry; answers the alerts this write raised."""
        write = diary.put_entry(me(), day, answers)
        return written_entry(write), 201 if write.created else 200

    @blp.response(204)
    def delete(self, day: date) -> None:
        """Delete the day's entry (alerts it raised are kept)."""
        diary.delete_entry(me(), day)


@blp.route("/entries/batch")
class EntryBatch(MethodView):
    decorators = [patient_only]

    @blp.arguments(BatchSchema)
    @blp.response(200, list_of(BatchItemResultSchema))
    def post(self, body: dict[str, Any]) -> Any:
        """Offline sync: a result per item (201 created, 200 replaced, 422 refused with errors)."""
        schema = BatchItemSchema()
        results: list[dict[str, Any]] = []
        loaded: list[tuple[int, dict[str, Any]]] = []
        for index, item in enumerate(body["entries"]):
            day = item.get("date") if isinstance(item, dict) else None
            results.append({"index": index, "date": day if isinstance(day, str) else None,
                            "status": 422, "errors": {}, "alerts_raised": []})
            try:
                loaded.append((index, schema.load(item)))
            except ValidationError as error:
                results[index]["errors"] = flatten_errors(error.messages)
        for index, outcome in diary.put_entries(me(), loaded).items():
            if isinstance(outcome, InvalidInput):
                results[index]["errors"] = outcome.errors
            else:
                results[index].update(status=201 if outcome.created else 200,
                                      alerts_raised=outcome.alerts_raised)
        return {"items": results}


@blp.route("/events")
class Events(MethodView):
    decorators = [patient_only]

    @blp.arguments(DateRangeQuerySchema, location="query", unknown=RAISE, as_kwargs=True)
    @blp.response(200, list_of(EventSchema))
    def get(self, from_: date | None = None, to: date | None = None) -> Any:
        """Events (injections, surgery, programmes) by date."""
        return {"items": records.list_events(me(), from_, to)}

    @blp.arguments(EventInSchema)
    @blp.response(201, EventSchema)
    def post(self, values: dict[str, Any]) -> Any:
        """Record an event shown on the charts."""
        return records.add_event(me(), values)


@blp.route("/events/<id:event_id>")
class EventById(MethodView):
    decorators = [patient_only]

    @blp.response(204)
    def delete(self, event_id: int) -> None:
        """Delete an event recorded by mistake."""
        records.delete_event(me(), event_id)


@blp.route("/odi")
class OdiList(MethodView):
    decorators = [patient_only]

    @blp.arguments(DateRangeQuerySchema, location="query", unknown=RAISE, as_kwargs=True)
    @blp.response(200, list_of(OdiSchema))
    def get(self, from_: date | None = None, to: date | None = None) -> Any:
        """Oswestry Disability Index questionnaires by date."""
        return {"items": records.list_odi(me(), from_, to)}


@blp.route("/odi/<day:day>")
class OdiOfDay(MethodView):
    decorators = [patient_only]

    @blp.arguments(OdiInSchema)
    @blp.response(200, OdiSchema, description="Replaced.")
    @blp.alt_response(201, schema=OdiSchema, description="Created.")
    def put(self, body: dict[str, Any], day: date) -> Any:
        """Record the ODI for a day; the score is null when more than one section is skipped."""
        response, created, _raised = records.put_odi(me(), day, body["answers"])
        return response, 201 if created else 200


@blp.route("/share-codes")
class ShareCodes(MethodView):
    decorators = [patient_only, limiter.limit(lambda: current_app.config["LINK_RATE_LIMIT"])]

    @blp.response(201, ShareCodeSchema)
    def post(self) -> Any:
        """A short-lived, single-use code that links a clinician to this diary."""
        code, expires_at = sharing.create_share_code(me())
        return {"code": code, "expires_at": expires_at}


@blp.route("/clinicians")
class Clinicians(MethodView):
    decorators = [patient_only]

    @blp.response(200, list_of(LinkedClinicianSchema))
    def get(self) -> Any:
        """The clinicians who can currently see this diary."""
        return {
            "items": [
                {"id": c.id, "display_name": c.display_name, "email": c.email, "linked_at": link.linked_at}
                for c, link in sharing.linked_clinicians(me())
            ]
        }


@blp.route("/clinicians/<id:clinician_id>")
class ClinicianLink(MethodView):
    decorators = [patient_only]

    @blp.response(204)
    def delete(self, clinician_id: int) -> None:
        """Unlink a clinician: their access ends at once."""
        sharing.unlink(me(), clinician_id)
