"""The physiotherapist's PDF: valid, the expected pages, wrapped text, stable bytes, empty diaries."""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd
import pytest

from tests.analytics.conftest import DiaryFactory
from tracker.analytics.report import physio_report, wrap
from tracker.analytics.trends import TREND_COLUMNS, weekly_trends

FACTORY = DiaryFactory()
TODAY = FACTORY.day(83)  # Sunday of the 12th week from Monday 2 March 2026
PATIENT = {"id": 7, "display_name": "Alex Example", "timezone": "Europe/London"}
# summary, trends (landscape), charts ×2, assessments
PAGES = 5


def page_count(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page\b", pdf))


def is_pdf(pdf: bytes) -> bool:
    return pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")


@pytest.fixture(scope="module")
def diary() -> pd.DataFrame:
    pain = [None if i % 6 == 5 or 30 <= i < 38 else max(1, 8 - i // 12) for i in range(84)]
    return FACTORY(
        pain,
        back_pain=3,
        radiation=[["calf", "knee", "thigh"][(i // 28) % 3] for i in range(84)],
        numbness=[[["big_toe"], [], ["sole", "heel"]][i % 3] for i in range(84)],
        walking_minutes=[20 + i // 2 for i in range(84)],
    )


@pytest.fixture(scope="module")
def inputs(diary) -> dict:
    day = FACTORY.day
    odi = pd.DataFrame({"patient_id": 1, "date": [day(0), day(28), day(56)], "score": [46.0, 38.0, 30.0]})
    alerts = [
        {"rule": "new_foot_drop", "severity": "urgent", "status": "open", "raised_on": day(40),
         "message": "New foot drop on 2026-04-11 (foot drop reported); none reported in the 12 entries "
                    "of the prior 14 days. Examine dorsiflexion strength and consider urgent imaging. " * 3},
        {"rule": "pain_worsening", "severity": "warning", "status": "acknowledged", "raised_on": day(20),
         "message": "Mean leg pain rose by 2.1 points."},
        {"rule": "missed_entries", "severity": "info", "status": "resolved", "raised_on": day(36),
         "message": "No entry for 8 days."},
    ]
    leg = {"ankle_dorsiflexion": 4, "big_toe_extension": 3, "foot_eversion": 5, "plantarflexion": 5,
           "achilles_reflex": "reduced", "knee_reflex": "normal", "slr_positive": True, "slr_angle": 45}
    assessments = [
        {"date": day(10), "left": leg, "right": None, "notes": "Crossed SLR negative. " * 20},
        {"date": day(50), "left": {**leg, "big_toe_extension": 4}, "right": {**leg, "slr_positive": False,
                                                                             "slr_angle": None}},
    ]
    return {
        "events": pd.DataFrame(
            {"date": [day(14), day(45)], "kind": ["epidural_injection", "physiotherapy_start"]}
        ),
        "alerts": alerts,
        "trends": weekly_trends(diary, odi, TODAY, 12),
        "assessments": assessments,
        "odi": odi[["date", "score"]],
        "today": TODAY,
    }


def test_a_full_report_is_a_pdf_with_the_expected_pages(diary, inputs):
    pdf = physio_report(PATIENT, diary, **inputs)
    assert is_pdf(pdf)
    assert page_count(pdf) == PAGES
    assert b"/CreationDate" not in pdf  # nothing dated by the clock: stable bytes
    assert physio_report(PATIENT, diary, **inputs) == pdf


def test_an_empty_diary_still_gives_a_valid_report(diary):
    empty = diary.iloc[:0]
    pdf = physio_report(PATIENT, empty, events=None, alerts=[], trends=weekly_trends(empty, None, TODAY, 12),
                        assessments=[], odi=None, today=TODAY)
    assert is_pdf(pdf) and page_count(pdf) == PAGES
    no_trends = pd.DataFrame(columns=list(TREND_COLUMNS))
    pdf = physio_report({"id": 9, "display_name": None, "timezone": None}, empty, events=[], alerts=[],
                        trends=no_trends, assessments=[], odi=[], today=dt.date(2026, 1, 1))
    assert is_pdf(pdf) and page_count(pdf) == PAGES


def test_peoples_text_is_printed_as_written(diary, inputs):
    alerts = [{**inputs["alerts"][0], "message": "Paid $5 and $10 for_x^2 {braces} \\ backslash"}]
    assessments = [{**inputs["assessments"][0], "notes": "cost $\\frac{1}{$ (not valid as maths)"}]
    pdf = physio_report({**PATIENT, "display_name": "Jo $mith_"}, diary,
                        **{**inputs, "alerts": alerts, "assessments": assessments})
    assert is_pdf(pdf) and page_count(pdf) == PAGES


def test_long_lists_run_on_to_more_pages(diary, inputs):
    many = [{**inputs["alerts"][0], "raised_on": FACTORY.day(i)} for i in range(30)]
    exams = [{**inputs["assessments"][1], "date": FACTORY.day(i)} for i in range(60)]
    pdf = physio_report(PATIENT, diary, **{**inputs, "alerts": many, "assessments": exams})
    assert is_pdf(pdf) and page_count(pdf) > PAGES + 2


def test_wrapped_lines_fit_and_long_words_are_cut():
    from tracker.analytics.report import _width

    text = "Possible cauda equina syndrome: " * 10 + "x" * 400
    lines = wrap(text, 3.0, 9.0)
    assert len(lines) > 5 and all(_width(line, 9.0, False) <= 3.0 for line in lines)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    assert wrap("two\nparagraphs", 3.0, 9.0) == ["two", "paragraphs"]
