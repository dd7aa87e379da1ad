"""Escalation rules of PRODUCT.md ("Escalation rules") on typed frames.

Each evaluator returns `Finding`s; the service layer turns them into alerts. Dates are
the patient's local calendar days; "the prior window" never includes the day evaluated,
and only data actually entered counts (an unanswered field is neither "yes" nor "no").
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from itertools import chain
from typing import Any

import numpy as np
import pandas as pd

from tracker.analytics.frames import calendar_dates, dates_by_patient, to_timestamp
from tracker.vocabulary import MUSCLES, RADIATION_LEVELS, REFLEX_NAMES, REFLEXES

#: Severities, most severe first.
SEVERITY: tuple[str, ...] = ("emergency", "urgent", "warning", "info")
#: Every rule id → its severity.
RULES: dict[str, str] = {
    "cauda_equina_signs": "emergency",
    "new_foot_drop": "urgent",
    "new_bilateral_symptoms": "urgent",
    "motor_weakness_progression": "urgent",
    "reflex_loss": "warning",
    "peripheralization": "warning",
    "pain_worsening": "warning",
    "walking_decline": "warning",
    "numbness_spreading": "warning",
    "odi_worsening": "warning",
    "missed_entries": "info",
}

# Two NRS points (about 30 %) is the usual minimal clinically important difference
# for leg pain (Farrar et al. 2001; Ostelo et al. 2008).
PAIN_MCID = 2.0
# NRS 8–10 is severe pain; a run of three such days is escalated whatever the baseline.
SEVERE_PAIN = 8
SEVERE_PAIN_DAYS = 3
# Ten ODI points is the usual MCID of the Oswestry Disability Index (Ostelo et al. 2008).
ODI_MCID = 10.0
# Walking tolerance halved (from at least 10 minutes) is a meaningful functional decline.
WALKING_RATIO = 0.5
WALKING_MIN_BASELINE = 10.0
# A sign is "new" when no entry of the 14 days before reported it.
NEW_SIGN_DAYS = 14
RECENT_DAYS = 7  # pain / walking: the last 7 days, day included …
BASELINE_DAYS = 14  # … against the 14 days before them
MIN_PAIN_ENTRIES = 4
MIN_WALKING_ENTRIES = 3
LAST_ENTRIES = 3  # radiation / numbness: the last 3 entries …
LAST_ENTRIES_SPAN = 5  # … (radiation: all within the last 5 days) …
MIN_BASELINE_ENTRIES = 4  # … against the 14 days before the first of them
MISSED_DAYS = 3

#: Tolerance for threshold comparisons of means of integers (float noise).
EPSILON = 1e-9
_REFLEX_LEVEL = {name: i for i, name in enumerate(REFLEXES)}  # normal < reduced < absent


@dataclass(frozen=True)
class Finding:
    """A rule that fired: what was seen (evidence, JSON-safe) and what to tell whom."""

    rule: str
    severity: str
    raised_on: dt.date
    evidence: dict[str, Any] = field(hash=False)
    message: str
    patient_message: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dict, raised_on as an ISO date."""
        return {
            "rule": self.rule,
            "severity": self.severity,
            "raised_on": self.raised_on.isoformat(),
            "evidence": self.evidence,
            "message": self.message,
            "patient_message": self.patient_message,
        }


def json_safe(value: Any) -> Any:
    """Plain JSON values: numpy → Python, NaN/NA → None, dates → ISO, floats to 2 decimals."""
    if isinstance(value, Mapping):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, np.ndarray, pd.Series, pd.Index)):
        return [json_safe(v) for v in (sorted(value) if isinstance(value, set) else value)]
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return None if math.isnan(value) else round(float(value), 2)
    if isinstance(value, (pd.Timestamp, dt.datetime)):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _finding(
    rule: str, day: dt.date, evidence: dict[str, Any], message: str, patient_message: str
) -> Finding:
    raised_on = day.date() if isinstance(day, dt.datetime) else day  # a Timestamp is a datetime
    return Finding(rule, RULES[rule], raised_on, json_safe(evidence), message, patient_message)


def _by_severity(findings: list[Finding]) -> list[Finding]:
    return sorted(findings, key=lambda f: (SEVERITY.index(f.severity), f.rule))


def _iso(day: pd.Timestamp) -> str:
    return day.date().isoformat()


