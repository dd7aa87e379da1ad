"""Charts and the physio report for one patient, drawn from what the database holds."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select

from tracker.analytics import charts as drawing
from tracker.analytics.frames import diary_frame
from tracker.analytics.report import physio_report
from tracker.errors import TrackerError
from tracker.extensions import db
from tracker.models import Alert, Event, OdiResponse, User
from tracker.services.assessments import assessment_as_dict, list_assessments
from tracker.services.diary import local_today
from tracker.services.frames import diary_rows, read_frame
from tracker.services.weekly import weekly_trends_for

DEFAULT_DAYS = 90
MAX_DAYS = 730
REPORT_WEEKS = 12


class ChartRequestError(TrackerError):
    """A chart asked for beyond the server's bounds (size, period)."""

    status = 400


@dataclass(frozen=True)
class Period:
    start: date
    end: date


def chart_period(patient: User, start: date | None, end: date | None, days: int | None) -> Period:
    """`from`/`to`, or the last `days` days; by default the last 90 days up to today."""
    if days is not None and (start is not None or end is not None):
        raise ChartRequestError("Give either days or from/to, not both.", {"days": ["Not with from/to."]})
    end = end or local_today(patient)
    start = start or end - timedelta(days=(days or DEFAULT_DAYS) - 1)
    if start > end:
        raise ChartRequestError("'to' must not be before 'from'.", {"to": ["Must not be before 'from'."]})
    if (end - start).days + 1 > MAX_DAYS:
        raise ChartRequestError(f"A chart covers at most {MAX_DAYS} days.", {"to": [f"At most {MAX_DAYS} days."]})
    return Period(start, end)


def _inputs(patient: User, period: Period) -> dict[str, Any]:
    # A week's margin on either side: the weekly kinds draw whole ISO weeks.
    first, last = period.start - timedelta(days=7), period.end + timedelta(days=7)
    return {
        "diary": diary_frame(diary_rows([patient.id], first, last)),
        "events": read_frame(select(Event.date, Event.kind).where(
            Event.patient_id == patient.id, Event.date.between(first, last)).order_by(Event.date, Event.id)),
        "alerts": read_frame(select(Alert.raised_on, Alert.severity, Alert.rule).where(
            Alert.patient_id == patient.id, Alert.raised_on.between(first, last)).order_by(Alert.id)),
        "odi": read_frame(select(OdiResponse.date, OdiResponse.score).where(
            OdiResponse.patient_id == patient.id, OdiResponse.date.between(first, last))
            .order_by(OdiResponse.date)),
    }


@dataclass(frozen=True)
class Chart:
    etag: str
    media_type: str
    body: bytes | None  # None: the client's copy (If-None-Match) is current


def chart(patient: User, kind: str, fmt: str, period: Period, width: int, height: int,
          known_etags: frozenset[str] = frozenset()) -> Chart:
    """Render a chart, unless the ETag of its data is one the client already holds."""
    try:
        drawing.validate_size(width, height)
    except drawing.ChartSizeError as error:
        raise ChartRequestError(str(error), {
            "width": [f"From {drawing.MIN_WIDTH} to {drawing.MAX_WIDTH} pixels."],
            "height": [f"From {drawing.MIN_HEIGHT} to {drawing.MAX_HEIGHT} pixels."],
        }) from None
    options = {**_inputs(patient, period), "start": period.start, "end": period.end, "fmt": fmt,
               "width": width, "height": height, "today": local_today(patient)}
    etag = drawing.chart_etag(kind, **options)
    body = None if etag in known_etags else drawing.render_chart(kind, **options)
    return Chart(etag, drawing.MEDIA_TYPES[fmt], body)


def report(patient: User) -> bytes:
    """The printable PDF: summary and open alerts, 12 weeks of trends, charts, assessments."""
    today = local_today(patient)
    period = Period(today - timedelta(weeks=REPORT_WEEKS) + timedelta(days=1), today)
    inputs = _inputs(patient, period)
    alerts = db.session.scalars(select(Alert).where(Alert.patient_id == patient.id).order_by(Alert.id))
    return physio_report(
        {"id": patient.id, "display_name": patient.display_name, "timezone": patient.timezone},
        inputs["diary"],
        events=inputs["events"],
        alerts=[{"rule": a.rule, "severity": a.severity, "status": a.status, "raised_on": a.raised_on,
                 "message": a.message} for a in alerts],
        trends=weekly_trends_for([patient], REPORT_WEEKS),
        assessments=[assessment_as_dict(a) for a in list_assessments(patient, None, None)],
        odi=inputs["odi"],
        today=today,
    )
