"""The sciatica symptom diary backend."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from tracker.config import Config


class ConfigurationError(RuntimeError):
    """The deployment's settings are missing something it cannot run without."""


def create_app(config: Mapping[str, Any] | type | None = None) -> Flask:
    """Build the app: settings, extensions, API, error handling, operator commands."""
    app = Flask(__name__, instance_relative_config=True)
    register_config(app, config)
    register_extensions(app)
    register_api(app)
    register_commands(app)
    if app.config["PROXY_COUNT"]:
        count = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)  # type: ignore[method-assign]
    return app


def register_config(app: Flask, config: Mapping[str, Any] | type | None) -> None:
    app.config.from_object(Config)
    if isinstance(config, type):
        app.config.from_object(config)
    else:
        app.config.update(Config.from_environment())
        app.config.update(config or {})
    if not app.config.get("SECRET_KEY"):
        raise ConfigurationError(
            "SECRET_KEY is not set: refusing to start without a key to sign tokens "
            "(`make run` generates one into instance/ for local use)."
        )
    if len(app.config["SECRET_KEY"]) < 32:
        raise ConfigurationError("SECRET_KEY must be at least 32 characters (HS256 wants 256 bits).")
    app.config.setdefault("JWT_SECRET_KEY", app.config["SECRET_KEY"])
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        os.makedirs(app.instance_path, exist_ok=True)
        path = os.path.join(app.instance_path, "tracker.db")
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{path}"


def register_extensions(app: Flask) -> None:
    from tracker import models  # noqa: F401  (the models must be known to the metadata)
    from tracker.database import configure_engine
    from tracker.extensions import csrf, db, jwt, limiter, migrate
    from tracker.services.tokens import register_token_callbacks

    db.init_app(app)
    with app.app_context():
        configure_engine(db.engine)
    migrate.init_app(app, db, directory=os.path.join(os.path.dirname(__file__), "..", "migrations"),
                     render_as_batch=True, compare_type=True)
    jwt.init_app(app)
    register_token_callbacks(jwt)
    limiter.init_app(app)
    csrf.init_app(app)


def register_api(app: Flask) -> None:
    from tracker.api import alerts, auth, charts, exports, me, patients, trends
    from tracker.api.errors import register_error_handlers
    from tracker.api.routing import DayConverter, IdConverter
    from tracker.extensions import api, csrf
    from tracker.web import blp as web

    app.url_map.converters["day"] = DayConverter
    app.url_map.converters["id"] = IdConverter
    api.init_app(app)
    for blueprint in (auth.blp, me.blp, patients.blp, alerts.blp, trends.blp, exports.blp, charts.blp):
        # Bearer tokens, not cookies, authenticate the API: no CSRF token there.
        csrf.exempt(blueprint)
        api.register_blueprint(blueprint)
    app.register_blueprint(web)
    register_error_handlers(app)


def register_commands(app: Flask) -> None:
    from tracker.commands import commands

    for command in commands:
        app.cli.add_command(command)