def check_one_patient(frame: pd.DataFrame, what: str) -> None:
    """Refuse a frame that mixes patients (the per-patient evaluators compare within one diary)."""
    ids = frame["patient_id"].to_numpy()
    # All equal to the first is the common case; only otherwise count (nunique skips a missing id).
    if len(ids) > 1 and bool((ids != ids[0]).any()) and frame["patient_id"].nunique() > 1:
        raise ValueError(f"{what}: expected one patient's rows, got several patients")


# --- diary rules -------------------------------------------------------------------

# The `diary_frame` columns an `EntryWindow` holds, by how they are read.
_TEXT_ANSWERS = ("side", "heel_walk", "toe_walk")
_LIST_ANSWERS = ("numbness", "tingling")
_NUMBER_ANSWERS = (
    "leg_pain",
    "radiation_level",
    "walking_minutes",
    "foot_drop",
    "bladder_or_bowel_change",
    "saddle_numbness",
)
#: The diary fields the diary rules and positive signs read (`radiation` as its level):
#: a query feeding only `evaluate_entry` may select just these (and patient_id, date).
ENTRY_RULE_FIELDS: tuple[str, ...] = tuple(
    name.removesuffix("_level") for name in (*_NUMBER_ANSWERS, *_TEXT_ANSWERS, *_LIST_ANSWERS)
)
_UNIX_EPOCH_ORDINAL = dt.date(1970, 1, 1).toordinal()


@dataclass(frozen=True, eq=False)
class EntryWindow:
    """One patient's entries up to the evaluated day as aligned numpy arrays, oldest first.

    Prepared once per evaluation (`entry_window`) and read by every diary rule and positive
    sign. Days are day numbers (days since 1970-01-01), so "the 14 days before" is plain
    arithmetic and a window is two `searchsorted`. Answers: float NaN = unanswered; flags
    1.0 yes, 0.0 no; text NaN/None = unanswered; lists None = unanswered.
    """

    day: dt.date
    day_number: int
    days: np.ndarray  # int64, ascending; the last is day_number
    leg_pain: np.ndarray  # float64
    side: np.ndarray  # object
    radiation_level: np.ndarray  # float64, 0 (none) … 5 (foot)
    numbness: np.ndarray  # object: lists of regions
    tingling: np.ndarray  # object: lists of regions
    foot_drop: np.ndarray  # float64 flag
    heel_walk: np.ndarray  # object
    toe_walk: np.ndarray  # object
    walking_minutes: np.ndarray  # float64
    bladder_or_bowel_change: np.ndarray  # float64 flag
    saddle_numbness: np.ndarray  # float64 flag
    #: `radiation_shift` and `leg_pain_shift` of the day, shared by rules and signs.
    radiation_shift: dict[str, Any] | None
    leg_pain_shift: dict[str, Any] | None


def day_number(day: dt.date | str | pd.Timestamp) -> int:
    """A calendar day (date, ISO string or Timestamp) as days since 1970-01-01."""
    if type(day) is not dt.date:  # a datetime or Timestamp is a date too: take its calendar day
        day = to_timestamp(day).date()
    return day.toordinal() - _UNIX_EPOCH_ORDINAL


def _day_numbers(dates: np.ndarray) -> np.ndarray:
    """datetime64 calendar dates (midnights, as `diary_frame` gives) → int64 day numbers."""
    return np.asarray(dates).astype("datetime64[D]").view(np.int64)


def _iso_day(number: int | np.integer) -> str:
    return dt.date.fromordinal(int(number) + _UNIX_EPOCH_ORDINAL).isoformat()


def _iso_days(numbers: np.ndarray) -> list[str]:
    return np.datetime_as_string(numbers.astype("datetime64[D]")).tolist()


def _as_float(column: pd.Series) -> np.ndarray:
    """A numeric or yes/no answer as float64, NaN = unanswered (a flag: 1.0 yes, 0.0 no)."""
    return column.to_numpy(dtype="float64", na_value=np.nan)


def _yes(flags: np.ndarray) -> np.ndarray:
    """Answered yes (an unanswered flag is neither yes nor no)."""
    return (flags != 0) & ~np.isnan(flags)


def _median(values: np.ndarray) -> float:
    """np.median of a few non-NaN values (the same number), without its overhead on tiny arrays."""
    ordered = np.sort(values)
    middle = len(ordered) // 2
    return float(ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2)


def _between(days: np.ndarray, first: int, last: int) -> slice:
    """The positions of the sorted day numbers from first to last, both included."""
    lo, hi = days.searchsorted((first, last + 1))  # whole days: "≤ last" is "< last + 1"
    return slice(int(lo), int(hi))


