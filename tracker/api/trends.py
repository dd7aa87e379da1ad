"""Weekly trends: the patient's own and a linked patient's."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import RAISE

from tracker.analytics.trends import trends_records
from tracker.api.access import me, signed_in, visible_patient
from tracker.api.schemas import WeeksQuerySchema, WeeksSchema
from tracker.models import User
from tracker.services.weekly import weekly_trends_for

blp = Blueprint("trends", __name__, url_prefix="/api/v1", description="Weekly trends")


def _weeks(patient: User, weeks: int) -> dict[str, Any]:
    records = trends_records(weekly_trends_for([patient], weeks))
    for record in records:
        record.pop("patient_id", None)
    return {"weeks": records}


@blp.route("/me/trends/weekly")
class MyTrends(MethodView):
    decorators = [signed_in("patient")]

    @blp.arguments(WeeksQuerySchema, location="query", unknown=RAISE, as_kwargs=True)
    @blp.response(200, WeeksSchema)
    def get(self, weeks: int) -> Any:
        """The last `weeks` ISO weeks (default 12), oldest first."""
        return _weeks(me(), weeks)


@blp.route("/patients/<id:patient_id>/trends/weekly")
class PatientTrends(MethodView):
    decorators = [signed_in("clinician")]

    @blp.arguments(WeeksQuerySchema, location="query", unknown=RAISE, as_kwargs=True)
    @blp.response(200, WeeksSchema)
    def get(self, patient_id: int, weeks: int) -> Any:
        """A linked patient's last `weeks` ISO weeks (default 12), oldest first."""
        return _weeks(visible_patient(patient_id), weeks)
