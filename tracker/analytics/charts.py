"""One patient's diary as charts (PRODUCT.md "Charts"): PNG or SVG bytes, or drawn into a Figure.

`render_chart` answers the API (`GET …/charts/{kind}.{png,svg}`); `draw_chart` draws the same
chart into any Figure or SubFigure (the PDF report uses it). Always `matplotlib.figure.Figure`,
never pyplot: no global figure state in a server.

Inputs, all for one patient:
- `diary`: a `diary_frame` (may be empty);
- `events`: DataFrame with `date`, `kind` (other columns ignored);
- `alerts`: DataFrame with `raised_on`, `severity`, `rule`;
- `odi`: DataFrame with `date`, `score` (the weekly chart draws it).

The output is deterministic: the same inputs, size and format give the same bytes (PNG without
a Software/date tag, SVG with a fixed `svg.hashsalt` and no date). So the API derives its ETag
from the data with `chart_etag` (same arguments as `render_chart`) without rendering, and
answers 304 before any drawing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import matplotlib as mpl
import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure, FigureBase
from matplotlib.legend_handler import HandlerTuple
from matplotlib.patches import Patch
from matplotlib.ticker import FixedFormatter, FixedLocator, PercentFormatter
from matplotlib.transforms import Bbox
from PIL import Image

from tracker.analytics.frames import calendar_dates, to_timestamp
from tracker.analytics.trends import week_start, weekly_trends
from tracker.vocabulary import RADIATION_LEVELS, SEVERITIES

#: Chart kinds, as in `/charts/{kind}.{fmt}`.
KINDS = ("pain", "radiation", "walking", "numbness", "weekly")
#: Output formats and their media types.
FORMATS = ("png", "svg")
MEDIA_TYPES = {"png": "image/png", "svg": "image/svg+xml"}
#: Size bounds in pixels (inclusive); the API answers 400 outside them.
MIN_WIDTH, MAX_WIDTH, DEFAULT_WIDTH = 320, 2000, 800
MIN_HEIGHT, MAX_HEIGHT, DEFAULT_HEIGHT = 240, 1600, 500
#: Pixels per inch of the PNG: the CSS reference pixel, so an SVG of w×h px is w×h in a browser too.
DPI = 96
#: zlib level of the PNGs: 3 is about half the time of the default 6 for 5 % more bytes.
PNG_COMPRESSION = 3
#: Part of every ETag: bump it when a chart's look changes.
RENDERER_VERSION = f"tracker-charts-1 matplotlib-{mpl.__version__} pandas-{pd.__version__}"

DateLike = dt.date | str | pd.Timestamp | None

# Okabe & Ito (2008) colour-blind-safe palette; every series also differs by marker or line style.
BLACK, ORANGE, SKY, GREEN, YELLOW, BLUE, VERMILLION, PURPLE = (
    "#000000", "#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7",
)
GREY, DARK = "#8C8C8C", "#333333"
PURPLE_TEXT = "#9E4F82"  # Okabe–Ito purple darkened for text on white (contrast ≥ 4.5:1)
SEVERITY_STYLE = {  # colour, marker: distinguishable without colour (print, colour blindness)
    "emergency": (VERMILLION, "X"),
    "urgent": (ORANGE, "v"),
    "warning": (YELLOW, "^"),
    "info": (SKY, "o"),
}
RADIATION_LABELS = ("none", "buttock", "thigh", "knee", "calf", "foot / toes")
# Skin regions by dermatome, proximal root first. L5 and S1 are PRODUCT.md's groups; the others
# follow the usual dermatome maps (front of thigh L3, shin L4; back of thigh S2, buttock S2–S3,
# saddle S3–S5), so a band of rows lights up when one root is involved.
REGION_GROUPS = (
    ("L3–4", ("front_of_thigh", "shin")),
    ("L5", ("outer_calf", "top_of_foot", "big_toe")),
    ("S1", ("back_of_calf", "sole", "outer_foot", "little_toe", "heel")),
    ("S2–5", ("back_of_thigh", "buttock", "saddle")),
)
REGION_ORDER = tuple(region for _, regions in REGION_GROUPS for region in regions)

# A 7-day trailing window on calendar days: gaps stay gaps. Thresholds match the rules:
# pain_worsening needs ≥ 4 entries in 7 days, walking_decline and peripheralization ≥ 3.
ROLLING_DAYS = 7
PAIN_MIN_DAYS = 4
MEDIAN_MIN_DAYS = 3
BASE_FONT = 11.0  # points at the default 800×500
_SVG_SALT = "tracker-charts"
_SVG_LOCK = threading.Lock()  # rc_context is process-global: one SVG save at a time
_SVG_SIZE = re.compile(rb'<svg([^>]*?) width="[^"]*" height="[^"]*"')


class ChartSizeError(ValueError):
    """Width or height outside [MIN_…, MAX_…] pixels."""


def validate_size(width: int, height: int) -> None:
    """Raise ChartSizeError unless MIN_WIDTH ≤ width ≤ MAX_WIDTH and the same for height."""
    problems = []
    for name, value, low, high in (
        ("width", width, MIN_WIDTH, MAX_WIDTH),
        ("height", height, MIN_HEIGHT, MAX_HEIGHT),
    ):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not low <= value <= high:
            problems.append(f"{name} must be a whole number of pixels from {low} to {high}, not {value!r}")
    if problems:
        raise ChartSizeError("; ".join(problems))


# --- inputs -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Inputs:
    """What one chart draws: the period and the inputs cut to it (dates as datetime64)."""

    kind: str
    start: pd.Timestamp | None  # None: an empty diary and no period asked for
    end: pd.Timestamp | None
    diary: pd.DataFrame  # includes the 6 days before start (rolling windows)
    events: pd.DataFrame  # date, kind
    alerts: pd.DataFrame  # date, severity, rule
    odi: pd.DataFrame  # date, score
    diary_is_empty: bool

    def in_period(self) -> pd.DataFrame:
        """Diary rows from start (or its week's Monday for weekly charts) to end."""
        return self.diary[self.diary["date"] >= self.first_day]

    @property
    def first_day(self) -> pd.Timestamp:
        return _monday(self.start) if self.kind in _WEEKLY_KINDS else self.start

    @property
    def last_day(self) -> pd.Timestamp:
        return _monday(self.end) + pd.Timedelta(days=6) if self.kind in _WEEKLY_KINDS else self.end


_WEEKLY_KINDS = ("numbness", "weekly")
#: The diary columns each chart draws (what its ETag hashes).
_DRAWN_COLUMNS = {
    "pain": ["date", "leg_pain", "back_pain"],
    "radiation": ["date", "radiation_level"],
    "walking": ["date", "walking_minutes"],
    "numbness": ["date", "numbness", "tingling"],
    "weekly": ["date", "leg_pain"],
}


def _prepare(
    kind: str,
    diary: pd.DataFrame,
    events: pd.DataFrame | None,
    alerts: pd.DataFrame | None,
    odi: pd.DataFrame | None,
    start: DateLike,
    end: DateLike,
    today: DateLike,
) -> _Inputs:
    if kind not in KINDS:
        raise ValueError(f"unknown chart kind {kind!r}; one of {', '.join(KINDS)}")
    if diary["patient_id"].nunique() > 1:
        raise ValueError("a chart shows one patient's diary")
    dates = diary["date"]
    lo = to_timestamp(start) if start is not None else (dates.min() if len(dates) else None)
    if end is not None:
        hi = to_timestamp(end)
    elif today is not None:
        hi = to_timestamp(today)
    else:
        hi = dates.max() if len(dates) else None
    if lo is None and hi is not None:
        lo = hi - pd.Timedelta(days=27)
    if hi is None and lo is not None:
        hi = lo + pd.Timedelta(days=27)
    if lo is not None and lo > hi:
        raise ValueError(f"start {lo.date()} is after end {hi.date()}")
    empty = pd.DataFrame({"date": pd.Series(dtype="datetime64[ns]")})
    if lo is None:
        return _Inputs(kind, None, None, diary.iloc[:0], empty, empty, empty, diary_is_empty=True)
    # Rolling windows read the 6 days before start (which covers the start's ISO week too).
    rows = diary[(dates >= lo - pd.Timedelta(days=ROLLING_DAYS - 1)) & (dates <= hi)]
    first = _monday(lo) if kind in _WEEKLY_KINDS else lo
    return _Inputs(
        kind,
        lo,
        hi,
        rows.reset_index(drop=True),
        _dated(events, "date", ("kind",), first, hi) if kind in ("pain", "radiation", "walking") else empty,
        _dated(alerts, "raised_on", ("severity", "rule"), first, hi) if kind == "pain" else empty,
        _dated(odi, "date", ("score",), first, hi) if kind == "weekly" else empty,
        diary_is_empty=diary.empty,
    )


def _dated(
    frame: pd.DataFrame | None, date_column: str, keep: tuple[str, ...], lo: pd.Timestamp, hi: pd.Timestamp
) -> pd.DataFrame:
    """`frame`'s rows dated lo…hi, as `date` (datetime64) plus the `keep` columns, by date."""
    if frame is None or frame.empty:
        columns = {c: pd.Series(dtype=object) for c in keep}
        return pd.DataFrame({"date": pd.Series(dtype="datetime64[ns]"), **columns})
    dates = _days(frame[date_column])
    inside = np.flatnonzero((dates >= lo.to_datetime64()) & (dates <= hi.to_datetime64()))
    inside = inside[np.argsort(dates[inside], kind="stable")]
    return pd.DataFrame({"date": dates[inside], **{c: frame[c].to_numpy()[inside] for c in keep}})


def _days(values: pd.Series) -> np.ndarray:
    """Calendar days as datetime64[ns]: python dates directly, anything else via `calendar_dates`."""
    raw = values.to_numpy()
    if raw.dtype == object and all(type(v) is dt.date for v in raw):  # what the database driver gives
        return raw.astype("datetime64[D]").astype("datetime64[ns]")
    return calendar_dates(values.reset_index(drop=True)).to_numpy()


def _monday(day: pd.Timestamp) -> pd.Timestamp:
    return day - pd.Timedelta(days=day.day_of_week)


# --- public API ---------------------------------------------------------------------------------


def _check_output(fmt: str, width: int, height: int) -> None:
    """The format and size render_chart and chart_etag both accept."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown chart format {fmt!r}; one of {', '.join(FORMATS)}")
    validate_size(width, height)


def render_chart(
    kind: str,
    diary: pd.DataFrame,
    *,
    events: pd.DataFrame | None = None,
    alerts: pd.DataFrame | None = None,
    odi: pd.DataFrame | None = None,
    start: DateLike = None,
    end: DateLike = None,
    fmt: str = "png",
    width: int = DEFAULT_WIDTH,
    height: int = DEFAULT_HEIGHT,
    today: DateLike = None,
) -> bytes:
    """One chart of one patient as PNG (exactly width×height pixels) or SVG (width/height in px).

    start/end: the calendar days shown, inclusive; start defaults to the first entry, end to
    `today`, else the last entry. Weekly kinds (`numbness`, `weekly`) show whole ISO weeks.
    An empty diary, or no entries in the period, gives a "No diary entries …" picture.
    Raises ChartSizeError for a size out of bounds, ValueError for an unknown kind or format,
    start after end, or a diary of several patients.
    """
    _check_output(fmt, width, height)
    inputs = _prepare(kind, diary, events, alerts, odi, start, end, today)
    look = _Look.for_pixels(width, height)
    figure = Figure(figsize=(width / DPI, height / DPI), dpi=DPI, layout="constrained")
    figure.get_layout_engine().set(w_pad=look.pad, h_pad=look.pad)
    # An Agg canvas up front: layout and drawing then share one renderer and its text metrics.
    FigureCanvasAgg(figure)
    _draw(figure, inputs, look)
    settle_layout(figure)
    return _save(figure, fmt, width, height)


def draw_chart(
    figure: FigureBase,
    kind: str,
    diary: pd.DataFrame,
    *,
    events: pd.DataFrame | None = None,
    alerts: pd.DataFrame | None = None,
    odi: pd.DataFrame | None = None,
    start: DateLike = None,
    end: DateLike = None,
    today: DateLike = None,
    font_size: float = 9.0,
) -> None:
    """Draw the chart `render_chart` would into a Figure or SubFigure (use constrained layout).

    `font_size` is the base size in points; titles and labels are scaled from it.
    """
    inputs = _prepare(kind, diary, events, alerts, odi, start, end, today)
    width_in = figure.bbox.width / figure.dpi
    _draw(figure, inputs, _Look(font_size, width_in))


def chart_etag(
    kind: str,
    diary: pd.DataFrame,
    *,
    events: pd.DataFrame | None = None,
    alerts: pd.DataFrame | None = None,
    odi: pd.DataFrame | None = None,
    start: DateLike = None,
    end: DateLike = None,
    fmt: str = "png",
    width: int = DEFAULT_WIDTH,
    height: int = DEFAULT_HEIGHT,
    today: DateLike = None,
) -> str:
    """A strong ETag (quoted hex) for what `render_chart` would return, without rendering.

    Hashes RENDERER_VERSION, kind, format, size, the resolved period and exactly the data the
    chart draws (the diary columns it uses, cut to the period; events; alerts; ODI). Raises as
    render_chart does.
    """
    _check_output(fmt, width, height)
    inputs = _prepare(kind, diary, events, alerts, odi, start, end, today)
    digest = hashlib.sha256()
    header = [RENDERER_VERSION, kind, fmt, width, height, inputs.start, inputs.end, inputs.diary_is_empty]
    digest.update(repr(header).encode())
    drawn = inputs.diary[_DRAWN_COLUMNS[kind]]
    for frame in (drawn, inputs.events, inputs.alerts, inputs.odi):
        digest.update(b"\x00" + frame.to_csv(index=False, date_format="%Y-%m-%d").encode())
    return f'"{digest.hexdigest()[:32]}"'


def settle_layout(figure: Figure) -> None:
    """Run the figure's constrained layout once, round the result, and switch the engine off.

    savefig would otherwise lay out with a throw-away draw before the real one (twice the
    work). The solver's last bits vary from run to run (kiwisolver orders by memory address),
    so positions are rounded to 1e-6 of the (sub)figure, a thousandth of a pixel: the same
    inputs then give the same bytes.
    """
    engine = figure.get_layout_engine()
    if engine is None:
        return
    engine.execute(figure)
    for subfigure in _subfigures(figure):
        box = subfigure.bbox_relative
        box.set_points(np.round(box.get_points(), 6))
    for ax in figure.axes:  # every axes of every subfigure, colorbars and twins included
        ax.set_position(Bbox(np.round(ax.get_position(original=False).get_points(), 6)), which="both")
    figure.set_layout_engine(None)


def _subfigures(figure: FigureBase) -> list[FigureBase]:
    found = []
    for subfigure in figure.subfigs:
        found += [subfigure, *_subfigures(subfigure)]
    return found


def _save(figure: Figure, fmt: str, width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    if fmt == "png":
        # Drawn by Agg, encoded by Pillow as opaque RGB (the background is white): a quarter
        # less data than savefig's RGBA, so smaller and faster; no text chunks, so stable bytes.
        canvas = figure.canvas
        canvas.draw()
        size = canvas.get_width_height()
        image = Image.frombuffer("RGBA", size, canvas.buffer_rgba(), "raw", "RGBA", 0, 1).convert("RGB")
        image.save(buffer, format="png", compress_level=PNG_COMPRESSION, dpi=(DPI, DPI))
        return buffer.getvalue()
    # Element ids are hashes salted with svg.hashsalt (random when unset): fix it for stable bytes.
    with _SVG_LOCK, mpl.rc_context({"svg.hashsalt": _SVG_SALT, "svg.fonttype": "path"}):
        figure.savefig(buffer, format="svg", dpi=DPI, metadata={"Date": None})
    # matplotlib writes the size in pt (0.75 px at 96 dpi); say it in px, the viewBox scales.
    return _SVG_SIZE.sub(rb'<svg\1 width="%dpx" height="%dpx"' % (width, height), buffer.getvalue(), count=1)


# --- look ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Look:
    """Font and line sizes scaled from a base font size (points), so small charts stay legible."""

    font: float
    width_in: float
    scale: float = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "scale", self.font / BASE_FONT)

    @classmethod
    def for_pixels(cls, width: int, height: int) -> _Look:
        # Proportional to the size (a big chart looks like a scaled-up small one), never below
        # 7.5 pt (10 px): a 320×240 chart on a phone is still readable.
        font = BASE_FONT * min(width / DEFAULT_WIDTH, height / DEFAULT_HEIGHT)
        return cls(float(np.clip(font, 7.5, 28.0)), width / DPI)

    @property
    def title(self) -> float:
        return self.font * 1.25

    @property
    def small(self) -> float:
        return self.font * 0.85

    @property
    def line(self) -> float:
        return 1.8 * self.scale

    @property
    def marker(self) -> float:
        return 4.5 * self.scale

    @property
    def pad(self) -> float:
        """Space around the chart, in inches."""
        return self.font * 0.5 / 72

    @property
    def max_ticks(self) -> int:
        # A concise date label is about 5 ems wide.
        return max(3, int(self.width_in * 72 / (self.font * 5.5)))

    def legend_columns(self, labels: Sequence[str]) -> int:
        """As many columns as the widest entry allows (about 0.6 em a character plus the key)."""
        widest = max(len(label) for label in labels) * 0.6 + 3.5  # ems of the small font
        return max(1, min(len(labels), int(self.width_in * 72 * 0.95 / (self.small * widest))))


def _draw(figure: FigureBase, inputs: _Inputs, look: _Look) -> None:
    figure.set_facecolor("white")
    _DRAWERS[inputs.kind](figure, inputs, look)


def _empty(figure: FigureBase, title: str, headline: str, detail: str, look: _Look) -> None:
    """The "no data" picture: the chart's title over a framed, empty plot area with a message."""
    ax = figure.add_subplot()
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_facecolor("#F4F4F4")
    for spine in ax.spines.values():
        spine.set_color("#D0D0D0")
    _title(ax, title, look)
    ax.text(0.5, 0.56, headline, transform=ax.transAxes, ha="center", va="center",
            fontsize=look.font * 1.6, fontweight="bold", color=DARK, wrap=True)
    ax.text(0.5, 0.40, detail, transform=ax.transAxes, ha="center", va="center",
            fontsize=look.font, color="#555555", wrap=True)


def _no_data(figure: FigureBase, inputs: _Inputs, title: str, look: _Look, what: str | None = None) -> None:
    if inputs.diary_is_empty or inputs.start is None:
        _empty(figure, title, "No diary entries yet", "Charts appear once daily entries are logged.", look)
    elif what is None:
        _empty(figure, title, "No diary entries in this period", _period_words(inputs), look)
    else:
        _empty(figure, title, what, _period_words(inputs), look)


def _period_words(inputs: _Inputs) -> str:
    lo, hi = inputs.first_day, inputs.last_day
    return f"{lo.day} {lo:%b %Y} – {hi.day} {hi:%b %Y}"


def _title(ax: Axes, text: str, look: _Look) -> None:
    # A fixed y: nothing sits above the axes, and matplotlib then skips searching for room.
    ax.set_title(text, loc="left", y=1.0, fontsize=look.title, fontweight="bold", color=DARK,
                 pad=look.font * 0.6)


def _time_axes(figure: FigureBase, inputs: _Inputs, look: _Look, *, weeks: bool = False) -> Axes:
    """Axes with the period on a date x axis (concise labels), light y grid, tidy spines."""
    ax = figure.add_subplot()
    lo, hi = _num(inputs.first_day), _num(inputs.last_day)
    ax.set_xlim(lo - 0.5, hi + 0.5)
    _date_ticks(ax, lo - 0.5, hi + 0.5, look)
    ax.set_xlabel("Week" if weeks else "Date", fontsize=look.font, color=DARK)
    ax.tick_params(labelsize=look.small, colors=DARK, length=3 * look.scale, width=0.8 * look.scale)
    ax.grid(axis="y", color="#E3E3E3", linewidth=0.8 * look.scale)
    ax.set_axisbelow(True)
    for name in ("top", "right"):
        ax.spines[name].set_visible(False)
    for name in ("left", "bottom"):
        ax.spines[name].set_linewidth(0.8 * look.scale)
        ax.spines[name].set_color("#555555")
    return ax


def _date_ticks(ax: Axes, lo: float, hi: float, look: _Look) -> None:
    """Concise date labels, chosen once: fixed ticks keep layout and drawing cheap."""
    locator = mdates.AutoDateLocator(minticks=3, maxticks=look.max_ticks)
    ticks = np.asarray(locator.tick_values(mdates.num2date(lo), mdates.num2date(hi)))
    ticks = ticks[(ticks >= lo) & (ticks <= hi)]
    # Offsets (the line under the labels) read "May 2026" rather than "2026-May".
    concise = mdates.ConciseDateFormatter(
        locator, offset_formats=["", "%Y", "%b %Y", "%d %b %Y", "%d %b %Y", "%d %b %Y %H:%M"]
    )
    formatter = FixedFormatter(concise.format_ticks(ticks))
    formatter.set_offset_string(concise.get_offset())
    ax.xaxis.set_major_locator(FixedLocator(ticks))
    ax.xaxis.set_major_formatter(formatter)
    ax.xaxis.get_offset_text().set_fontsize(look.small)


def _ylabel(ax: Axes, text: str, look: _Look) -> None:
    ax.set_ylabel(text, fontsize=look.font, color=DARK)


def _legend(figure: FigureBase, entries: list[tuple[Any, str]], look: _Look) -> None:
    """A legend under the plot; a handle may be a tuple of artists, drawn on top of each other."""
    if not entries:
        return
    handles, labels = zip(*entries, strict=True)
    figure.legend(
        handles,
        labels,
        handler_map={tuple: HandlerTuple(ndivide=1)},
        loc="outside lower center",
        ncols=look.legend_columns(labels),
        fontsize=look.small,
        frameon=False,
        handlelength=1.8,
        columnspacing=1.2,
        borderaxespad=0.2,
    )


def _num(day: pd.Timestamp) -> float:
    return float(mdates.date2num(day.to_datetime64()))


def _nums(dates: pd.Series) -> np.ndarray:
    return mdates.date2num(dates.to_numpy(dtype="datetime64[ns]"))


def _floats(values: pd.Series) -> np.ndarray:
    return values.to_numpy(dtype="float64", na_value=np.nan)


def _rolling(inputs: _Inputs, column: str, how: str, min_days: int) -> tuple[np.ndarray, np.ndarray]:
    """Trailing 7-calendar-day mean or median of a diary column on each day of the period.

    Days without an answer are gaps, not zeros; a day with fewer than `min_days` answers in
    its window is NaN, so the line breaks across long gaps. The window reaches back before
    start (`_prepare` keeps those 6 days). Returns (matplotlib day numbers, values).
    """
    first = inputs.start - pd.Timedelta(days=ROLLING_DAYS - 1)
    days = (inputs.end - first).days + 1
    offsets = (inputs.diary["date"].to_numpy() - first.to_datetime64()) // np.timedelta64(1, "D")
    daily = np.full(days, np.nan)
    daily[offsets] = _floats(inputs.diary[column])
    window = pd.Series(daily).rolling(ROLLING_DAYS, min_periods=min_days)
    rolled = (window.mean() if how == "mean" else window.median()).to_numpy()[ROLLING_DAYS - 1 :]
    return _num(inputs.start) + np.arange(len(rolled)), rolled


def _events(ax: Axes, inputs: _Inputs, look: _Look, label_y: float = 0.985) -> None:
    """Dashed vertical lines at event dates, labelled in words along the line.

    A label goes left of its line, or right when the previous event is too close for both.
    """
    if inputs.events.empty:
        return
    xs = _nums(inputs.events["date"])
    ax.vlines(xs, 0, 1, transform=ax.get_xaxis_transform(), colors=DARK,
              linestyles=(0, (3, 2)), linewidth=1.0 * look.scale, zorder=1.5)
    lo, hi = ax.get_xlim()
    # Days covered by one rotated line of text (about 1.3 em), the plot being ~85 % of the width.
    label_days = look.font * 1.3 / 72 / (look.width_in * 0.85) * (hi - lo)
    previous, previous_right = -np.inf, True
    for x, kind in zip(xs, inputs.events["kind"], strict=True):
        right = x - previous < label_days and not previous_right
        ax.text(x, label_y, f" {_words(kind).capitalize()} ", transform=ax.get_xaxis_transform(),
                rotation=90, ha="left" if right else "right", va="top", fontsize=look.small,
                color=DARK, zorder=4, parse_math=False,
                bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.75, "pad": 0.5},
                in_layout=False)  # inside the axes: nothing for the layout to make room for
        previous, previous_right = x, right