def entry_window(
    diary: pd.DataFrame, day: dt.date | str | pd.Timestamp, what: str = "entry_window"
) -> EntryWindow | None:
    """`diary` (one patient's `diary_frame`, one row per date) up to `day` as an `EntryWindow`.

    Entries after `day` are left out; None when there is no entry on `day`. Reads only
    `patient_id`, `date` and the answers of `ENTRY_RULE_FIELDS`. Several patients raise
    ValueError, naming `what` (the caller).
    """
    check_one_patient(diary, what)
    number = day_number(day)
    days = _day_numbers(diary["date"].to_numpy())
    order = None if bool((days[1:] >= days[:-1]).all()) else np.argsort(days, kind="stable")
    if order is not None:
        days = days[order]
    seen = int(days.searchsorted(number, side="right"))
    if seen == 0 or days[seen - 1] != number:
        return None

    def upto_day(values: np.ndarray) -> np.ndarray:
        return (values if order is None else values[order])[:seen]

    answers = {
        name: upto_day(diary[name].to_numpy(dtype=object)) for name in (*_TEXT_ANSWERS, *_LIST_ANSWERS)
    }
    numbers = {name: upto_day(_as_float(diary[name])) for name in _NUMBER_ANSWERS}
    days = days[:seen]
    return EntryWindow(
        day=dt.date.fromordinal(number + _UNIX_EPOCH_ORDINAL),
        day_number=number,
        days=days,
        **answers,
        **numbers,
        radiation_shift=_radiation_shift(days, numbers["radiation_level"], number),
        leg_pain_shift=_leg_pain_shift(days, numbers["leg_pain"], number),
    )


def evaluate_entry_rules(diary: pd.DataFrame, day: dt.date | str | pd.Timestamp) -> list[Finding]:
    """Diary rules for the entry of `day`, from one patient's `diary_frame`, most severe first.

    Uses only entries dated on or before `day`, so replaying a back-filled diary in date
    order raises each finding on the day it would have been raised live. No entry → [].
    """
    window = entry_window(diary, day, "evaluate_entry_rules")
    return [] if window is None else entry_findings(window)


def entry_findings(window: EntryWindow) -> list[Finding]:
    """Every diary rule on a prepared window, most severe first."""
    findings = (rule(window) for rule in _ENTRY_RULES)
    return _by_severity([f for f in findings if f is not None])


def _cauda_equina_signs(w: EntryWindow) -> Finding | None:
    # Bladder/bowel dysfunction and saddle anaesthesia are the red flags of cauda equina
    # syndrome: emergency referral the same day (NICE CKS "Sciatica", red flags).
    signs = [
        name
        for name, flags in (
            ("bladder_or_bowel_change", w.bladder_or_bowel_change),
            ("saddle_numbness", w.saddle_numbness),
        )
        if _yes(flags)[-1]
    ]
    if "saddle" in (w.numbness[-1] or []):
        signs.append("saddle_in_numbness_regions")
    if not signs:
        return None
    said = {
        "bladder_or_bowel_change": "a new change in bladder or bowel control",
        "saddle_numbness": "numbness between the legs or around the back passage",
        "saddle_in_numbness_regions": "numbness in the saddle area",
    }
    reported = " and ".join(dict.fromkeys(said[s] for s in signs))
    return _finding(
        "cauda_equina_signs",
        w.day,
        {"signs": signs, "entry_date": w.day},
        f"Possible cauda equina syndrome: entry of {w.day.isoformat()} reports {', '.join(signs)}. "
        "Contact the patient today; emergency referral for same-day assessment and MRI.",
        "Seek emergency care today: go to A&E (the emergency department) now. You reported "
        f"{reported}. With sciatica this can be a sign of cauda equina syndrome, a pressing "
        "on the nerves at the base of the spine that needs emergency treatment to prevent "
        "permanent damage to bladder, bowel and leg function. Do not wait for your appointment.",
    )


def _newly_reported(days: np.ndarray, flags: np.ndarray, day: int) -> tuple[bool, int]:
    """(flag set on day — the last entry — and on no entry of the 14 days before,
    number of those prior entries)."""
    prior = _between(days, day - NEW_SIGN_DAYS, day - 1)
    return bool(flags[-1]) and not bool(flags[prior].any()), prior.stop - prior.start


def _prior_window(day: int) -> list[str]:
    return [_iso_day(day - NEW_SIGN_DAYS), _iso_day(day - 1)]


