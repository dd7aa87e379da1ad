"""Time render_chart("pain") on a year of entries against a bare Figure (run by hand, not a test).

    .venv/bin/python bench/bench_charts.py [--days 365] [--repeat 15] [--fmt png] [--size 800x500]

The bare Figure draws the same leg pain points and their 7-day rolling mean at the same size
and dpi, with matplotlib's defaults and no title, labels, legend or layout engine: the floor for
drawing those points. Goal: render_chart("pain") of the diary within 1.5× of it. The same chart
with 3 events and 3 alerts is timed too (their labels and legend entries are extra text, the
costliest thing matplotlib draws). The runs take turns; wall and CPU medians and the CPU
minimum are printed (a shared machine under load stretches wall time; the CPU figures, and
the minimum most, are the steadier ones).
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tracker.analytics.charts import DPI, render_chart
from tracker.analytics.frames import diary_frame
from tracker.vocabulary import RADIATION_LEVELS

START = dt.date(2025, 1, 1)


def year_of_entries(days: int, seed: int = 11) -> pd.DataFrame:
    """One patient's diary: about 90 % of days logged, slowly improving pain, a few events and alerts."""
    rng = np.random.default_rng(seed)
    logged = np.flatnonzero(rng.random(days) < 0.9)
    trend = 7 - 4 * logged / days
    raw = pd.DataFrame(
        {
            "patient_id": 1,
            "date": [START + dt.timedelta(days=int(i)) for i in logged],
            "leg_pain": np.clip(np.round(trend + rng.normal(0, 1.2, len(logged))), 0, 10).astype(int),
            "back_pain": np.clip(np.round(trend - 2 + rng.normal(0, 1.2, len(logged))), 0, 10).astype(int),
            "radiation": np.array(RADIATION_LEVELS)[rng.integers(0, 6, len(logged))],
            "walking_minutes": rng.integers(5, 90, len(logged)),
        }
    )
    return diary_frame(raw)


def timed(fns: dict[str, Callable[[], bytes]], repeat: int) -> dict[str, tuple[float, float, float]]:
    """Per function: median wall, median CPU and minimum CPU seconds over `repeat` runs.

    The functions take turns (after a warm-up run each), so load from other processes
    falls on all of them alike.
    """
    for fn in fns.values():
        fn()
    walls: dict[str, list[float]] = {name: [] for name in fns}
    cpus: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(repeat):
        for name, fn in fns.items():
            wall, cpu = time.perf_counter(), time.process_time()
            fn()
            walls[name].append(time.perf_counter() - wall)
            cpus[name].append(time.process_time() - cpu)
    return {
        name: (statistics.median(walls[name]), statistics.median(cpus[name]), min(cpus[name]))
        for name in fns
    }


def bare_figure(diary: pd.DataFrame, width: int, height: int, fmt: str) -> bytes:
    """The same leg pain points and 7-day rolling mean on a bare Figure, saved the same way."""
    daily = diary.set_index("date")["leg_pain"].astype("float64").asfreq("D")
    rolling = daily.rolling(7, min_periods=4).mean()
    figure = Figure(figsize=(width / DPI, height / DPI), dpi=DPI)
    ax = figure.add_subplot()
    ax.plot(diary["date"].to_numpy(), diary["leg_pain"].to_numpy(dtype="float64"), "o")
    ax.plot(rolling.index.to_numpy(), rolling.to_numpy())
    buffer = io.BytesIO()
    figure.savefig(buffer, format=fmt, dpi=DPI)
    return buffer.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--fmt", choices=("png", "svg"), default="png")
    parser.add_argument("--size", default="800x500")
    args = parser.parse_args()
    width, height = (int(v) for v in args.size.split("x"))

    diary = year_of_entries(args.days)
    end = START + dt.timedelta(days=args.days - 1)
    day = lambda i: START + dt.timedelta(days=i)  # noqa: E731
    events = pd.DataFrame({"date": [day(30), day(120), day(200)],
                           "kind": ["physiotherapy_start", "epidural_injection", "medication_change"]})
    alerts = pd.DataFrame({"raised_on": [day(60), day(61), day(250)],
                           "severity": ["warning", "urgent", "warning"],
                           "rule": ["pain_worsening", "new_foot_drop", "walking_decline"]})

    def chart(**extras: pd.DataFrame) -> Callable[[], bytes]:
        return lambda: render_chart("pain", diary, **extras, start=START, end=end, fmt=args.fmt,
                                    width=width, height=height)

    times = timed(
        {
            "bare Figure": lambda: bare_figure(diary, width, height, args.fmt),
            'render_chart("pain")': chart(),
            "  + 3 events, 3 alerts": chart(events=events, alerts=alerts),
        },
        args.repeat,
    )
    bare = times["bare Figure"]
    print(f"{len(diary)} entries over {args.days} days, {args.fmt} {width}×{height}, "
          f"{args.repeat} runs each, taking turns")
    print(f"  {'':<24}{'wall ms':>9}{'cpu ms':>9}{'cpu min':>9}   ratio to bare (cpu median, cpu min)")
    for label, (wall, cpu, cpu_min) in times.items():
        ratio = "" if label == "bare Figure" else f"   {cpu / bare[1]:.2f}×, {cpu_min / bare[2]:.2f}×"
        print(f"  {label:<24}{wall * 1000:9.1f}{cpu * 1000:9.1f}{cpu_min * 1000:9.1f}{ratio}")
    ours = times['render_chart("pain")']
    verdict = "OK" if ours[1] / bare[1] <= 1.5 else "OVER"
    print(f'{verdict}: goal render_chart("pain") ≤ 1.5× the bare Figure (cpu median)')


if __name__ == "__main__":
    main()