def _words(name: Any) -> str:
    return str(name).replace("_", " ")


# --- the charts ---------------------------------------------------------------------------------


def _pain(figure: FigureBase, inputs: _Inputs, look: _Look) -> None:
    title = "Leg and back pain"
    if inputs.start is None or not (inputs.diary["date"] >= inputs.start).any():
        return _no_data(figure, inputs, title, look)
    ax = _time_axes(figure, inputs, look)
    shown = inputs.in_period()
    xs = _nums(shown["date"])
    handles: list[tuple[Any, str]] = []
    series = (
        ("leg_pain", "Leg pain", BLUE, "o", "-"),
        ("back_pain", "Back pain", ORANGE, "s", (0, (4, 1.5))),
    )
    for column, label, colour, marker, style in series:
        values = _floats(shown[column])
        if np.isnan(values).all():
            continue
        points = ax.plot(xs, values, linestyle="none", marker=marker, markersize=look.marker,
                         color=colour, alpha=0.55, markeredgewidth=0, zorder=2)
        days, rolled = _rolling(inputs, column, "mean", PAIN_MIN_DAYS)
        line = ax.plot(days, rolled, linestyle=style, linewidth=look.line, color=colour, zorder=3)
        handles.append(((points[0], line[0]), f"{label}: daily, 7-day mean"))
    # Alerts sit in a band above the 0–10 scale, so they never hide a day's pain.
    others = sorted(set(inputs.alerts["severity"].astype(str)) - set(SEVERITIES))
    for severity in (*SEVERITIES, *others):
        raised = inputs.alerts[inputs.alerts["severity"] == severity]
        if raised.empty:
            continue
        colour, marker = SEVERITY_STYLE.get(severity, (GREY, "s"))
        mark = ax.plot(_nums(raised["date"]), np.full(len(raised), 11.0), linestyle="none",
                       marker=marker, markersize=look.marker * 1.9, color=colour,
                       markeredgecolor=BLACK, markeredgewidth=0.7 * look.scale, zorder=5)
        handles.append((mark[0], f"{severity.capitalize()} alert"))
    _events(ax, inputs, look, label_y=10.35 / 11.6)
    ax.set_ylim(-0.4, 11.6)
    ax.set_yticks(range(0, 11, 2), [str(v) for v in range(0, 11, 2)])
    if not inputs.alerts.empty:
        ax.axhline(10.5, color="#CCCCCC", linewidth=0.8 * look.scale, zorder=1)
    _ylabel(ax, "Pain (0–10 NRS)", look)
    _title(ax, title, look)
    _legend(figure, handles, look)


