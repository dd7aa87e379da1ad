"""`flask db upgrade` from an empty database builds exactly the schema the models describe."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from tests.conftest import _drop_postgres_database, _postgres_database, _worker
from tracker import create_app
from tracker.config import TestConfig
from tracker.extensions import db


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database(request: pytest.FixtureRequest, tmp_path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrated.db'}"
    else:
        url = _postgres_database(f"tracker_migrate_{_worker(request)}")
        yield url
        _drop_postgres_database(url)


def test_upgrade_from_empty_matches_the_models(empty_database: str) -> None:
    app = create_app({**TestConfig.settings(), "SQLALCHEMY_DATABASE_URI": empty_database})
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            differences = compare_metadata(MigrationContext.configure(conn), db.metadata)
            tables = set(sa.inspect(conn).get_table_names())
        assert differences == []
        assert {"users", "entries", "alerts", "outbox_deliveries", "audit_events"} <= tables
        downgrade(revision="base")
        with db.engine.connect() as conn:
            assert set(sa.inspect(conn).get_table_names()) <= {"alembic_version"}
        db.engine.dispose()


def test_database_refuses_out_of_range_values(empty_database: str) -> None:
    """The constraints live in the database too, not only in the API's schemas."""
    app = create_app({**TestConfig.settings(), "SQLALCHEMY_DATABASE_URI": empty_database})
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            conn.execute(sa.text(
                "INSERT INTO users (email, password_hash, role, display_name, timezone, created_at) "
                "VALUES ('a@b.c', 'x', 'patient', 'A', 'UTC', CURRENT_TIMESTAMP)"))
            bad_rows = [
                "leg_pain, recorded_at, received_at) VALUES (1, '2026-01-01', 11, ",
                "leg_pain, side, recorded_at, received_at) VALUES (1, '2026-01-02', 3, 'up', ",
                "leg_pain, walking_minutes, recorded_at, received_at) VALUES (1, '2026-01-03', 3, 601, ",
            ]
            for columns in bad_rows:
                with pytest.raises(sa.exc.IntegrityError):
                    with conn.begin_nested():
                        conn.execute(sa.text(
                            f"INSERT INTO entries (patient_id, date, {columns}CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"))
            conn.rollback()
        db.engine.dispose()
