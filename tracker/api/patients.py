"""A clinician's view of their linked patients under /patients."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import RAISE

from tracker.api.access import audit_read, me, signed_in, visible_patient
from tracker.api.schemas import (
    AssessmentInSchema,
    AssessmentSchema,
    CaseloadItemSchema,
    DateRangeQuerySchema,
    EntrySchema,
    EventSchema,
    LinkSchema,
    OdiSchema,
    PatientSummarySchema,
    list_of,
)
from tracker.extensions import limiter
from tracker.services import assessments, caseload, diary, records, sharing

blp = Blueprint("patients", __name__, url_prefix="/api/v1/patients",
                description="A clinician's linked patients")

clinician_only = signed_in("clinician")


@blp.route("/link")
class Link(MethodView):
    decorators = [clinician_only, limiter.limit(lambda: current_app.config["LINK_RATE_LIMIT"])]

    @blp.arguments(LinkSchema)
    @blp.response(201, PatientSummarySchema)
    def post(self, body: dict[str, Any]) -> Any:
        """Redeem a patient's share code: the patient joins this clinician's caseload."""
        return sharing.redeem_share_code(me(), body["code"])


@blp.route("")
class Caseload(MethodView):
    decorators = [clinician_only]

    @blp.response(200, list_of(CaseloadItemSchema))
    def get(self) -> Any:
        """The caseload: linked patients, worst first."""
        items = caseload.caseload(me())
        audit_read([item["id"] for item in items])
        return {"items": items}


@blp.route("/<id:patient_id>/entries")
class PatientEntries(MethodView):
    decorators = [clinician_only]

    @blp.arguments(DateRangeQuerySchema, location="query", unknown=RAISE, as_kwargs=True)
    @blp.response(200, list_of(EntrySchema))
    def get(self, patient_id: int, from_: date | None = None, to: date | None = None) -> Any:
        """A linked patient's diary by date."""
        return {"items": diary.list_entries(visible_patient(patient_id), from_, to)}


@blp.route("/<id:patient_id>/events")
class PatientEvents(MethodView):
    decorators = [clinician_only]

    @blp.arguments(DateRangeQuerySchema, location="query", unknown=RAISE, as_kwargs=True)
    @blp.response(200, list_of(EventSchema))
    def get(self, patient_id: int, from_: date | None = None, to: date | None = None) -> Any:
        """A linked patient's events."""
        return {"items": records.list_events(visible_patient(patient_id), from_, to)}


@blp.route("/<id:patient_id>/odi")
class PatientOdi(MethodView):
    decorators = [clinician_only]

    @blp.arguments(DateRangeQuerySchema, location="query", unknown=RAISE, as_kwargs=True)
    @blp.response(200, list_of(OdiSchema))
    def get(self, patient_id: int, from_: date | None = None, to: date | None = None) -> Any:
        """A linked patient's ODI questionnaires."""
        return {"items": records.list_odi(visible_patient(patient_id), from_, to)}


@blp.route("/<id:patient_id>/assessments")
class PatientAssessments(MethodView):
    decorators = [clinician_only]

    @blp.arguments(DateRangeQuerySchema, location="query", unknown=RAISE, as_kwargs=True)
    @blp.response(200, list_of(AssessmentSchema))
    def get(self, patient_id: int, from_: date | None = None, to: date | None = None) -> Any:
        """A linked patient's examinations by date."""
        found = assessments.list_assessments(visible_patient(patient_id), from_, to)
        return {"items": [assessments.assessment_as_dict(a) for a in found]}

    @blp.arguments(AssessmentInSchema)
    @blp.response(201, AssessmentSchema)
    def post(self, values: dict[str, Any], patient_id: int) -> Any:
        """Record an examination: per leg MRC grades, reflexes and straight-leg raise."""
        assessment, _raised = assessments.add_assessment(me(), visible_patient(patient_id), values)
        return assessments.assessment_as_dict(assessment)
