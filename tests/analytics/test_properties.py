"""Properties over generated diaries: steady and improving patients raise nothing; the
evaluation of day D never depends on entries after D."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.analytics.rules import evaluate_entry_rules
from tracker.analytics.signs import positive_signs
from tracker.vocabulary import RADIATION_LEVELS, REGIONS

from .conftest import DiaryFactory

FACTORY = DiaryFactory()
ORDINARY_REGIONS = [r for r in REGIONS if r != "saddle"]
# Absolute red flags (new foot drop, a first 3-day run of pain ≥ 8, cauda equina signs)
# fire whatever the trend, by design; a "steady" patient here is one without them.
STEADY_VALUES = {
    "back_pain": st.one_of(st.none(), st.integers(0, 10)),
    "side": st.sampled_from([None, "left", "right", "both"]),
    "radiation": st.sampled_from([None, *RADIATION_LEVELS]),
    "numbness": st.one_of(st.none(), st.lists(st.sampled_from(ORDINARY_REGIONS), max_size=3, unique=True)),
    "tingling": st.one_of(st.none(), st.lists(st.sampled_from(ORDINARY_REGIONS), max_size=3, unique=True)),
    "heel_walk": st.sampled_from([None, "normal", "difficult"]),
    "toe_walk": st.sampled_from([None, "normal", "difficult"]),
    "foot_drop": st.sampled_from([None, False]),
    "walking_minutes": st.one_of(st.none(), st.integers(0, 600)),
    "bladder_or_bowel_change": st.sampled_from([None, False]),
    "saddle_numbness": st.sampled_from([None, False]),
    "exercises_done": st.sampled_from([None, False, True]),
}


@st.composite
def presence(draw: st.DrawFn, min_days: int = 21, max_days: int = 40) -> list[bool]:
    """Which days have an entry: random gaps, the last day always logged."""
    days = draw(st.lists(st.booleans(), min_size=min_days - 1, max_size=max_days - 1))
    return [*days, True]


@st.composite
def steady_diary(draw: st.DrawFn) -> tuple[Any, list[int]]:
    present = draw(presence())
    pain = draw(st.integers(0, 7))
    fields = {name: draw(strategy) for name, strategy in STEADY_VALUES.items()}
    diary = FACTORY([pain if p else None for p in present], **fields)
    return diary, [i for i, p in enumerate(present) if p]


@settings(max_examples=25, deadline=None)
@given(steady_diary(), st.data())
def test_steady_diary_raises_nothing(case: tuple[Any, list[int]], data: st.DataObject) -> None:
    diary, logged = case
    days = {logged[-1], *data.draw(st.lists(st.sampled_from(logged), max_size=4))}
    for i in days:
        assert evaluate_entry_rules(diary, FACTORY.day(i)) == []
        assert positive_signs(diary, FACTORY.day(i)) == []


@st.composite
def improving_diary(draw: st.DrawFn) -> tuple[Any, list[int]]:
    """Pain, radiation and numbness never increase; walking never decreases; random gaps."""
    present = draw(presence())
    n = len(present)
    steps = lambda top: sorted(draw(st.lists(st.integers(0, top), min_size=n, max_size=n)), reverse=True)  # noqa: E731
    pain, radiation, walking = steps(7), steps(5), steps(300)[::-1]
    numb = draw(st.lists(st.sampled_from(ORDINARY_REGIONS), min_size=n, max_size=n))
    # Regions only ever disappear: day i keeps the regions listed from i on.
    numbness = [sorted(set(numb[i:])) for i in range(n)]
    diary = FACTORY(
        [p if keep else None for p, keep in zip(pain, present, strict=True)],
        radiation=[RADIATION_LEVELS[r] for r in radiation],
        walking_minutes=walking,
        numbness=numbness,
        tingling=[],
        side=draw(st.sampled_from(["left", "right", "both"])),
        foot_drop=False,
    )
    return diary, [i for i, p in enumerate(present) if p]


@settings(max_examples=25, deadline=None)
@given(improving_diary(), st.data())
def test_improving_diary_raises_nothing(case: tuple[Any, list[int]], data: st.DataObject) -> None:
    diary, logged = case
    for i in {logged[-1], *data.draw(st.lists(st.sampled_from(logged), max_size=4))}:
        assert evaluate_entry_rules(diary, FACTORY.day(i)) == []


ANY_VALUES = {
    **STEADY_VALUES,
    "foot_drop": st.sampled_from([None, False, True]),
    "heel_walk": st.sampled_from([None, "normal", "difficult", "unable"]),
    "toe_walk": st.sampled_from([None, "normal", "difficult", "unable"]),
    "bladder_or_bowel_change": st.sampled_from([None, False, True]),
    "side": st.sampled_from([None, "left", "both"]),
}


@st.composite
def eventful_diary(draw: st.DrawFn) -> tuple[Any, int]:
    """A diary that changes regime on a random day (so trend rules do fire), with random gaps."""
    present = draw(presence(min_days=2, max_days=40))
    n, switch = len(present), draw(st.integers(0, len(present)))
    regime = lambda before, after: [draw(before if i < switch else after) for i in range(n)]  # noqa: E731
    pain = regime(st.integers(0, 4), st.integers(5, 10))
    diary = FACTORY(
        [p if keep else None for p, keep in zip(pain, present, strict=True)],
        radiation=regime(st.sampled_from(["buttock", "thigh"]), st.sampled_from([None, "calf", "foot"])),
        numbness=regime(
            st.just([]), st.one_of(st.none(), st.lists(st.sampled_from(REGIONS), max_size=2, unique=True))
        ),
        walking_minutes=regime(st.integers(30, 90), st.one_of(st.none(), st.integers(0, 20))),
        **{
            name: [draw(strategy) for _ in range(n)]
            for name, strategy in ANY_VALUES.items()
            if name not in ("numbness", "radiation", "walking_minutes")
        },
    )
    return diary, draw(st.integers(0, n - 1))


@settings(max_examples=40, deadline=None)
@given(eventful_diary())
def test_day_d_ignores_entries_after_d(case: tuple[Any, int]) -> None:
    diary, d = case
    day = FACTORY.day(d)
    until_day = diary[diary["date"] <= day.isoformat()]
    assert evaluate_entry_rules(diary, day) == evaluate_entry_rules(until_day, day)
    assert positive_signs(diary, day) == positive_signs(until_day, day)
