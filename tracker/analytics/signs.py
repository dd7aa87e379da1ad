"""Positive signs (PRODUCT.md "Escalation rules", last paragraph): reported, never alerts."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from tracker.analytics.frames import to_timestamp
from tracker.analytics.rules import (
    EPSILON,
    PAIN_MCID,
    check_one_patient,
    json_safe,
    leg_pain_shift,
    radiation_label,
    radiation_shift,
)


def positive_signs(diary: pd.DataFrame, day: dt.date | str | pd.Timestamp) -> list[dict[str, Any]]:
    """centralization and pain_improvement for the entry of `day` (one patient's `diary_frame`).

    Mirrors of peripheralization and pain_worsening, same windows and counts; entries after
    `day` are ignored. Each: {"sign", "raised_on" (date), "message" (for the patient), "evidence"}.
    """
    check_one_patient(diary, "positive_signs")
    day = to_timestamp(day)
    seen = diary.loc[diary["date"] <= day].set_index("date")
    if day not in seen.index:
        return []
    signs = []
    radiation = radiation_shift(seen, day)
    # Centralization (pain retreating toward the back) predicts a good outcome (Werneke & Hart 2001).
    if radiation is not None and radiation["shift"] <= -1:
        signs.append(
            _sign(
                "centralization",
                day,
                radiation,
                f"Good news: over your last few entries your leg pain has reached about the "
                f"{radiation_label(radiation['recent_median'])}, less far down than in the two weeks "
                f"before ({radiation_label(radiation['baseline_median'])}). Pain moving back toward "
                "the spine is a good sign that things are settling. Keep going with your exercises.",
            )
        )
    pain = leg_pain_shift(seen, day)
    # At least the 2-point MCID lower, carried by more than one good day.
    if pain is not None and pain["change"] <= -PAIN_MCID + EPSILON and pain["recent_days_mcid_below"] >= 2:
        signs.append(
            _sign(
                "pain_improvement",
                day,
                pain,
                f"Good news: your leg pain this week averaged {pain['recent_mean']:.1f} out of 10, "
                f"down from {pain['baseline_mean']:.1f} in the two weeks before. That is a "
                "real, noticeable improvement. Keep it up.",
            )
        )
    return signs


def _sign(sign: str, day: pd.Timestamp, evidence: dict[str, Any], message: str) -> dict[str, Any]:
    return {"sign": sign, "raised_on": day.date(), "message": message, "evidence": json_safe(evidence)}
