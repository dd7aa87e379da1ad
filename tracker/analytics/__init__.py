"""Pure-pandas analytics: typed diary frames, escalation rules, positive signs, weekly trends.

No Flask, no SQLAlchemy: the service layer reads the tables (one SELECT each) and passes
the frames in (see each function's docstring for the columns it needs).
"""

from tracker.analytics.frames import DIARY_COLUMNS, daily_frame, diary_frame
from tracker.analytics.rules import (
    RULES,
    SEVERITY,
    Finding,
    evaluate_assessment_rules,
    evaluate_entry_rules,
    evaluate_odi_rules,
    missed_entries,
)
from tracker.analytics.signs import positive_signs
from tracker.analytics.trends import TREND_COLUMNS, caseload_classification, trends_records, weekly_trends

__all__ = [
    "DIARY_COLUMNS",
    "RULES",
    "SEVERITY",
    "TREND_COLUMNS",
    "Finding",
    "caseload_classification",
    "daily_frame",
    "diary_frame",
    "evaluate_assessment_rules",
    "evaluate_entry_rules",
    "evaluate_odi_rules",
    "missed_entries",
    "positive_signs",
    "trends_records",
    "weekly_trends",
]
