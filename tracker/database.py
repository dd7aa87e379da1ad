"""Engine set-up per dialect and the one way a request writes: a single transaction.

SQLite serves one small clinic: WAL lets readers run beside the writer,
``synchronous=NORMAL`` is durable in WAL mode, a busy timeout queues writers
instead of failing them, and writing transactions begin IMMEDIATE so that two
workers never both read-then-upgrade and deadlock (SQLite would answer BUSY at once).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine

from tracker.extensions import db

_begin_immediate: ContextVar[bool] = ContextVar("begin_immediate", default=False)

SQLITE_BUSY_TIMEOUT_MS = 15_000


def configure_engine(engine: Engine) -> None:
    """Install the SQLite pragmas and transaction control; other dialects need nothing."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, decide when a transaction begins.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE" if _begin_immediate.get() else "BEGIN")


@contextmanager
def writing() -> Iterator[None]:
    """One write transaction: ends any read the request began, commits once, rolls back on error."""
    session = db.session()
    if session.in_transaction():
        # Reads done so far (the signed-in user, say) hold no changes; end them so the
        # write starts from a fresh snapshot and, on SQLite, takes the write lock first.
        session.commit()
    token = _begin_immediate.set(True)
    try:
        session.begin()
        try:
            yield
            session.commit()
        except BaseException:
            session.rollback()
            raise
    finally:
        _begin_immediate.reset(token)
