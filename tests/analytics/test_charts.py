"""Charts: every kind in every format is a real image of the asked size, stable bytes, bounds."""

from __future__ import annotations

import datetime as dt
import struct
import xml.etree.ElementTree as ET

import pandas as pd
import pytest

from tests.analytics.conftest import DiaryFactory
from tracker.analytics.charts import (
    DEFAULT_HEIGHT,
    DEFAULT_WIDTH,
    FORMATS,
    KINDS,
    MAX_HEIGHT,
    MAX_WIDTH,
    MEDIA_TYPES,
    MIN_HEIGHT,
    MIN_WIDTH,
    ChartSizeError,
    chart_etag,
    render_chart,
    validate_size,
)

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
DAYS = 42  # six ISO weeks from Monday 2 March 2026
FACTORY = DiaryFactory()


def png_size(image: bytes) -> tuple[int, int]:
    """Width and height from the PNG's IHDR chunk (always the first chunk)."""
    assert image[:8] == PNG_MAGIC
    length, kind = struct.unpack(">I4s", image[8:16])
    assert kind == b"IHDR" and length == 13
    return struct.unpack(">II", image[16:24])


def svg_root(image: bytes) -> ET.Element:
    root = ET.fromstring(image)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    return root


def with_gaps(values: list, gaps: range = range(12, 19)) -> list:
    """One value per day, none in the gap week (and none on every 5th day)."""
    return [None if i in gaps or i % 5 == 4 else v for i, v in enumerate(values)]


