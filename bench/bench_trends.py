"""Time diary_frame + weekly_trends on a synthetic caseload (run by hand, not a test).

    .venv/bin/python bench/bench_trends.py [--patients 1000] [--days 365] [--repeat 5]

Builds the raw entries as the database driver returns them (a list of row tuples, dates
as python dates, lists as JSON text, booleans as 0/1/None from SQLite), then times:
building the raw DataFrame from the tuples (stands in for the SQL read), diary_frame, and
weekly_trends(weeks=52). Goal: diary_frame + weekly_trends under 1 s for 1,000 × 365.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tracker.analytics.frames import BOOL_COLUMNS, LIST_COLUMNS, diary_frame
from tracker.analytics.trends import weekly_trends
from tracker.vocabulary import GAIT, RADIATION_LEVELS, REGIONS

COLUMNS = [
    "patient_id",
    "date",
    "leg_pain",
    "back_pain",
    "side",
    "radiation",
    "numbness",
    "tingling",
    "pain_quality",
    "aggravators",
    "medications",
    "heel_walk",
    "toe_walk",
    "foot_drop",
    "walking_aid",
    "bladder_or_bowel_change",
    "saddle_numbness",
    "exercises_done",
    "walking_minutes",
    "notes",
]


def caseload_rows(patients: int, days: int, seed: int = 7) -> list[tuple]:
    """patients × days entries as row tuples, about 15 % of answers left blank."""
    rng = np.random.default_rng(seed)
    n = patients * days
    start = dt.date(2025, 1, 1)
    dates = [start + dt.timedelta(days=i) for i in range(days)] * patients
    pid = np.repeat(np.arange(1, patients + 1), days).tolist()

    def maybe(values: np.ndarray, blank: float = 0.15) -> list:
        out = values.astype(object)
        out[rng.random(n) < blank] = None
        return out.tolist()

    def choice(options, blank: float = 0.15) -> list:
        return maybe(np.array(options, dtype=object)[rng.integers(0, len(options), n)], blank)

    region_lists = [
        json.dumps(list(rng.choice(REGIONS[:-1], k, replace=False)))
        for k in (0, 1, 1, 2, 3)
        for _ in range(6)
    ]
    flag = lambda p: maybe((rng.random(n) < p).astype(int))  # noqa: E731
    columns = [
        pid,
        dates,
        rng.integers(0, 11, n).tolist(),
        maybe(rng.integers(0, 11, n)),
        choice(["left", "right", "both"]),
        choice(RADIATION_LEVELS),
        choice(region_lists),
        choice(region_lists),
        choice(['["sharp"]', '["burning","shooting"]', "[]"]),
        choice(['["sitting"]', '["walking","bending"]', "[]"]),
        choice(['["nsaid"]', '["paracetamol","neuropathic"]', "[]"]),
        choice(GAIT),
        choice(GAIT),
        flag(0.05),
        flag(0.2),
        flag(0.001),
        flag(0.001),
        flag(0.6),
        maybe(rng.integers(0, 120, n)),
        choice(["", "bad night", None], blank=0.5),
    ]
    return list(zip(*columns, strict=True))


def timed(fn, repeat: int) -> tuple[float, float, object]:
    """(median wall seconds, median CPU seconds of this process, last result) over `repeat` runs.

    CPU time is reported too because a shared machine under load stretches wall time.
    """
    walls, cpus, result = [], [], None
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        result = fn()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus), result


def decoded(raw: pd.DataFrame) -> pd.DataFrame:
    """The same rows as a PostgreSQL driver gives them: lists decoded, booleans True/False/None."""
    lists = {name: raw[name].map(json.loads, na_action="ignore").astype(object) for name in LIST_COLUMNS}
    flags = {name: raw[name].map({1.0: True, 0.0: False}).astype(object) for name in BOOL_COLUMNS}
    return raw.assign(**lists, **flags)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=1000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--weeks", type=int, default=52)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    rows = caseload_rows(args.patients, args.days)
    end = dt.date(2025, 1, 1) + dt.timedelta(days=args.days - 1)
    *build, raw = timed(lambda: pd.DataFrame.from_records(rows, columns=COLUMNS), args.repeat)
    *frame, diary = timed(lambda: diary_frame(raw), args.repeat)
    *trends, table = timed(lambda: weekly_trends(diary, None, end, args.weeks), args.repeat)
    iso = raw.assign(date=raw["date"].map(dt.date.isoformat))
    *frame_iso, _ = timed(lambda: diary_frame(iso), args.repeat)
    postgres = decoded(raw)
    *frame_pg, _ = timed(lambda: diary_frame(postgres), args.repeat)
    total = [f + t for f, t in zip(frame, trends, strict=True)]

    print(f"{len(rows):,} entries ({args.patients} patients × {args.days} days), {len(table):,} weekly rows")
    print(f"median of {args.repeat} runs, ms            wall      cpu")
    show = lambda label, wall_cpu, note="": print(  # noqa: E731
        f"  {label:<31}{wall_cpu[0] * 1000:8.1f} {wall_cpu[1] * 1000:8.1f}   {note}"
    )
    show("raw DataFrame from tuples", build, "(stand-in for the SQL read)")
    show("diary_frame", frame, "(JSON text lists, 0/1 flags, date objects: SQLite)")
    show("  … with ISO-string dates", frame_iso)
    show("  … lists and flags decoded", frame_pg, "(PostgreSQL / SQLAlchemy JSON)")
    show(f"weekly_trends(weeks={args.weeks})", trends)
    show(
        "diary_frame + weekly_trends", total, "OK: goal < 1000 ms" if total[0] < 1 else "OVER: goal < 1000 ms"
    )
    print(f"  ratio to the raw build: {total[0] / build[0]:.2f}× wall, {total[1] / build[1]:.2f}× cpu")


if __name__ == "__main__":
    main()
