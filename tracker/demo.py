"""A realistic demo cohort, written through the same services as the API so that the
escalation rules run on it exactly as they would have live."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select

from tracker.extensions import db
from tracker.models import User
from tracker.services import accounts, assessments, diary, records
from tracker.services.sharing import create_share_code, redeem_share_code

DEMO_PASSWORD = "demo-password"
DEMO_TIMEZONE = "Europe/London"
PHYSIO_EMAIL = "physio@demo.example"

Day = Callable[[int, random.Random], dict[str, Any]]


def _clip(value: float, low: int, high: int) -> int:
    return int(max(low, min(high, round(value))))


def improving(weeks: int) -> Day:
    """Leg pain 7 → 2, radiation retreats from calf to buttock, walking lengthens."""
    days = weeks * 7

    def answers(i: int, rng: random.Random) -> dict[str, Any]:
        progress = i / days
        return {
            "leg_pain": _clip(7 - 5 * progress + rng.gauss(0, 0.7), 0, 10),
            "back_pain": _clip(5 - 2 * progress + rng.gauss(0, 0.7), 0, 10),
            "side": "left",
            "radiation": ("calf", "knee", "thigh", "buttock")[min(3, int(progress * 4))],
            "numbness": ["outer_calf"] if progress < 0.4 else [],
            "tingling": ["outer_calf", "top_of_foot"] if progress < 0.3 else [],
            "pain_quality": ["shooting", "aching"],
            "aggravators": ["sitting", "bending"],
            "heel_walk": "normal",
            "toe_walk": "normal",
            "foot_drop": False,
            "walking_minutes": _clip(10 + 50 * progress + rng.gauss(0, 4), 0, 600),
            "medications": ["nsaid"] if progress < 0.6 else [],
            "exercises_done": rng.random() < 0.8,
        }

    return answers


def steady(weeks: int) -> Day:
    """Moderate pain to the knee that neither improves nor worsens."""

    def answers(i: int, rng: random.Random) -> dict[str, Any]:
        return {
            "leg_pain": _clip(4 + rng.gauss(0, 0.6), 0, 10),
            "back_pain": _clip(3 + rng.gauss(0, 0.6), 0, 10),
            "side": "right",
            "radiation": "knee",
            "numbness": [],
            "tingling": ["back_of_thigh"],
            "pain_quality": ["aching"],
            "aggravators": ["standing"],
            "heel_walk": "normal",
            "toe_walk": "normal",
            "foot_drop": False,
            "walking_minutes": _clip(30 + rng.gauss(0, 3), 0, 600),
            "medications": ["paracetamol"],
            "exercises_done": rng.random() < 0.6,
        }

    return answers


def develops_foot_drop(weeks: int) -> Day:
    """L5 compression: steady leg pain, then heel walking fails and the foot drops (last 5 days)."""
    days = weeks * 7

    def answers(i: int, rng: random.Random) -> dict[str, Any]:
        left = days - i
        return {
            "leg_pain": _clip(6 + rng.gauss(0, 0.6), 0, 10),
            "back_pain": _clip(4 + rng.gauss(0, 0.6), 0, 10),
            "side": "left",
            "radiation": "calf" if left > 10 else "foot",
            "numbness": ["outer_calf"] if left > 10 else ["outer_calf", "top_of_foot"],
            "tingling": ["top_of_foot"],
            "pain_quality": ["burning", "shooting"],
            "aggravators": ["sitting", "coughing_sneezing"],
            "heel_walk": "normal" if left > 10 else ("difficult" if left > 5 else "unable"),
            "toe_walk": "normal",
            "foot_drop": left <= 5,
            "walking_minutes": _clip((25 if left > 10 else 12) + rng.gauss(0, 2), 0, 600),
            "walking_aid": left <= 5,
            "medications": ["nsaid", "neuropathic"],
            "exercises_done": rng.random() < 0.7,
        }

    return answers


def spreading(weeks: int) -> Day:
    """Pain that spreads down the leg over the last two weeks, with new numbness in the foot."""
    days = weeks * 7

    def answers(i: int, rng: random.Random) -> dict[str, Any]:
        left = days - i
        late = left <= 14
        return {
            "leg_pain": _clip((4 if not late else 4 + (14 - left) * 0.35) + rng.gauss(0, 0.5), 0, 10),
            "back_pain": _clip(5 + rng.gauss(0, 0.6), 0, 10),
            "side": "right",
            "radiation": "thigh" if left > 12 else ("calf" if left > 6 else "foot"),
            "numbness": [] if left > 6 else ["sole", "little_toe"],
            "tingling": ["back_of_thigh"] if left > 6 else ["back_of_calf", "sole"],
            "pain_quality": ["electric", "shooting"],
            "aggravators": ["sitting", "walking"],
            "heel_walk": "normal",
            "toe_walk": "normal" if left > 6 else "difficult",
            "foot_drop": False,
            "walking_minutes": _clip((40 if not late else 40 - (14 - left) * 2.2) + rng.gauss(0, 2), 0, 600),
            "medications": ["nsaid"] if not late else ["nsaid", "opioid"],
            "exercises_done": rng.random() < 0.5,
        }

    return answers


@dataclass(frozen=True)
class DemoPatient:
    email: str
    name: str
    weeks: int
    story: Callable[[int], Day]
    events: tuple[tuple[int, str, str], ...]  # (day index, kind, note)


COHORT = (
    DemoPatient("alex@demo.example", "Alex Morgan", 12, improving,
                ((3, "physiotherapy_start", "McKenzie programme"), (20, "epidural_injection", "L5 transforaminal"))),
    DemoPatient("sam@demo.example", "Sam Patel", 10, steady, ((5, "physiotherapy_start", ""),)),
    DemoPatient("jordan@demo.example", "Jordan Lee", 8, develops_foot_drop,
                ((10, "medication_change", "Started pregabalin"),)),
    DemoPatient("riley@demo.example", "Riley Chen", 9, spreading, ((7, "chiropractic", ""),)),
)


def _odi_answers(weekly_leg_pain: float, rng: random.Random) -> list[int | None]:
    """Disability follows the week's pain; two sections vary by a point either way."""
    level = round(weekly_leg_pain / 2)
    answers = [level] * 10
    for section in rng.sample(range(10), 2):
        answers[section] += rng.choice((-1, 1))
    return [max(0, min(5, a)) for a in answers]