@pytest.fixture(scope="module")
def diary() -> pd.DataFrame:
    """Six weeks, slowly improving, with a missed week and missed days; every chart field answered."""
    pain = with_gaps([max(0, 8 - i // 6) for i in range(DAYS)])
    regions = [["big_toe", "top_of_foot"], ["outer_calf"], [], None, ["sole", "heel"]]
    return FACTORY(
        pain,
        back_pain=[None if p is None else max(0, p - 2) for p in pain],
        radiation=[["calf", "foot", "knee", "thigh", "buttock"][i % 5] for i in range(DAYS)],
        numbness=[regions[i % 5] for i in range(DAYS)],
        tingling=[regions[(i + 2) % 5] for i in range(DAYS)],
        walking_minutes=[None if i % 7 == 3 else 10 + i for i in range(DAYS)],
        side="left",
    )


@pytest.fixture(scope="module")
def extras() -> dict[str, pd.DataFrame]:
    day = FACTORY.day
    return {
        "events": pd.DataFrame(
            {
                "date": [day(3), day(20), day(21)],
                "kind": ["physiotherapy_start", "epidural_injection", "other"],
            }
        ),
        "alerts": pd.DataFrame(
            {
                "raised_on": [day(5), day(9), day(30), day(31)],
                "severity": ["warning", "urgent", "emergency", "info"],
                "rule": ["pain_worsening", "new_foot_drop", "cauda_equina_signs", "missed_entries"],
            }
        ),
        "odi": pd.DataFrame({"date": [day(0), day(14), day(35)], "score": [48.0, 40.0, 30.0]}),
    }


def period() -> dict[str, dt.date]:
    return {"start": FACTORY.day(0), "end": FACTORY.day(DAYS - 1)}


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_and_format_is_an_image_of_the_asked_size(kind, fmt, diary, extras):
    image = render_chart(kind, diary, **extras, **period(), fmt=fmt, width=640, height=420)
    if fmt == "png":
        assert png_size(image) == (640, 420)
    else:
        root = svg_root(image)
        assert (root.get("width"), root.get("height")) == ("640px", "420px")
        assert root.get("viewBox") == "0 0 480 315"  # points: 0.75 pt per CSS pixel


def test_media_types_cover_the_formats():
    assert set(MEDIA_TYPES) == set(FORMATS) and MEDIA_TYPES["png"] == "image/png"


@pytest.mark.parametrize(
    ("kind", "words"),
    [
        ("pain", ["Leg and back pain", "Pain (0–10 NRS)", "Date", "Epidural injection", "Physiotherapy start",
                  "Urgent alert", "Leg pain: daily, 7-day mean"]),
        ("radiation", ["none", "buttock", "foot / toes", "Furthest point of leg pain", "7-day median"]),
        ("walking", ["Minutes walked", "7-day median"]),
        ("numbness", ["Numbness by skin region", "big toe", "L5", "S1", "Week", "Numbness: share of days",
                      "Tingling (dot size = share)"]),
        ("weekly", ["Weekly leg pain", "Leg pain (0–10 NRS)", "ODI (% disability)", "Week"]),
    ],
)
def test_charts_are_titled_and_labelled(kind, words, diary, extras):
    # The SVG keeps each text drawn as glyph paths, with the text itself in a comment.
    image = render_chart(kind, diary, **extras, **period(), fmt="svg").decode()
    for word in words:
        assert f"<!-- {word}" in image or f"<!--  {word}" in image, word


@pytest.mark.parametrize("kind", KINDS)
def test_an_empty_diary_gives_the_no_data_picture(kind, diary):
    empty = diary.iloc[:0]
    image = render_chart(kind, empty, start=None, end=None, width=360, height=300)
    assert png_size(image) == (360, 300)
    text = render_chart(kind, empty, start=None, end=None, today=dt.date(2026, 3, 2), fmt="svg").decode()
    assert "No diary entries yet" in text


def test_a_period_without_entries_says_so(diary):
    text = render_chart("pain", diary, start="2027-01-01", end="2027-01-31", fmt="svg").decode()
    assert "No diary entries in this period" in text and "1 Jan 2027 – 31 Jan 2027" in text
    assert png_size(render_chart("walking", diary, start="2027-01-01", end="2027-01-31")) == (
        DEFAULT_WIDTH, DEFAULT_HEIGHT)


def test_a_field_never_answered_says_so(make_diary):
    only_pain = make_diary([5, 6, 5, 4])
    text = render_chart("walking", only_pain, start=None, end=None, fmt="svg").decode()
    assert "No walking times in this period" in text
    text = render_chart("radiation", only_pain, start=None, end=None, fmt="svg").decode()
    assert "No radiation answers in this period" in text


@pytest.mark.parametrize(
    ("width", "height"),
    [(MIN_WIDTH - 1, DEFAULT_HEIGHT), (MAX_WIDTH + 1, DEFAULT_HEIGHT), (DEFAULT_WIDTH, MIN_HEIGHT - 1),
     (DEFAULT_WIDTH, MAX_HEIGHT + 1), (800.5, 500), (800, "500"), (True, 500), (0, 0)],
)
def test_sizes_out_of_bounds_raise(width, height, diary):
    with pytest.raises(ChartSizeError):
        validate_size(width, height)
    with pytest.raises(ValueError):  # ChartSizeError is a ValueError
        render_chart("pain", diary, start=None, end=None, width=width, height=height)


def test_the_bounds_themselves_render_exactly(diary):
    validate_size(MIN_WIDTH, MIN_HEIGHT)
    validate_size(MAX_WIDTH, MAX_HEIGHT)
    smallest = render_chart("pain", diary, start=None, end=None, width=MIN_WIDTH, height=MIN_HEIGHT)
    assert png_size(smallest) == (MIN_WIDTH, MIN_HEIGHT)
    largest = render_chart("numbness", diary, start=None, end=None, width=MAX_WIDTH, height=MAX_HEIGHT)
    assert png_size(largest) == (MAX_WIDTH, MAX_HEIGHT)


@pytest.mark.parametrize(("width", "height"), [(333, 241), (1001, 777), (1999, 1599)])
def test_odd_sizes_are_exact(width, height, diary):
    assert png_size(render_chart("weekly", diary, start=None, end=None, width=width, height=height)) == (
        width, height)


def test_bad_arguments_raise(diary):
    with pytest.raises(ValueError, match="kind"):
        render_chart("sleep", diary, start=None, end=None)
    with pytest.raises(ValueError, match="format"):
        render_chart("pain", diary, start=None, end=None, fmt="gif")
    with pytest.raises(ValueError, match="after"):
        render_chart("pain", diary, start="2026-03-10", end="2026-03-01")
    two = pd.concat([diary, diary.assign(patient_id=2)], ignore_index=True)
    with pytest.raises(ValueError, match="one patient"):
        render_chart("pain", two, start=None, end=None)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("kind", ["pain", "numbness"])
def test_same_data_gives_the_same_bytes(kind, fmt, diary, extras):
    first = render_chart(kind, diary, **extras, **period(), fmt=fmt)
    again = render_chart(kind, diary.copy(), **{k: v.copy() for k, v in extras.items()}, **period(), fmt=fmt)
    assert first == again
    if fmt == "png":  # no tEXt chunk (Software, dates): nothing but the picture varies
        assert b"tEXt" not in first and b"Software" not in first
    else:
        assert b"<dc:date>" not in first


def test_etag_follows_the_drawn_data_only(diary, extras):
    etag = chart_etag("pain", diary, **extras, **period())
    assert etag.startswith('"') and etag == chart_etag("pain", diary.copy(), **extras, **period())
    assert etag != chart_etag("pain", diary, **extras, **period(), fmt="svg")
    assert etag != chart_etag("pain", diary, **extras, **period(), width=801)
    assert etag != chart_etag("radiation", diary, **extras, **period())
    changed = diary.copy()
    changed.loc[changed.index[-1], "leg_pain"] = 0
    assert etag != chart_etag("pain", changed, **extras, **period())
    # A field the pain chart does not draw, and an event after the period, change nothing.
    other = diary.assign(walking_minutes=pd.array([1] * len(diary), dtype="Int64"))
    late = pd.concat([extras["events"], pd.DataFrame({"date": [FACTORY.day(DAYS + 5)], "kind": ["fusion"]})])
    assert etag == chart_etag("pain", other, **{**extras, "events": late}, **period())


def test_a_diary_with_gaps_events_and_alerts_in_iso_strings_renders(make_diary):
    pain = [6, None, None, None, None, None, None, None, None, 7, 6, 5, None, 4]
    diary = make_diary(pain, radiation="calf", walking_minutes=20)
    events = pd.DataFrame({"date": ["2026-03-04", "2026-03-05"], "kind": ["discectomy", "medication_change"]})
    alerts = pd.DataFrame({"raised_on": ["2026-03-11"], "severity": ["mystery"], "rule": ["x"]})
    for kind in KINDS:
        image = render_chart(kind, diary, events=events, alerts=alerts, start=None, end=None,
                             width=400, height=300)
        assert png_size(image) == (400, 300)
    text = render_chart("pain", diary, events=events, alerts=alerts, start=None, end=None, fmt="svg").decode()
    assert "Discectomy" in text and "Medication change" in text
    assert "Mystery alert" in text  # a severity outside the vocabulary is still shown, in grey


def test_end_defaults_to_today_then_the_last_entry(diary):
    by_today = chart_etag("pain", diary, start=None, end=None, today=FACTORY.day(DAYS - 1))
    by_last_entry = chart_etag("pain", diary, start=None, end=None)
    explicit = chart_etag("pain", diary, start=FACTORY.day(0), end=FACTORY.day(DAYS - 1))
    assert by_today == explicit
    assert by_last_entry == chart_etag("pain", diary, start=FACTORY.day(0), end=diary["date"].max())


def test_zero_walking_minutes_are_marked_not_dropped(make_diary):
    diary = make_diary([5, 5, 6, 6], walking_minutes=[30, 0, None, 25])
    text = render_chart("walking", diary, start=None, end=None, fmt="svg").decode()
    assert "Could not walk (0 min)" in text
    text = render_chart("walking", make_diary([5, 5], walking_minutes=[30, 25]), start=None, end=None,
                        fmt="svg").decode()
    assert "Could not walk" not in text


def test_rolling_lines_use_calendar_days_and_keep_gaps(make_diary):
    from tracker.analytics.charts import _prepare, _rolling

    # Days 0–6 logged at 4, days 7–13 missed, days 14–20 logged at 8.
    diary = make_diary([4] * 7 + [None] * 7 + [8] * 7)
    inputs = _prepare("pain", diary, None, None, None, FACTORY.day(0), FACTORY.day(20), None)
    _, mean = _rolling(inputs, "leg_pain", "mean", 4)
    assert list(mean[:3]) == pytest.approx([float("nan")] * 3, nan_ok=True)  # fewer than 4 entries yet
    assert mean[3] == mean[6] == mean[9] == 4.0  # day 9 still sees 4 logged days (6, 5, 4, 3)
    assert all(pd.isna(mean[10:17]))  # the gap: the line breaks instead of bridging it
    assert mean[17] == mean[20] == 8.0
    # The window reaches back before start: day 3 alone is shown, but days 0–3 count.
    late = _prepare("pain", diary, None, None, None, FACTORY.day(3), FACTORY.day(20), None)
    assert _rolling(late, "leg_pain", "mean", 4)[1][0] == 4.0


def test_threads_rendering_at_once_give_the_same_bytes(diary, extras):
    """A threaded server renders several charts at once: no shared state leaks between them."""
    from concurrent.futures import ThreadPoolExecutor

    jobs = [(kind, fmt) for kind in ("pain", "weekly") for fmt in FORMATS] * 2
    alone = {job: render_chart(job[0], diary, **extras, **period(), fmt=job[1]) for job in set(jobs)}
    with ThreadPoolExecutor(max_workers=4) as pool:
        together = list(pool.map(lambda job: render_chart(job[0], diary, **extras, **period(), fmt=job[1]), jobs))
    assert together == [alone[job] for job in jobs]