def _radiation(figure: FigureBase, inputs: _Inputs, look: _Look) -> None:
    title = "How far the leg pain reaches"
    if inputs.start is None or not (inputs.diary["date"] >= inputs.start).any():
        return _no_data(figure, inputs, title, look)
    shown = inputs.in_period()
    levels = _floats(shown["radiation_level"])
    if np.isnan(levels).all():
        return _no_data(figure, inputs, title, look, "No radiation answers in this period")
    ax = _time_axes(figure, inputs, look)
    points = ax.plot(_nums(shown["date"]), levels, linestyle="none", marker="o",
                     markersize=look.marker, color=BLUE, alpha=0.55, markeredgewidth=0, zorder=2)
    days, rolled = _rolling(inputs, "radiation_level", "median", MEDIAN_MIN_DAYS)
    line = ax.step(days, rolled, where="mid", linewidth=look.line, color=VERMILLION, zorder=1.8)
    _events(ax, inputs, look)
    ax.set_ylim(-0.4, len(RADIATION_LEVELS) - 0.4)
    ax.set_yticks(range(len(RADIATION_LEVELS)), RADIATION_LABELS)
    _ylabel(ax, "Furthest point of leg pain", look)
    _title(ax, title, look)
    _legend(figure, [(points[0], "Daily answer"), (line[0], "7-day median")], look)


