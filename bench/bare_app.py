"""The baseline for bench_write.py: a bare Flask + SQLAlchemy upsert of the same body,
with none of tracker's authentication, validation or escalation."""

from __future__ import annotations

import os
from datetime import date

from flask import Flask, request
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import JSON, Date, UniqueConstraint, event, select
from sqlalchemy.orm import Mapped, mapped_column

db = SQLAlchemy()


class BareEntry(db.Model):
    __tablename__ = "bare_entries"
    __table_args__ = (UniqueConstraint("patient_id", "date"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int]
    date: Mapped[date] = mapped_column(Date)
    body: Mapped[dict] = mapped_column(JSON)


app = Flask(__name__)
app.config["SQLALCHEMY_DATABASE_URI"] = os.environ["BARE_DATABASE_URL"]
db.init_app(app)
with app.app_context():
    if db.engine.dialect.name == "sqlite":
        # The same SQLite settings tracker uses, so the comparison is of the app, not the database.
        @event.listens_for(db.engine, "connect")
        def _pragmas(dbapi_connection, _record):  # type: ignore[no-untyped-def]
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA busy_timeout = 15000")
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
            cursor.close()
    db.create_all()


@app.put("/api/v1/me/entries/<day>")
def put_entry(day: str):  # type: ignore[no-untyped-def]
    body = request.get_json()
    when = date.fromisoformat(day)
    entry = db.session.scalar(select(BareEntry).where(BareEntry.patient_id == 1, BareEntry.date == when))
    created = entry is None
    if created:
        entry = BareEntry(patient_id=1, date=when, body=body)
        db.session.add(entry)
    else:
        entry.body = body
    db.session.commit()
    return {"date": day, **body}, 201 if created else 200
