"""Charts (PNG or SVG) for the patient and a linked clinician, and the physio's PDF report."""

from __future__ import annotations

from datetime import date

from flask import Response, request
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import RAISE

from tracker.api.access import me, signed_in, visible_patient
from tracker.api.schemas import ChartQuerySchema
from tracker.models import User
from tracker.services import charts

blp = Blueprint("charts", __name__, url_prefix="/api/v1", description="Charts and reports")

KIND = "<any(pain, radiation, walking, numbness, weekly):kind>.<any(png, svg):fmt>"
IMAGE = {"200": {"description": "The chart.", "content": {
    "image/png": {"schema": {"type": "string", "format": "binary"}},
    "image/svg+xml": {"schema": {"type": "string"}}}},
    "304": {"description": "Not modified: the ETag sent in If-None-Match is current."}}


def chart_response(patient: User, kind: str, fmt: str, query: dict) -> Response:
    """The chart, or 304 when the client's ETag matches the data; private, revalidated each time."""
    period = charts.chart_period(patient, query.get("from_"), query.get("to"), query.get("days"))
    known = frozenset(f'"{tag}"' for tag in request.if_none_match.as_set())
    drawn = charts.chart(patient, kind, fmt, period, query["width"], query["height"], known)
    response = Response(drawn.body or b"", status=200 if drawn.body is not None else 304,
                        mimetype=drawn.media_type)
    response.headers["ETag"] = drawn.etag
    response.headers["Cache-Control"] = "private, no-cache"
    return response


@blp.route(f"/me/charts/{KIND}")
class MyChart(MethodView):
    decorators = [signed_in("patient")]

    @blp.arguments(ChartQuerySchema, location="query", unknown=RAISE)
    @blp.doc(responses=IMAGE)
    def get(self, query: dict, kind: str, fmt: str) -> Response:
        """One of the patient's charts: pain, radiation, walking, numbness or weekly."""
        return chart_response(me(), kind, fmt, query)


@blp.route(f"/patients/<id:patient_id>/charts/{KIND}")
class PatientChart(MethodView):
    decorators = [signed_in("clinician")]

    @blp.arguments(ChartQuerySchema, location="query", unknown=RAISE)
    @blp.doc(responses=IMAGE)
    def get(self, query: dict, patient_id: int, kind: str, fmt: str) -> Response:
        """One of a linked patient's charts."""
        return chart_response(visible_patient(patient_id), kind, fmt, query)


@blp.route("/patients/<id:patient_id>/report.pdf")
class Report(MethodView):
    decorators = [signed_in("clinician")]

    @blp.doc(responses={"200": {"description": "A printable A4 PDF.",
                                "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}}})
    def get(self, patient_id: int) -> Response:
        """The printable weekly report: summary, open alerts, 12 weeks of trends, charts, assessments."""
        patient = visible_patient(patient_id)
        response = Response(charts.report(patient), mimetype="application/pdf")
        stamp = date.today().isoformat()
        response.headers["Content-Disposition"] = f'inline; filename="report-{patient.id}-{stamp}.pdf"'
        response.headers["Cache-Control"] = "private, no-store"
        return response