def _walking(figure: FigureBase, inputs: _Inputs, look: _Look) -> None:
    title = "Walking before having to stop"
    if inputs.start is None or not (inputs.diary["date"] >= inputs.start).any():
        return _no_data(figure, inputs, title, look)
    shown = inputs.in_period()
    minutes = _floats(shown["walking_minutes"])
    if np.isnan(minutes).all():
        return _no_data(figure, inputs, title, look, "No walking times in this period")
    ax = _time_axes(figure, inputs, look)
    days_shown = (inputs.end - inputs.start).days + 1
    # One bar per day: a hairline gap between bars while they are wide enough to show it.
    bars = ax.bar(_nums(shown["date"]), np.nan_to_num(minutes), width=0.8 if days_shown <= 120 else 1.0,
                  color=GREEN, alpha=0.75, linewidth=0, zorder=2)  # unanswered days have no bar
    days, rolled = _rolling(inputs, "walking_minutes", "median", MEDIAN_MIN_DAYS)
    line = ax.plot(days, rolled, linewidth=look.line, color=BLACK, zorder=3)
    entries: list[tuple[Any, str]] = [(bars, "Minutes, daily"), (line[0], "7-day median")]
    could_not = minutes == 0  # an answer, unlike a day without one: mark it on the axis
    if could_not.any():
        zero = ax.plot(_nums(shown["date"])[could_not], np.zeros(could_not.sum()), linestyle="none",
                       marker="x", markersize=look.marker * 1.2, markeredgewidth=1.2 * look.scale,
                       color=VERMILLION, clip_on=False, zorder=4)
        entries.append((zero[0], "Could not walk (0 min)"))
    top = float(np.nanmax(minutes))
    ax.set_ylim(0, max(10.0, top * 1.15))
    _events(ax, inputs, look)
    _ylabel(ax, "Minutes walked", look)
    _title(ax, title, look)
    _legend(figure, entries, look)


