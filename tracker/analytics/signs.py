"""Positive signs (PRODUCT.md "Escalation rules", last paragraph): reported, never alerts.

Also the evaluation of a diary write as a whole (`evaluate_entry`): the diary rules and
the positive signs read one window prepared once.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, NamedTuple

import pandas as pd

from tracker.analytics.rules import (
    EPSILON,
    PAIN_MCID,
    EntryWindow,
    Finding,
    entry_findings,
    entry_window,
    json_safe,
    radiation_label,
)


class EntryEvaluation(NamedTuple):
    """What a diary write raises: findings for alerts, most severe first, and positive signs."""

    findings: list[Finding]
    signs: list[dict[str, Any]]


def evaluate_entry(diary: pd.DataFrame, day: dt.date | str | pd.Timestamp) -> EntryEvaluation:
    """`evaluate_entry_rules` and `positive_signs` for the entry of `day`, in one pass.

    Input: one patient's `diary_frame` (entries after `day` are ignored). Same results as
    the two functions called apart; the window and its shifts are prepared only once.
    """
    window = entry_window(diary, day, "evaluate_entry")
    if window is None:
        return EntryEvaluation([], [])
    return EntryEvaluation(entry_findings(window), entry_signs(window))


def positive_signs(diary: pd.DataFrame, day: dt.date | str | pd.Timestamp) -> list[dict[str, Any]]:
    """centralization and pain_improvement for the entry of `day` (one patient's `diary_frame`).

    Mirrors of peripheralization and pain_worsening, same windows and counts; entries after
    `day` are ignored. Each: {"sign", "raised_on" (date), "message" (for the patient), "evidence"}.
    """
    window = entry_window(diary, day, "positive_signs")
    return [] if window is None else entry_signs(window)


def entry_signs(window: EntryWindow) -> list[dict[str, Any]]:
    """The positive signs of a prepared window (see `positive_signs`)."""
    signs = []
    radiation = window.radiation_shift
    # Centralization (pain retreating toward the back) predicts a good outcome (Werneke & Hart 2001).
    if radiation is not None and radiation["shift"] <= -1:
        signs.append(
            _sign(
                "centralization",
                window.day,
                radiation,
                f"Good news: over your last few entries your leg pain has reached about the "
                f"{radiation_label(radiation['recent_median'])}, less far down than in the two weeks "
                f"before ({radiation_label(radiation['baseline_median'])}). Pain moving back toward "
                "the spine is a good sign that things are settling. Keep going with your exercises.",
            )
        )
    pain = window.leg_pain_shift
    # At least the 2-point MCID lower, carried by more than one good day.
    if pain is not None and pain["change"] <= -PAIN_MCID + EPSILON and pain["recent_days_mcid_below"] >= 2:
        signs.append(
            _sign(
                "pain_improvement",
                window.day,
                pain,
                f"Good news: your leg pain this week averaged {pain['recent_mean']:.1f} out of 10, "
                f"down from {pain['baseline_mean']:.1f} in the two weeks before. That is a "
                "real, noticeable improvement. Keep it up.",
            )
        )
    return signs


def _sign(sign: str, day: dt.date, evidence: dict[str, Any], message: str) -> dict[str, Any]:
    return {"sign": sign, "raised_on": day, "message": message, "evidence": json_safe(evidence)}