def _new_foot_drop(w: EntryWindow) -> Finding | None:
    foot_drop, heel_unable = _yes(w.foot_drop), w.heel_walk == "unable"
    new, prior = _newly_reported(w.days, foot_drop | heel_unable, w.day_number)
    if not new:
        return None
    what = [
        text
        for text, seen_today in (("foot drop", foot_drop[-1]), ("unable to heel-walk", heel_unable[-1]))
        if seen_today
    ]
    answer = w.foot_drop[-1]
    return _finding(
        "new_foot_drop",
        w.day,
        {
            "foot_drop": None if np.isnan(answer) else bool(answer),
            "heel_walk": w.heel_walk[-1],
            "prior_entries": prior,
            "prior_window": _prior_window(w.day_number),
        },
        f"New foot drop on {w.day.isoformat()} ({' and '.join(what)}); none reported in the {prior} entries "
        f"of the prior {NEW_SIGN_DAYS} days. Possible L5 motor deficit: assess urgently.",
        "You reported that your foot drags or slaps, or that you cannot walk on your heels. "
        "New weakness like this needs to be checked soon: please contact your physiotherapist "
        "or GP today.",
    )


def _new_bilateral_symptoms(w: EntryWindow) -> Finding | None:
    # Counted prior entries are those that answered `side`: an unanswered side says nothing.
    answered = pd.notna(w.side)
    if not answered[-1] or w.side[-1] != "both":
        return None
    new, prior = _newly_reported(w.days[answered], w.side[answered] == "both", w.day_number)
    if not new or prior == 0:
        return None
    return _finding(
        "new_bilateral_symptoms",
        w.day,
        {"side": "both", "prior_entries": prior, "prior_window": _prior_window(w.day_number)},
        f"Symptoms in both legs on {w.day.isoformat()}; the {prior} entries of the prior "
        f"{NEW_SIGN_DAYS} days reported one side only. Bilateral sciatica can precede cauda "
        "equina syndrome: assess urgently.",
        "You reported symptoms in both legs, which is new for you. Please contact your "
        "physiotherapist or GP today. If you also notice numbness between your legs or a change "
        "in bladder or bowel control, go to A&E (the emergency department) straight away.",
    )


def _toe_walk_lost(w: EntryWindow) -> Finding | None:
    new, prior = _newly_reported(w.days, w.toe_walk == "unable", w.day_number)
    if not new:
        return None
    return _finding(
        "motor_weakness_progression",
        w.day,
        {
            "source": "diary",
            "toe_walk": "unable",
            "prior_entries": prior,
            "prior_window": _prior_window(w.day_number),
        },
        f"Unable to toe-walk on {w.day.isoformat()}, not reported in the {prior} entries of the prior "
        f"{NEW_SIGN_DAYS} days. Possible S1 motor deficit (plantarflexion): assess urgently.",
        "You reported that you cannot walk on your toes. New weakness like this needs to be "
        "checked soon: please contact your physiotherapist or GP today.",
    )


def radiation_shift(seen: pd.DataFrame, day: dt.date | str | pd.Timestamp) -> dict[str, Any] | None:
    """Median radiation level of the last 3 entries (day's included, all ≥ day-4) vs the 14 days before.

    `seen`: one patient's diary indexed by date, up to `day`. Entries without a radiation
    answer are skipped (they neither count nor break the run). None when the day has no
    radiation answer or the counts are not met.
    """
    level = seen["radiation_level"].to_numpy(dtype="float64", na_value=np.nan)
    return _radiation_shift(_day_numbers(seen.index.to_numpy()), level, day_number(day))


def _radiation_shift(days: np.ndarray, level: np.ndarray, day: int) -> dict[str, Any] | None:
    """`radiation_shift` on day numbers and levels (NaN = unanswered), entries up to `day`."""
    answered = ~np.isnan(level)
    if not answered.any() or days[answered][-1] != day:
        return None
    days, level = days[answered], level[answered]
    if len(level) < LAST_ENTRIES or days[-LAST_ENTRIES] < day - (LAST_ENTRIES_SPAN - 1):
        return None
    first = int(days[-LAST_ENTRIES])
    last, baseline = level[-LAST_ENTRIES:], level[_between(days, first - BASELINE_DAYS, first - 1)]
    if len(baseline) < MIN_BASELINE_ENTRIES:
        return None
    recent_median, baseline_median = _median(last), _median(baseline)
    return {
        "recent_median": recent_median,
        "recent_levels": last.tolist(),
        "recent_dates": _iso_days(days[-LAST_ENTRIES:]),
        "baseline_median": baseline_median,
        "baseline_entries": len(baseline),
        "baseline_window": [_iso_day(first - BASELINE_DAYS), _iso_day(first - 1)],
        "shift": recent_median - baseline_median,
    }