def _numbness(figure: FigureBase, inputs: _Inputs, look: _Look) -> None:
    title = "Numbness by skin region"
    shown = inputs.in_period() if inputs.start is not None else inputs.diary
    if inputs.start is None or shown.empty:
        return _no_data(figure, inputs, title, look)
    weeks = pd.date_range(inputs.first_day, inputs.last_day, freq="7D")
    numb = _weekly_region_share(shown, "numbness", weeks)
    tingle = _weekly_region_share(shown, "tingling", weeks)
    if np.isnan(numb).all() and np.isnan(tingle).all():
        return _no_data(figure, inputs, title, look, "No numbness or tingling answers in this period")
    ax = _time_axes(figure, inputs, look, weeks=True)
    ax.grid(False)
    edges = _nums(pd.Series(weeks.append(pd.DatetimeIndex([weeks[-1] + pd.Timedelta(days=7)]))))
    rows = np.arange(len(REGION_ORDER) + 1)
    # Weeks with no answer are hatched grey: "not answered" is not "no numbness".
    ax.set_facecolor("#EDEDED")
    ax.patch.set_hatch("///")
    ax.patch.set_edgecolor("#C4C4C4")
    cmap = mpl.colormaps["Blues"].with_extremes(bad=(0, 0, 0, 0))
    mesh = ax.pcolormesh(edges - 0.5, rows, np.ma.masked_invalid(numb), cmap=cmap, vmin=0, vmax=1,
                         edgecolors="white", linewidth=0.6 * look.scale)
    centres = (edges[:-1] + edges[1:]) / 2 - 0.5
    x, y = np.meshgrid(centres, rows[:-1] + 0.5)
    tingling = np.nan_to_num(tingle) > 0
    dots = ax.scatter(x[tingling], y[tingling], s=(look.marker * 2.2) ** 2 * tingle[tingling],
                      color=ORANGE, edgecolors=BLACK, linewidths=0.6 * look.scale, zorder=3)
    ax.set_ylim(len(REGION_ORDER), 0)
    ax.set_yticks(rows[:-1] + 0.5, [_words(r) for r in REGION_ORDER])
    ax.tick_params(axis="y", length=0)
    ax.set_xlim(edges[0] - 0.5, edges[-1] - 0.5)
    boundary = 0
    for group, regions in REGION_GROUPS:
        ax.text(1.01, 1 - (boundary + len(regions) / 2) / len(REGION_ORDER), group,
                transform=ax.transAxes, ha="left", va="center", fontsize=look.small,
                fontweight="bold", color=DARK)
        boundary += len(regions)
        if boundary < len(REGION_ORDER):
            ax.axhline(boundary, color="white", linewidth=2.5 * look.scale)
            ax.axhline(boundary, color=DARK, linewidth=0.6 * look.scale)
    ax.spines["left"].set_visible(False)
    ax.set_ylabel("")
    bar = figure.colorbar(mesh, ax=ax, location="right", shrink=0.9, aspect=25, pad=0.03,
                          format=PercentFormatter(1.0, decimals=0))
    bar.set_ticks([0, 0.5, 1])
    bar.ax.tick_params(labelsize=look.small, length=2 * look.scale)
    bar.set_label("Numbness: share of days", fontsize=look.small, color=DARK)
    bar.outline.set_linewidth(0.5 * look.scale)
    _title(ax, title, look)
    entries: list[tuple[Any, str]] = []
    if tingling.any():
        entries.append((dots, "Tingling (dot size = share)"))
    if np.isnan(numb).any():
        unanswered = Patch(facecolor="#EDEDED", edgecolor="#C4C4C4", hatch="///", linewidth=0)
        entries.append((unanswered, "Not answered"))
    _legend(figure, entries, look)