def load_demo(today: date, seed: int = 7) -> dict[str, Any]:
    """Create the demo physio and cohort if the database has no users; their diaries end today."""
    if db.session.scalar(select(func.count()).select_from(User)):
        return {"created": False}
    rng = random.Random(seed)
    physio = accounts.create_user(email=PHYSIO_EMAIL, password=DEMO_PASSWORD, display_name="Demo Physio",
                                  timezone=DEMO_TIMEZONE, role="clinician")
    alerts = 0
    for member in COHORT:
        patient = accounts.create_user(email=member.email, password=DEMO_PASSWORD, display_name=member.name,
                                       timezone=DEMO_TIMEZONE, role="patient")
        code, _ = create_share_code(patient)
        redeem_share_code(physio, code)
        days = member.weeks * 7
        start = today - timedelta(days=days)
        answers_for = member.story(member.weeks)
        events = {index: (kind, note) for index, kind, note in member.events}
        week_pain: list[int] = []
        for i in range(1, days + 1):
            day = start + timedelta(days=i)
            if i in events:
                kind, note = events[i]
                records.add_event(patient, {"date": day, "kind": kind, "note": note or None})
            # Real diaries have gaps; keep the last ten days complete so the story is clear.
            if days - i > 10 and rng.random() < 0.1:
                continue
            answers = answers_for(i, rng)
            alerts += len(diary.put_entry(patient, day, answers).alerts_raised)
            week_pain.append(answers["leg_pain"])
            if i % 7 == 0:
                _, _, raised = records.put_odi(patient, day, _odi_answers(sum(week_pain) / len(week_pain), rng))
                alerts += len(raised)
                week_pain = []
        if member.story is develops_foot_drop:
            for offset, grade in ((30, 5), (2, 3)):
                _, raised = assessments.add_assessment(physio, patient, {
                    "date": today - timedelta(days=offset),
                    "left": {"ankle_dorsiflexion": grade, "big_toe_extension": grade, "achilles_reflex": "normal",
                             "knee_reflex": "normal", "slr_positive": True, "slr_angle": 45},
                    "right": {"ankle_dorsiflexion": 5, "big_toe_extension": 5},
                })
                alerts += len(raised)
    return {"created": True, "patients": len(COHORT), "alerts": alerts}
