"""Time the escalation evaluation of one diary write (run by hand, not a test).

    .venv/bin/python bench/bench_evaluation.py [--repeat 2000] [--read] [--postgres]

A synthetic 35-day diary (one patient, one entry a day) given as the database driver
returns it: python dates, decoded JSON lists, True/False/None, None for unanswered.
Times, per call: diary_frame, evaluate_entry_rules, positive_signs, and what
after_entry_write runs (diary_frame + evaluate_entry), read-free; for three diaries: a
steady one (nothing fires), a worsening one (five findings) and an improving one (two
positive signs). With --read, also the service's read of that window on a scratch SQLite
database (or, with --postgres, a scratch database on 127.0.0.1:5432, dropped after).
Goal: read + frame + rules + signs about 2 ms per write.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tracker.analytics.frames import diary_frame
from tracker.analytics.rules import ENTRY_RULE_FIELDS, evaluate_entry_rules
from tracker.analytics.signs import evaluate_entry, positive_signs
from tracker.models import ENTRY_FIELDS

DAY = dt.date(2026, 3, 31)
DAYS = 35
POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/"


def entry(i: int, kind: str) -> dict[str, Any]:
    """Day i (0 = the oldest) of a steady, worsening or improving L5 sciatica."""
    late = i >= DAYS - 7  # the last week changes
    pain = 4 + i % 2
    if kind == "worsening" and late:
        pain = 8 + i % 2
    if kind == "improving" and late:
        pain = 1 + i % 2
    radiation = {"worsening": "foot", "improving": "buttock"}.get(kind, "calf") if late else "calf"
    numbness = ["outer_calf", "big_toe"] if kind == "worsening" and i >= DAYS - 2 else ["outer_calf"]
    return {
        "leg_pain": pain,
        "back_pain": 3 if i % 5 else None,
        "side": "both" if kind == "worsening" and i == DAYS - 1 else "left",
        "radiation": radiation,
        "numbness": numbness,
        "tingling": [] if i % 4 else None,
        "pain_quality": ["shooting"],
        "aggravators": ["sitting", "bending"],
        "heel_walk": "normal",
        "toe_walk": "unable" if kind == "worsening" and i == DAYS - 1 else "normal",
        "foot_drop": False,
        "walking_minutes": 10 if kind == "worsening" and late else 40 + i % 3,
        "walking_aid": None,
        "bladder_or_bowel_change": False,
        "saddle_numbness": None if i % 7 else False,
        "medications": ["nsaid"],
        "exercises_done": bool(i % 2),
        "notes": "Worse after the drive to work." if i % 3 else None,
    }


def diary_entries(kind: str) -> list[tuple[dt.date, dict[str, Any]]]:
    return [(DAY - dt.timedelta(days=DAYS - 1 - i), entry(i, kind)) for i in range(DAYS)]


def columns(entries: list[tuple[dt.date, dict[str, Any]]], fields: tuple[str, ...]) -> dict[str, tuple]:
    """The columns `diary_columns` returns for these entries."""
    return {
        "patient_id": (1,) * len(entries),
        "date": tuple(day for day, _ in entries),
        **{name: tuple(answers[name] for _, answers in entries) for name in fields},
    }


def timed(fn: Callable[[], Any], repeat: int, rounds: int = 5) -> tuple[float, float]:
    """(wall ms, CPU ms) per call: the median of each of `rounds` rounds of repeat/rounds calls,
    best round kept (a shared machine's busy moments stretch some rounds, never shorten one)."""
    fn()
    best: tuple[float, float] | None = None
    for _ in range(rounds):
        walls, cpus = [], []
        for _ in range(max(repeat // rounds, 1)):
            wall, cpu = time.perf_counter(), time.process_time()
            fn()
            walls.append(time.perf_counter() - wall)
            cpus.append(time.process_time() - cpu)
        median = (statistics.median(walls) * 1000, statistics.median(cpus) * 1000)
        best = median if best is None or median[0] < best[0] else best
    assert best is not None
    return best


def show(label: str, wall_cpu: tuple[float, float], note: str = "") -> None:
    print(f"  {label:<44}{wall_cpu[0]:8.3f} {wall_cpu[1]:8.3f}   {note}")


def warm_up(seconds: float = 1.0) -> None:
    """Run the whole path for a while first: the first calls pay for allocation and clock ramp-up."""
    every = columns(diary_entries("worsening"), ENTRY_FIELDS)
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        evaluate_entry(diary_frame(every), DAY)
        positive_signs(diary_frame(every), DAY)


def bench_analytics(repeat: int) -> None:
    warm_up()
    print(f"{DAYS}-row diary, read-free; best of 5 medians of {repeat // 5} calls, ms      wall      cpu")
    for kind in ("steady", "worsening", "improving"):
        bench_diary(kind, repeat)


def bench_diary(kind: str, repeat: int) -> None:
    entries = diary_entries(kind)
    every, rule_fields = columns(entries, ENTRY_FIELDS), columns(entries, ENTRY_RULE_FIELDS)
    diary = diary_frame(rule_fields)
    findings, signs = evaluate_entry(diary, DAY)
    print(f"{kind}: findings {[f.rule for f in findings]}, signs {[s['sign'] for s in signs]}")
    show("diary_frame (every field)", timed(lambda: diary_frame(every), repeat))
    show("diary_frame (ENTRY_RULE_FIELDS)", timed(lambda: diary_frame(rule_fields), repeat),
         "what after_entry_write builds")
    show("evaluate_entry_rules", timed(lambda: evaluate_entry_rules(diary, DAY), repeat))
    show("positive_signs", timed(lambda: positive_signs(diary, DAY), repeat))
    show("evaluate_entry (rules + signs, one window)", timed(lambda: evaluate_entry(diary, DAY), repeat))
    show("per write: diary_frame + evaluate_entry",
         timed(lambda: evaluate_entry(diary_frame(rule_fields), DAY), repeat), "read-free")


def bench_read(repeat: int, postgres: bool) -> None:
    from tracker import create_app
    from tracker.config import TestConfig
    from tracker.extensions import db
    from tracker.models import Entry, User
    from tracker.services.frames import diary_columns, diary_rows

    workdir = tempfile.mkdtemp(prefix="bench-evaluation-")
    name = f"bench_evaluation_{os.getpid()}"
    if postgres:
        admin = ["psql", "-q", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-c"]
        subprocess.run([*admin, f'CREATE DATABASE "{name}"'], check=True)
        url = POSTGRES + name
    else:
        url = f"sqlite:///{workdir}/tracker.db"
    app = create_app({**TestConfig.settings(), "SQLALCHEMY_DATABASE_URI": url})
    try:
        with app.app_context():
            db.create_all()
            patient = User(email="bench@example.org", password_hash="-", role="patient",
                           display_name="Bench", timezone="UTC")
            db.session.add(patient)
            db.session.flush()
            now = dt.datetime.now(dt.UTC)
            db.session.add_all(
                Entry(patient_id=patient.id, date=day, recorded_at=now, **answers)
                for day, answers in diary_entries("steady")
            )
            db.session.commit()
            start = DAY - dt.timedelta(days=DAYS)
            print(f"read of the {DAYS}-day window, {'PostgreSQL' if postgres else 'SQLite'}; ms"
                  "                wall      cpu")
            show("pd.read_sql (diary_rows), before", timed(lambda: diary_rows([patient.id], start, DAY), repeat))
            show("diary_columns, every field",
                 timed(lambda: diary_columns(patient.id, start, DAY), repeat))
            show("diary_columns, ENTRY_RULE_FIELDS",
                 timed(lambda: diary_columns(patient.id, start, DAY, ENTRY_RULE_FIELDS), repeat),
                 "what after_entry_write reads")
            show("read + frame + rules + signs", timed(lambda: evaluate_entry(
                diary_frame(diary_columns(patient.id, start, DAY, ENTRY_RULE_FIELDS)), DAY), repeat),
                "per write")
            db.session.rollback()
            db.engine.dispose()
    finally:
        if postgres:
            subprocess.run([*admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'], check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=2000)
    parser.add_argument("--read", action="store_true", help="also time the read on a scratch database")
    parser.add_argument("--postgres", action="store_true", help="read from PostgreSQL on 127.0.0.1:5432")
    args = parser.parse_args()
    gc.collect()
    bench_analytics(args.repeat)
    if args.read or args.postgres:
        bench_read(max(args.repeat // 4, 100), args.postgres)


if __name__ == "__main__":
    main()