def radiation_label(level: float) -> str:
    """The body level of a radiation level: "knee" for 3, "thigh-knee" for a median of 2.5."""
    low, high = RADIATION_LEVELS[math.floor(level)], RADIATION_LEVELS[math.ceil(level)]
    return low if low == high else f"{low}-{high}"


def _peripheralization(w: EntryWindow) -> Finding | None:
    # Pain spreading further down the leg (peripheralization) goes with a worse prognosis
    # (McKenzie; Werneke & Hart 2001): one body level more distal than the 2 weeks before.
    shift = w.radiation_shift
    if shift is None or shift["shift"] < 1:
        return None
    return _finding(
        "peripheralization",
        w.day,
        shift,
        f"Pain reaches further down the leg: median radiation level {shift['recent_median']:g} "
        f"({radiation_label(shift['recent_median'])}) over the last 3 entries ({shift['recent_dates'][0]} "
        f"to {w.day.isoformat()}) vs {shift['baseline_median']:g} "
        f"({radiation_label(shift['baseline_median'])}) "
        f"over {shift['baseline_entries']} entries of the 14 days before.",
        "Your leg pain has been reaching further down your leg over the last few days than in "
        "the two weeks before. Your physiotherapist has been told and may contact you; let them "
        "know if it keeps spreading or you notice new weakness or numbness.",
    )


def leg_pain_shift(seen: pd.DataFrame, day: dt.date | str | pd.Timestamp) -> dict[str, Any] | None:
    """Mean leg pain of day-6..day vs day-20..day-7 (each ≥ 4 entries), else None.

    `seen`: one patient's diary indexed by date, up to `day`. Also counts the recent days
    at least one MCID above / below the baseline mean (one bad day alone must not count).
    """
    pain = seen["leg_pain"].to_numpy(dtype="float64", na_value=np.nan)
    return _leg_pain_shift(_day_numbers(seen.index.to_numpy()), pain, day_number(day))


def _recent_and_baseline(days: np.ndarray, values: np.ndarray, day: int) -> tuple[np.ndarray, np.ndarray]:
    """The answered values (NaN skipped) of day-6..day and of the 14 days before them."""
    answered = ~np.isnan(values)
    days, values = days[answered], values[answered]
    recent = values[_between(days, day - (RECENT_DAYS - 1), day)]
    baseline = values[_between(days, day - (RECENT_DAYS + BASELINE_DAYS - 1), day - RECENT_DAYS)]
    return recent, baseline


def _recent_windows(day: int) -> dict[str, list[str]]:
    return {
        "recent_window": [_iso_day(day - (RECENT_DAYS - 1)), _iso_day(day)],
        "baseline_window": [_iso_day(day - (RECENT_DAYS + BASELINE_DAYS - 1)), _iso_day(day - RECENT_DAYS)],
    }


def _leg_pain_shift(days: np.ndarray, pain: np.ndarray, day: int) -> dict[str, Any] | None:
    """`leg_pain_shift` on day numbers and leg pain (NaN = unanswered)."""
    recent, baseline = _recent_and_baseline(days, pain, day)
    if len(recent) < MIN_PAIN_ENTRIES or len(baseline) < MIN_PAIN_ENTRIES:
        return None
    recent_mean, baseline_mean = recent.mean(), baseline.mean()
    windows = _recent_windows(day)
    return {
        "recent_mean": recent_mean,
        "recent_entries": len(recent),
        "recent_window": windows["recent_window"],
        "baseline_mean": baseline_mean,
        "baseline_entries": len(baseline),
        "baseline_window": windows["baseline_window"],
        "change": recent_mean - baseline_mean,
        "recent_days_mcid_above": int((recent >= baseline_mean + PAIN_MCID - EPSILON).sum()),
        "recent_days_mcid_below": int((recent <= baseline_mean - PAIN_MCID + EPSILON).sum()),
    }


def _severe_pain_days(w: EntryWindow) -> list[int] | None:
    """Leg pain of the 3 calendar days ending on day, when all were ≥ 8 and day-3 was not.

    Fires once, on the day a run of severe pain reaches 3 days (day-3 unlogged or < 8): a
    patient who stays at 8+ is not re-alerted daily, and one easing from 10 to 9 is not
    told their pain is "worsening" every day.
    """
    answered = ~np.isnan(w.leg_pain)
    days, pain = w.days[answered], w.leg_pain[answered]
    run = pain[_between(days, w.day_number - (SEVERE_PAIN_DAYS - 1), w.day_number)]
    before = pain[_between(days, w.day_number - SEVERE_PAIN_DAYS, w.day_number - SEVERE_PAIN_DAYS)]
    if (
        len(run) == SEVERE_PAIN_DAYS
        and bool((run >= SEVERE_PAIN).all())
        and not bool((before >= SEVERE_PAIN).any())
    ):
        return run.astype(np.int64).tolist()
    return None


