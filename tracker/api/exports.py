"""The patient's exports: CSV and FHIR R4."""

from __future__ import annotations

import json

from flask import Response, request
from flask.views import MethodView
from flask_smorest import Blueprint

from tracker.api.access import me, signed_in
from tracker.services import exports

blp = Blueprint("exports", __name__, url_prefix="/api/v1/me", description="The patient's own data, exported")


@blp.route("/export.csv")
class CsvExport(MethodView):
    decorators = [signed_in("patient")]

    @blp.doc(responses={"200": {"description": "One row per entry, every field.",
                                "content": {"text/csv": {"schema": {"type": "string"}}}}})
    def get(self) -> Response:
        """All diary entries as CSV (lists joined with ';', unanswered cells empty)."""
        response = Response(exports.csv_export(me()), mimetype="text/csv")
        response.headers["Content-Disposition"] = 'attachment; filename="sciatica-diary.csv"'
        response.headers["Cache-Control"] = "private, no-store"
        return response


@blp.route("/export/fhir")
class FhirExport(MethodView):
    decorators = [signed_in("patient")]

    @blp.doc(responses={"200": {"description": "A FHIR R4 Bundle of type collection.",
                                "content": {"application/fhir+json": {"schema": {"type": "object"}}}}})
    def get(self) -> Response:
        """All data as a FHIR R4 Bundle: Observations, QuestionnaireResponses, Flags."""
        bundle = exports.fhir_export(me(), request.host_url.rstrip("/"))
        response = Response(json.dumps(bundle), mimetype="application/fhir+json")
        response.headers["Cache-Control"] = "private, no-store"
        return response
