"""The web pages. Views only: every rule lives in the services, as for the API."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, session, url_for
from sqlalchemy import select
from werkzeug.wrappers import Response

from tracker.analytics.trends import trends_records
from tracker.api.charts import chart_response
from tracker.errors import Conflict, NotFound, Unauthorized
from tracker.extensions import db, limiter
from tracker.models import AuthSession, User
from tracker.services import accounts, alerts, caseload, charts, sharing, tokens
from tracker.services.weekly import weekly_trends_for
from tracker.vocabulary import RADIATION_LEVELS

blp = Blueprint("web", __name__, template_folder="templates", static_folder="static",
                static_url_path="/static/web")

WEEKS_SHOWN = 12


@blp.app_template_global()
def radiation_label(level: float | None) -> str:
    """A radiation level 0–5 as the body level it reaches."""
    return "–" if level is None else RADIATION_LEVELS[int(level)].replace("foot", "foot / toes")


@blp.before_app_request
def _load_web_user() -> None:
    g.web_user = None
    if "sid" in session:
        g.web_user = db.session.scalar(
            select(User).join(AuthSession, AuthSession.user_id == User.id)
            .where(AuthSession.id == session["sid"], AuthSession.revoked_at.is_(None))
        )
        if g.web_user is None:
            session.clear()


def page_for(role: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Signed in with this role: else to the sign-in page, or 403 for the other role."""

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if g.web_user is None:
                return redirect(url_for("web.login", next=request.path))
            if g.web_user.role != role:
                abort(403)
            return view(*args, **kwargs)

        return wrapper

    return decorator


def _weeks(patient: User) -> list[dict[str, Any]]:
    return trends_records(weekly_trends_for([patient], WEEKS_SHOWN))


@blp.get("/")
def home() -> Response:
    if g.web_user is None:
        return redirect(url_for("web.login"))
    return redirect(url_for("web.dashboard" if g.web_user.role == "clinician" else "web.progress"))


@blp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
def login() -> Any:
    if request.method == "GET":
        return render_template("login.html", email=None, error=None)
    email = request.form.get("email", "")[:254]
    try:
        user = accounts.authenticate(email, request.form.get("password", "")[:128])
    except Unauthorized as refusal:
        return render_template("login.html", email=email, error=refusal.detail), 401
    session.clear()
    session["sid"] = tokens.open_session(user)
    session.permanent = True
    target = request.args.get("next", "")
    # Only a path on this site: never an open redirect.
    if not target.startswith("/") or target.startswith("//"):
        target = url_for("web.home")
    return redirect(target)


@blp.post("/logout")
def logout() -> Response:
    if "sid" in session:
        tokens.sign_out(session["sid"])
    session.clear()
    return redirect(url_for("web.login"))


@blp.get("/progress")
@page_for("patient")
def progress() -> str:
    patient = g.web_user
    return render_template(
        "progress.html",
        alerts=alerts.patient_alerts(patient, "open") + alerts.patient_alerts(patient, "acknowledged"),
        weeks=_weeks(patient),
        clinicians=[c for c, _ in sharing.linked_clinicians(patient)],
        share_code=session.pop("share_code", None),
        chart_url=lambda kind: url_for("web.my_chart", kind=kind),
    )


@blp.post("/progress/share-code")
@page_for("patient")
def share_code() -> Response:
    code, expires_at = sharing.create_share_code(g.web_user)
    session["share_code"] = {"code": code, "expires_at": expires_at.strftime("%H:%M UTC on %d %b %Y")}
    return redirect(url_for("web.progress"))


@blp.get("/dashboard")
@page_for("clinician")
def dashboard() -> str:
    patients = caseload.caseload(g.web_user)
    sharing.record_access(g.web_user, [p["id"] for p in patients], "read", request.method, request.path)
    return render_template("dashboard.html", patients=patients)


def _patient(patient_id: int) -> User:
    try:
        patient = sharing.patient_visible_to(g.web_user, patient_id)
    except NotFound:
        abort(404)
    sharing.record_access(g.web_user, [patient.id], "read", request.method, request.full_path.rstrip("?"))
    return patient


@blp.get("/dashboard/patients/<id:patient_id>")
@page_for("clinician")
def patient(patient_id: int) -> str:
    person = _patient(patient_id)
    active = [a for a in alerts.patient_alerts(person) if a.status != "resolved"]
    return render_template(
        "patient.html",
        patient=person,
        alerts=active,
        weeks=_weeks(person),
        chart_url=lambda kind: url_for("web.patient_chart", patient_id=person.id, kind=kind),
    )


@blp.post("/dashboard/alerts/<id:alert_id>/<any(acknowledge, resolve):action>")
@page_for("clinician")
def alert_action(alert_id: int, action: str) -> Response:
    note = (request.form.get("note") or "").strip()[:2000] or None
    act = alerts.acknowledge if action == "acknowledge" else alerts.resolve
    try:
        alert = act(g.web_user, alert_id, note)
    except NotFound:
        abort(404)
    except Conflict as conflict:
        flash(conflict.detail, "error")
        return redirect(request.referrer or url_for("web.dashboard"))
    flash(f"Alert {action}d.", "info")
    return redirect(url_for("web.patient", patient_id=alert.patient_id) + f"#alert-{alert.id}")


def _chart(patient: User, kind: str) -> Response:
    return chart_response(patient, kind, "png", {"width": 800, "height": 500})


CHART_KIND = "<any(pain, radiation, walking, numbness, weekly):kind>"


@blp.get(f"/progress/charts/{CHART_KIND}.png")
@page_for("patient")
def my_chart(kind: str) -> Response:
    return _chart(g.web_user, kind)


@blp.get(f"/dashboard/patients/<id:patient_id>/charts/{CHART_KIND}.png")
@page_for("clinician")
def patient_chart(patient_id: int, kind: str) -> Response:
    return _chart(_patient(patient_id), kind)


@blp.get("/dashboard/patients/<id:patient_id>/report.pdf")
@page_for("clinician")
def report(patient_id: int) -> Response:
    response = Response(charts.report(_patient(patient_id)), mimetype="application/pdf")
    response.headers["Cache-Control"] = "private, no-store"
    return response