def _pain_worsening(w: EntryWindow) -> Finding | None:
    shift = w.leg_pain_shift
    # The mean must rise by the MCID, and not through one bad day: at least two recent
    # days at or above baseline + MCID (PRODUCT.md: "one bad day must not raise a warning").
    rising = (
        shift is not None and shift["change"] >= PAIN_MCID - EPSILON and shift["recent_days_mcid_above"] >= 2
    )
    severe = _severe_pain_days(w)
    if not rising and severe is None:
        return None
    evidence: dict[str, Any] = {"criteria": []}
    parts = []
    if rising:
        evidence["criteria"].append("mean_rise")
        evidence.update(shift)
        parts.append(
            f"mean leg pain {shift['recent_mean']:.1f} over {shift['recent_entries']} entries of the last "
            f"7 days vs {shift['baseline_mean']:.1f} over {shift['baseline_entries']} entries of the "
            "14 days before"
        )
    if severe is not None:
        evidence["criteria"].append("severe_pain_3_days")
        evidence["severe_pain"] = severe
        evidence["severe_window"] = [_iso_day(w.day_number - (SEVERE_PAIN_DAYS - 1)), w.day.isoformat()]
        parts.append(f"leg pain {'/'.join(map(str, severe))} on the 3 days to {w.day.isoformat()}")
    return _finding(
        "pain_worsening",
        w.day,
        evidence,
        "Leg pain worsening: " + "; ".join(parts) + ".",
        "Your leg pain has been worse over the last days. Your physiotherapist has been told and "
        "may contact you to review your pain relief and exercises.",
    )


def _walking_decline(w: EntryWindow) -> Finding | None:
    recent, baseline = _recent_and_baseline(w.days, w.walking_minutes, w.day_number)
    if len(recent) < MIN_WALKING_ENTRIES or len(baseline) < MIN_WALKING_ENTRIES:
        return None
    now, before = _median(recent), _median(baseline)
    if before < WALKING_MIN_BASELINE or now > WALKING_RATIO * before:
        return None
    windows = _recent_windows(w.day_number)
    return _finding(
        "walking_decline",
        w.day,
        {
            "recent_median": now,
            "recent_entries": len(recent),
            "recent_window": windows["recent_window"],
            "baseline_median": before,
            "baseline_entries": len(baseline),
            "baseline_window": windows["baseline_window"],
        },
        f"Walking tolerance halved: median {now:g} min over {len(recent)} entries of the last 7 days "
        f"vs {before:g} min over {len(baseline)} entries of the 14 days before.",
        "You have been able to walk for much less time this week than before. Your "
        "physiotherapist has been told and may contact you.",
    )


