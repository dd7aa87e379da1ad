"""Alerts: the patient's own, a linked patient's, the caseload's, and a clinician's actions."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import RAISE

from tracker.api.access import audit_read, me, signed_in, visible_patient
from tracker.api.schemas import AlertActionSchema, AlertSchema, AlertStatusQuerySchema, list_of
from tracker.services import alerts

blp = Blueprint("alerts", __name__, url_prefix="/api/v1", description="Escalation alerts")

clinician_only = signed_in("clinician")


@blp.route("/me/alerts")
class MyAlerts(MethodView):
    decorators = [signed_in("patient")]

    @blp.arguments(AlertStatusQuerySchema, location="query", unknown=RAISE, as_kwargs=True)
    @blp.response(200, list_of(AlertSchema))
    def get(self, status: str | None = None) -> Any:
        """The patient's alerts with the advice for them, worst first."""
        return {"items": alerts.patient_alerts(me(), status)}


@blp.route("/patients/<id:patient_id>/alerts")
class PatientAlerts(MethodView):
    decorators = [clinician_only]

    @blp.arguments(AlertStatusQuerySchema, location="query", unknown=RAISE, as_kwargs=True)
    @blp.response(200, list_of(AlertSchema))
    def get(self, patient_id: int, status: str | None = None) -> Any:
        """A linked patient's alerts, worst first."""
        return {"items": alerts.patient_alerts(visible_patient(patient_id), status)}


@blp.route("/alerts")
class CaseloadAlerts(MethodView):
    decorators = [clinician_only]

    @blp.arguments(AlertStatusQuerySchema, location="query", unknown=RAISE, as_kwargs=True)
    @blp.response(200, list_of(AlertSchema))
    def get(self, status: str = "open") -> Any:
        """Alerts across the caseload (default: open ones), worst first."""
        found = alerts.caseload_alerts(me(), status)
        audit_read([alert.patient_id for alert in found])
        return {"items": found}


@blp.route("/alerts/<id:alert_id>/acknowledge")
class Acknowledge(MethodView):
    decorators = [clinician_only]

    @blp.arguments(AlertActionSchema)
    @blp.response(200, AlertSchema)
    def post(self, body: dict[str, Any], alert_id: int) -> Any:
        """Acknowledge an open alert, with an optional note."""
        return alerts.acknowledge(me(), alert_id, body.get("note"))


@blp.route("/alerts/<id:alert_id>/resolve")
class Resolve(MethodView):
    decorators = [clinician_only]

    @blp.arguments(AlertActionSchema)
    @blp.response(200, AlertSchema)
    def post(self, body: dict[str, Any], alert_id: int) -> Any:
        """Resolve an open or acknowledged alert, with an optional note."""
        return alerts.resolve(me(), alert_id, body.get("note"))