def _weekly_region_share(diary: pd.DataFrame, column: str, weeks: pd.DatetimeIndex) -> np.ndarray:
    """regions × weeks: share of the week's days answering `column` that list the region.

    NaN where no day of the week answered ([] is an answer: "nowhere").
    """
    answered = diary[diary[column].notna()]
    week = week_start(answered["date"])
    days = week.value_counts().reindex(weeks)
    listed = pd.DataFrame({"week": week.to_numpy(), "region": answered[column].to_numpy()})
    listed = listed.explode("region")
    listed = listed.dropna().drop_duplicates()
    counts = pd.crosstab(listed["region"], listed["week"]) if len(listed) else pd.DataFrame()
    counts = counts.reindex(index=list(REGION_ORDER), columns=weeks, fill_value=0)
    return counts.to_numpy(dtype="float64") / days.to_numpy(dtype="float64")[None, :]


def _weekly(figure: FigureBase, inputs: _Inputs, look: _Look) -> None:
    title = "Weekly leg pain"
    shown = inputs.in_period() if inputs.start is not None else inputs.diary
    if inputs.start is None or shown.empty:
        return _no_data(figure, inputs, title, look)
    weeks = (inputs.last_day - inputs.first_day).days // 7 + 1
    odi = inputs.odi.assign(patient_id=shown["patient_id"].iloc[0])
    trends = weekly_trends(shown, odi, inputs.end, weeks)
    ax = _time_axes(figure, inputs, look, weeks=True)
    mid = _nums(trends["week_start"]) + 3.0  # Thursday: the middle of the ISO week
    low, high, mean = (_floats(trends[c]) for c in ("leg_pain_min", "leg_pain_max", "leg_pain_mean"))
    # Range bars 60 % of a week wide (the plot is ~85 % of the width), at most 14 pt at 800×500.
    width = min(0.6 * look.width_in * 72 * 0.85 / weeks, 14.0 * look.scale)
    bars = ax.vlines(mid, low, high, colors=SKY, linewidth=width, alpha=0.8, zorder=2)
    bars.set_capstyle("butt")
    line = ax.plot(mid, mean, color=BLUE, linewidth=look.line, marker="o", markersize=look.marker * 1.2,
                   zorder=3)
    handles: list[tuple[Any, str]] = [(line[0], "Weekly mean"), (bars, "Range (lowest–highest day)")]
    scored = trends.dropna(subset=["odi"])
    if not scored.empty:
        right = ax.twinx()
        odi_points = right.plot(_nums(scored["week_start"]) + 3.0, scored["odi"].to_numpy(dtype=float),
                                linestyle=":", color=PURPLE, marker="D", markersize=look.marker * 1.1,
                                linewidth=look.line * 0.8, zorder=4)
        right.set_ylim(-4, 104)
        right.set_ylabel("ODI (% disability)", fontsize=look.font, color=PURPLE_TEXT)
        right.tick_params(labelsize=look.small, colors=PURPLE_TEXT, length=3 * look.scale)
        right.spines["top"].set_visible(False)
        handles.append((odi_points[0], "ODI (disability %)"))
    ax.set_ylim(-0.4, 10.4)
    ax.set_yticks(range(0, 11, 2), [str(v) for v in range(0, 11, 2)])
    _ylabel(ax, "Leg pain (0–10 NRS)", look)
    _title(ax, title, look)
    _legend(figure, handles, look)


_DRAWERS = {
    "pain": _pain,
    "radiation": _radiation,
    "walking": _walking,
    "numbness": _numbness,
    "weekly": _weekly,
}