def _regions_named(numbness: np.ndarray, tingling: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(region names sorted, entries × regions bool matrix) of the regions each entry named.

    Numbness and tingling count alike; None (unanswered) names nothing.
    """
    lists = np.concatenate([numbness, tingling])
    entry = np.tile(np.arange(len(numbness)), 2)
    answered = pd.notna(lists)
    lists, entry = lists[answered], entry[answered]
    sizes = np.fromiter(map(len, lists), dtype=np.int64, count=len(lists))
    named = np.fromiter(chain.from_iterable(lists), dtype=object, count=int(sizes.sum()))
    entry = np.repeat(entry, sizes)
    kept = pd.notna(named)
    names, region = np.unique(named[kept], return_inverse=True)
    matrix = np.zeros((len(numbness), len(names)), dtype=bool)
    matrix[entry[kept], region] = True
    return names, matrix


def _numbness_spreading(w: EntryWindow) -> Finding | None:
    # Numbness / pins and needles in new skin areas suggests a further nerve root involved.
    # Entries count only when they answered numbness or tingling ([] = answered "nowhere").
    if not (w.numbness[-1] or w.tingling[-1]):  # a new region must be named on the day itself
        return None
    answered = pd.notna(w.numbness) | pd.notna(w.tingling)
    days = w.days[answered]
    if len(days) < LAST_ENTRIES:
        return None
    first = int(days[-LAST_ENTRIES])
    baseline = _between(days, first - BASELINE_DAYS, first - 1)
    baseline_entries = baseline.stop - baseline.start
    if baseline_entries < MIN_BASELINE_ENTRIES:
        return None
    # Every entry dated from the baseline's first day to the evaluated day (the last).
    start = int(w.days.searchsorted(first - BASELINE_DAYS, side="left"))
    names, named = _regions_named(w.numbness[start:], w.tingling[start:])
    recent = w.days[start:] >= first
    new = (named[recent].sum(axis=0) >= 2) & named[-1] & ~named[~recent].any(axis=0)
    if not new.any():
        return None
    new_regions = names[new].tolist()
    return _finding(
        "numbness_spreading",
        w.day,
        {
            "new_regions": new_regions,
            "recent_dates": _iso_days(days[-LAST_ENTRIES:]),
            "baseline_entries": baseline_entries,
            "baseline_window": [_iso_day(first - BASELINE_DAYS), _iso_day(first - 1)],
        },
        f"Numbness/tingling in new areas: {', '.join(new_regions)} in at least 2 of the last 3 entries "
        f"(to {w.day.isoformat()}), absent from {baseline_entries} entries of the 14 days before.",
        "You have reported numbness or tingling in new areas of your leg or foot. Your "
        "physiotherapist has been told and may contact you.",
    )


_ENTRY_RULES: tuple[Callable[[EntryWindow], Finding | None], ...] = (
    _cauda_equina_signs,
    _new_foot_drop,
    _new_bilateral_symptoms,
    _toe_walk_lost,
    _peripheralization,
    _pain_worsening,
    _walking_decline,
    _numbness_spreading,
)


# --- assessment rules --------------------------------------------------------------


def _long(assessments: pd.DataFrame, columns: tuple[str, ...], name: str) -> pd.DataFrame:
    """(assessment_id, date, side, <name>, value) rows for the recorded values of `columns`."""
    long = assessments.melt(["assessment_id", "date", "side"], list(columns), var_name=name)
    return long.dropna(subset=["value"])


def _compare(
    current: pd.DataFrame, earlier: pd.DataFrame, columns: tuple[str, ...], name: str
) -> pd.DataFrame:
    """Each recorded value of `current` beside the previous recorded value for that side and `name`.

    The previous value is the one of the latest earlier assessment (by date) that recorded it (a side
    or a test skipped at one visit does not hide the visit before); values recorded only once
    are not compared.
    """
    previous = (
        _long(earlier, columns, name).sort_values(["date", "assessment_id"]).groupby(["side", name]).tail(1)
    )
    return _long(current, columns, name).merge(previous, on=["side", name], suffixes=("", "_previous"))


def evaluate_assessment_rules(assessments: pd.DataFrame, assessment_id: int) -> list[Finding]:
    """motor_weakness_progression and reflex_loss for one assessment vs the previous values.

    Input: one patient's assessments, long (one row per assessment per side): assessment_id,
    date, side, the four MRC grades (0–5), achilles_reflex, knee_reflex. raised_on = its date.
    """
    check_one_patient(assessments, "evaluate_assessment_rules")
    frame = assessments.assign(date=calendar_dates(assessments["date"]))
    current = frame[frame["assessment_id"] == assessment_id]
    if current.empty:
        return []
    day = current["date"].iloc[0]
    # "Previous" is by examination date (a late-typed older exam is compared with the one
    # before it, not with a newer one); the id orders two exams on the same day.
    earlier = frame[(frame["date"] < day) | ((frame["date"] == day) & (frame["assessment_id"] < assessment_id))]
    grades = _compare(current, earlier, MUSCLES, "muscle")
    # Any loss of one MRC grade is a progressing motor deficit (≤3 after ≥4 is a loss of ≥1).
    grades = grades.astype({"value": "int64", "value_previous": "int64"})
    weaker = grades[grades["value"] <= grades["value_previous"] - 1]
    reflexes = _compare(current, earlier, REFLEX_NAMES, "reflex")
    lost = reflexes[reflexes["value"].map(_REFLEX_LEVEL) > reflexes["value_previous"].map(_REFLEX_LEVEL)]
    findings = [_motor_finding(weaker, day, assessment_id)] if len(weaker) else []
    findings += [_reflex_finding(lost, day, assessment_id)] if len(lost) else []
    return findings


def _changes(rows: pd.DataFrame, name: str) -> list[dict[str, Any]]:
    columns = {
        "side": "side",
        name: name,
        "value_previous": "previous",
        "value": "current",
        "assessment_id_previous": "previous_assessment_id",
        "date_previous": "previous_date",
    }
    return json_safe(rows[list(columns)].rename(columns=columns).to_dict("records"))


def _listed(changes: list[dict[str, Any]], name: str) -> str:
    return ", ".join(
        f"{c['side']} {c[name].replace('_', ' ')} {c['previous']}→{c['current']}" for c in changes
    )


def _motor_finding(weaker: pd.DataFrame, day: pd.Timestamp, assessment_id: int) -> Finding:
    changes = _changes(weaker, "muscle")
    return _finding(
        "motor_weakness_progression",
        day,
        {"source": "assessment", "assessment_id": assessment_id, "changes": changes},
        f"MRC grade lower than at the previous assessment: {_listed(changes, 'muscle')}. "
        "Progressive motor deficit: consider urgent surgical opinion.",
        "Your latest examination found more weakness in your leg than last time. Your clinician "
        "will contact you about the next steps soon.",
    )


def _reflex_finding(lost: pd.DataFrame, day: pd.Timestamp, assessment_id: int) -> Finding:
    changes = _changes(lost, "reflex")
    return _finding(
        "reflex_loss",
        day,
        {"assessment_id": assessment_id, "changes": changes},
        f"Reflex weaker than at the previous assessment: {_listed(changes, 'reflex')}.",
        "Your latest examination found a weaker reflex than last time. Your clinician will "
        "review this with you.",
    )


# --- questionnaire rules -----------------------------------------------------------


def evaluate_odi_rules(odi: pd.DataFrame, day: dt.date | str | pd.Timestamp) -> list[Finding]:
    """odi_worsening: the score of `day` ≥ 10 points above the latest scored ODI before it.

    Input: one patient's patient_id, date, score (0–100, None = unscored).
    """
    check_one_patient(odi, "evaluate_odi_rules")
    day = to_timestamp(day)
    scored = odi.assign(date=calendar_dates(odi["date"]), score=pd.to_numeric(odi["score"]))
    scored = scored.dropna(subset=["score"]).sort_values("date")
    today = scored.loc[scored["date"] == day, "score"]
    before = scored[scored["date"] < day].tail(1)
    if today.empty or before.empty:
        return []
    now, previous = float(today.iloc[-1]), float(before["score"].iloc[0])
    if now < previous + ODI_MCID - EPSILON:
        return []
    previous_day = before["date"].iloc[0]
    return [
        _finding(
            "odi_worsening",
            day,
            {
                "score": now,
                "previous_score": previous,
                "previous_date": previous_day,
                "change": now - previous,
            },
            f"Oswestry Disability Index {now:.0f} on {_iso(day)}, up {now - previous:.0f} points from "
            f"{previous:.0f} on {_iso(previous_day)} (MCID 10).",
            "Your latest questionnaire shows your back and leg problem is affecting daily life more "
            "than last time. Your physiotherapist has been told and may contact you.",
        )
    ]


# --- scheduled rules ---------------------------------------------------------------


def missed_entries(
    last_entry: pd.DataFrame, today: dt.date | str | pd.Timestamp | pd.Series | dict[int, Any]
) -> list[tuple[int, Finding]]:
    """(patient_id, missed_entries finding) for each patient with 3 or more whole days unlogged.

    Input: patient_id, last_date (date of the latest entry; NaT/None = never logged, which
    raises nothing: there is no diary to lapse). `today` (one day, or patient_id → day)
    is not over yet, so it is not counted: with the last entry on Monday, Tuesday to
    Thursday are missed and the finding is raised from Friday, (today - last_date) ≥ 4 days.
    """
    last = calendar_dates(last_entry["last_date"])
    now = dates_by_patient(last_entry["patient_id"], today)
    missed = (now - last).dt.days - 1  # whole days strictly between the last entry and today
    due = last_entry.assign(last=last, now=now, missed=missed)[missed >= MISSED_DAYS]
    return [
        (int(row.patient_id), _missed_finding(row.now, row.last, int(row.missed)))
        for row in due.itertuples(index=False)
    ]


def _missed_finding(today: pd.Timestamp, last: pd.Timestamp, missed: int) -> Finding:
    return _finding(
        "missed_entries",
        today,
        {"last_entry_date": last, "days_without_entry": missed},
        f"No diary entry for {missed} days (last entry {_iso(last)}).",
        f"We have not had a diary entry from you since {last.day} {last:%B}. A quick entry takes "
        "under a minute and helps your physiotherapist follow your progress.",
    )
