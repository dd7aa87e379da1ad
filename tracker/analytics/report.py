"""The physiotherapist's printable report (`GET /patients/{id}/report.pdf`): A4 pages, one PDF.

Built from matplotlib Figures (never pyplot) saved through the PDF backend's PdfPages:

1. summary — patient, period, days logged, latest entry, classification, ODI, events, and
   the alerts not yet resolved (open or acknowledged) with their clinician messages;
2. the weekly trends table (the last 12 weeks, oldest first), on a landscape page;
3. charts — pain, radiation and walking; then the numbness heat map and weekly leg pain;
4. the clinician's assessments (MRC grades, reflexes, straight-leg raise), oldest first.

Long text is wrapped to the measured width of the page and long lists or tables continue on
further pages, so nothing runs off the paper. The PDF carries no creation date: the same
inputs give the same bytes.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.patches import Rectangle
from matplotlib.textpath import TextToPath

from tracker.analytics.charts import DARK, ORANGE, SKY, VERMILLION, YELLOW, draw_chart, settle_layout
from tracker.analytics.frames import calendar_dates, to_timestamp
from tracker.vocabulary import MUSCLES, RADIATION_LEVELS, SEVERITIES

A4 = (8.27, 11.69)  # inches, portrait
MARGIN = 0.6  # inches on every side
HEADER = 0.45  # inches under the top margin for the running header
FOOTER = 0.35
BODY_FONT = 9.0
CHART_FONT = 8.0
REPORT_WEEKS = 12

DateLike = dt.date | str | pd.Timestamp
GREY_TEXT = "#555555"
RULE = "#BBBBBB"
STRIPE = "#F2F2F2"
SEVERITY_COLOUR = {"emergency": VERMILLION, "urgent": ORANGE, "warning": "#8A6D00", "info": "#2B6E99"}
SEVERITY_FILL = {"emergency": VERMILLION, "urgent": ORANGE, "warning": YELLOW, "info": SKY}
MUSCLE_HEADINGS = {
    "ankle_dorsiflexion": "Ankle dorsiflexion (L4–L5)",
    "big_toe_extension": "Big-toe extension (L5)",
    "foot_eversion": "Foot eversion (L5–S1)",
    "plantarflexion": "Plantar flexion (S1)",
}


def physio_report(
    patient: dict[str, Any],
    diary: pd.DataFrame,
    *,
    events: pd.DataFrame | Sequence[dict[str, Any]] | None,
    alerts: Sequence[dict[str, Any]],
    trends: pd.DataFrame,
    assessments: Sequence[dict[str, Any]],
    odi: pd.DataFrame | Sequence[dict[str, Any]] | None,
    today: DateLike,
) -> bytes:
    """A multi-page A4 PDF for one patient (see the module docstring for its pages).

    patient: `id`, `display_name`, `timezone`. diary: the patient's `diary_frame` (may be
    empty). events: `date`, `kind`. alerts: dicts with `rule`, `severity`, `status`,
    `raised_on`, `message`. trends: `weekly_trends` rows for the last weeks (12 expected).
    assessments: dicts with `date`, `left` / `right` (None or dicts of MRC grades, reflexes,
    `slr_positive`, `slr_angle`) and optional `notes`. odi: `date`, `score`. today: the
    patient's local date, the end of the period and the report's date.
    """
    today_ts = to_timestamp(today)
    events_frame = _frame(events, ("date", "kind"))
    odi_frame = _frame(odi, ("date", "score"))
    trends = trends.sort_values("week_start", kind="stable").reset_index(drop=True)
    start = _period_start(trends, today_ts)
    name = str(patient.get("display_name") or f"Patient {patient.get('id', '')}")

    doc = _Document(header=f"Sciatica diary report — {name}", dated=f"Report of {_day(today_ts)}")
    _summary(doc, patient, name, diary, events_frame, alerts, trends, odi_frame, start, today_ts)
    _trends_table(doc, trends)
    chart_args = {"events": events_frame, "alerts": _alerts_frame(alerts), "odi": odi_frame,
                  "start": start, "end": today_ts, "today": today_ts}
    doc.chart_page(diary, ("pain", "radiation", "walking"), (1, 1, 1), chart_args)
    doc.chart_page(diary, ("numbness", "weekly"), (1.25, 1), chart_args)
    _assessments_table(doc, assessments)
    return doc.pdf(title=f"Sciatica diary report — {name} — {_day(today_ts)}")


# --- inputs -------------------------------------------------------------------------------------


def _frame(rows: pd.DataFrame | Sequence[dict[str, Any]] | None, columns: tuple[str, ...]) -> pd.DataFrame:
    if rows is None:
        return pd.DataFrame(columns=list(columns))
    return rows if isinstance(rows, pd.DataFrame) else pd.DataFrame(list(rows), columns=list(columns))


def _alerts_frame(alerts: Sequence[dict[str, Any]]) -> pd.DataFrame:
    return pd.DataFrame(
        [{name: alert.get(name) for name in ("raised_on", "severity", "rule")} for alert in alerts],
        columns=["raised_on", "severity", "rule"],
    )


def _period_start(trends: pd.DataFrame, today: pd.Timestamp) -> pd.Timestamp:
    """The first Monday of the trends table, else the Monday 11 weeks before today's."""
    if len(trends):
        return to_timestamp(trends["week_start"].min())
    return today - pd.Timedelta(days=today.day_of_week + 7 * (REPORT_WEEKS - 1))


# --- text measuring and wrapping ----------------------------------------------------------------

_TEXT_PATH = TextToPath()


@lru_cache(maxsize=4096)
def _width(text: str, size: float, bold: bool) -> float:
    """Width of one line of text in inches (DejaVu Sans, as matplotlib draws it)."""
    if not text:
        return 0.0
    prop = FontProperties(size=size, weight="bold" if bold else "normal")
    # 3 % spare: kerning between words and renderers' rounding never push a line past the margin.
    return _TEXT_PATH.get_text_width_height_descent(text, prop, ismath=False)[0] / 72 * 1.03


def wrap(text: str, width: float, size: float, bold: bool = False) -> list[str]:
    """Lines of `text` (paragraphs kept) no wider than `width` inches; over-long words are split."""
    lines: list[str] = []
    for paragraph in str(text).splitlines() or [""]:
        line = ""
        for word in paragraph.split():
            while _width(word, size, bold) > width:  # a word longer than a line: cut it
                cut = _longest_prefix(word, width, size, bold)
                if line:
                    lines.append(line)
                    line = ""
                lines.append(word[:cut])
                word = word[cut:]
            candidate = f"{line} {word}" if line else word
            if _width(candidate, size, bold) <= width:
                line = candidate
            else:
                lines.append(line)
                line = word
        lines.append(line)
    return lines


def _longest_prefix(word: str, width: float, size: float, bold: bool) -> int:
    cut = 1
    while cut < len(word) and _width(word[: cut + 1], size, bold) <= width:
        cut += 1
    return cut


def _line_height(size: float) -> float:
    return size * 1.35 / 72


# --- pages --------------------------------------------------------------------------------------


def _column_widths(columns: Sequence[_Column], rows: Sequence[Sequence[str] | str], total: float,
                   size: float, pad: float) -> list[float]:
    """Column widths in inches: each at least its longest word (so words are not cut), the
    rest of `total` shared by weight. Only when even the words do not fit are they cut."""
    def longest(texts: Iterable[str], bold: bool) -> float:
        return max((_width(word, size, bold) for t in texts for word in str(t).split()), default=0.0)

    cells = [row for row in rows if not isinstance(row, str)]
    least = np.array([
        max(longest([c.heading], True), longest([row[i] for row in cells], False)) + 2 * pad
        for i, c in enumerate(columns)
    ])
    if least.sum() >= total:
        return list(least * total / least.sum())
    # Share the spare width among the columns narrower than their share by weight, in
    # proportion to how much narrower: none exceeds its share, all together fill `total`.
    weights = np.array([c.weight for c in columns])
    wanted = np.maximum(total * weights / weights.sum() - least, 0.0)
    widths = least + (total - least.sum()) * wanted / wanted.sum()
    return list(widths)


@dataclass(frozen=True)
class _Column:
    heading: str
    weight: float  # share of the table width
    align: str = "left"


class _Document:
    """A4 pages filled top to bottom; a new page starts whenever the next block would not fit."""

    def __init__(self, header: str, dated: str) -> None:
        self.header, self.dated = header, dated
        self.pages: list[Figure] = []
        self.figure: Figure | None = None
        self.y = 0.0  # inches from the bottom of the page to the top of free space
        self.left = MARGIN
        self.width = A4[0] - 2 * MARGIN
        self.bottom = MARGIN + FOOTER
        self.landscape = False

    # pages

    def new_page(self, layout: str | None = None, *, landscape: bool | None = None) -> Figure:
        """A new page, portrait unless `landscape` (None: as the page before, for continuations)."""
        if landscape is not None:
            self.landscape = landscape
        width, height = A4[::-1] if self.landscape else A4
        self.figure = Figure(figsize=(width, height), dpi=72, layout=layout)
        self.pages.append(self.figure)
        self.width = width - 2 * MARGIN
        self.y = height - MARGIN - HEADER
        return self.figure

    def fits(self, height: float) -> bool:
        return self.figure is not None and self.y - height >= self.bottom

    def need(self, height: float, continued: str | None = None) -> None:
        """Start a new page unless `height` inches fit; `continued` heads the new page."""
        if not self.fits(height):
            self.new_page()
            if continued:
                self.heading(f"{continued} (continued)", size=11)

    # blocks

    def text(self, x: float, y: float, text: str, size: float, **style: Any) -> None:
        assert self.figure is not None
        # parse_math off: names, messages and notes are people's text, "$5 co-pay" included.
        self.figure.text(x, y, text, fontsize=size, transform=self.figure.dpi_scale_trans,
                         va="top", color=style.pop("color", DARK), parse_math=False, **style)

    def heading(self, text: str, size: float = 14.0) -> None:
        height = _line_height(size) + 0.08
        self.need(height + _line_height(BODY_FONT) * 3)  # never a heading alone at the bottom
        self.text(self.left, self.y, text, size, fontweight="bold")
        self.y -= height

    def space(self, inches: float) -> None:
        self.y -= inches

    def paragraph(self, text: str, *, size: float = BODY_FONT, bold: bool = False, indent: float = 0.0,
                  color: str = DARK, continued: str | None = None) -> None:
        """Wrapped text; lines run on to the next page when the page is full."""
        for line in wrap(text, self.width - indent, size, bold):
            self.need(_line_height(size), continued)
            self.text(self.left + indent, self.y, line, size, fontweight="bold" if bold else "normal",
                      color=color)
            self.y -= _line_height(size)

    def facts(self, rows: Iterable[tuple[str, str]], label_width: float = 1.8) -> None:
        """Label: value lines, values wrapped in their column."""
        for label, value in rows:
            lines = wrap(value, self.width - label_width, BODY_FONT)
            self.need(_line_height(BODY_FONT) * len(lines))
            self.text(self.left, self.y, label, BODY_FONT, fontweight="bold", color=GREY_TEXT)
            for line in lines:
                self.text(self.left + label_width, self.y, line, BODY_FONT)
                self.y -= _line_height(BODY_FONT)
            self.y -= 0.03

    def table(self, title: str, columns: Sequence[_Column], rows: Sequence[Sequence[str] | str],
              size: float = 7.5) -> None:
        """A table with a repeated header; a row given as one string spans every column (notes)."""
        pad = 0.04
        widths = _column_widths(columns, rows, self.width, size, pad)
        line = _line_height(size)

        def cells(values: Sequence[str], bold: bool) -> list[list[str]]:
            return [wrap(v, w - 2 * pad, size, bold) for v, w in zip(values, widths, strict=True)]

        header = cells([c.heading for c in columns], bold=True)
        header_height = max(len(c) for c in header) * line + 2 * pad

        def draw_header() -> None:
            self._band(self.y - header_height, header_height, "#E4E4E4")
            self._row(header, columns, widths, pad, size, bold=True)
            self.y -= header_height

        self.need(header_height + line * 2 + 2 * pad)
        draw_header()
        for index, row in enumerate(rows):
            spans = isinstance(row, str)
            content = [wrap(row, self.width - 2 * pad, size)] if spans else cells(row, bold=False)
            height = max(len(c) for c in content) * line + 2 * pad
            if not self.fits(height):
                self.new_page()
                self.heading(f"{title} (continued)", size=11)
                draw_header()
            if spans:
                self.text(self.left + pad, self.y - pad, "\n".join(content[0]), size, color=GREY_TEXT,
                          style="italic", linespacing=1.35)
            else:
                if index % 2:
                    self._band(self.y - height, height, STRIPE)
                self._row(content, columns, widths, pad, size, bold=False)
            self.y -= height
        self._rule(self.y)

    def _row(self, content: list[list[str]], columns: Sequence[_Column], widths: list[float],
             pad: float, size: float, bold: bool) -> None:
        x = self.left
        for lines, column, width in zip(content, columns, widths, strict=True):
            anchor = x + width - pad if column.align == "right" else x + pad
            self.text(anchor, self.y - pad, "\n".join(lines), size, ha=column.align,
                      fontweight="bold" if bold else "normal", linespacing=1.35)
            x += width

    def _band(self, y: float, height: float, colour: str) -> None:
        assert self.figure is not None
        self.figure.add_artist(Rectangle((self.left, y), self.width, height, facecolor=colour,
                                         edgecolor="none", transform=self.figure.dpi_scale_trans, zorder=0))

    def marker(self, y: float, colour: str) -> None:
        """A small square left of the next line (a severity colour, say)."""
        assert self.figure is not None
        side = _line_height(BODY_FONT) * 0.6
        square = Rectangle((self.left, y - side * 1.1), side, side, facecolor=colour, edgecolor=DARK,
                           linewidth=0.4, transform=self.figure.dpi_scale_trans)
        self.figure.add_artist(square)

    def _rule(self, y: float) -> None:
        assert self.figure is not None
        self.figure.add_artist(Rectangle((self.left, y), self.width, 0.008, facecolor=RULE, edgecolor="none",
                                         transform=self.figure.dpi_scale_trans))

    def chart_page(self, diary: pd.DataFrame, kinds: Sequence[str], heights: Sequence[float],
                   args: dict[str, Any]) -> None:
        """Charts stacked on one page, drawn by charts.draw_chart into subfigures."""
        figure = self.new_page(layout="constrained", landscape=False)
        figure.get_layout_engine().set(w_pad=0.04, h_pad=0.08)
        body = A4[1] - 2 * MARGIN - HEADER - FOOTER
        scale = body / sum(heights)
        rows = figure.subfigures(
            len(kinds) + 2, 1, height_ratios=[MARGIN + HEADER, *(h * scale for h in heights), MARGIN + FOOTER]
        )
        for kind, row in zip(kinds, rows[1:-1], strict=True):
            # Charts reach 0.1 in into the margins: their own padding keeps the ink inside.
            margins = [MARGIN - 0.1, A4[0] - 2 * MARGIN + 0.2, MARGIN - 0.1]
            _, chart, _ = row.subfigures(1, 3, width_ratios=margins)
            draw_chart(chart, kind, diary, font_size=CHART_FONT, **args)

    # finishing

    def pdf(self, title: str) -> bytes:
        """All pages with running header and "page i of n" footer, as PDF bytes."""
        buffer = io.BytesIO()
        count = len(self.pages)
        metadata = {"Title": title, "Creator": "tracker", "CreationDate": None}
        with PdfPages(buffer, metadata=metadata) as pdf:
            for number, figure in enumerate(self.pages, start=1):
                self.figure = figure
                self.width = figure.get_figwidth() - 2 * MARGIN
                self._decorate(number, count)
                settle_layout(figure)  # chart pages: laid out once, positions rounded (stable bytes)
                pdf.savefig(figure)
        return buffer.getvalue()

    def _decorate(self, number: int, count: int) -> None:
        assert self.figure is not None
        top = self.figure.get_figheight() - MARGIN
        self.text(self.left, top, self.header, 8, color=GREY_TEXT)
        self.text(self.left + self.width, top, self.dated, 8, color=GREY_TEXT, ha="right")
        self._rule(top - 0.2)
        foot = MARGIN + 0.12
        self._rule(foot + 0.08)
        self.text(self.left, foot, "Confidential: patient health information", 7.5, color=GREY_TEXT)
        self.text(self.left + self.width, foot, f"Page {number} of {count}", 7.5, color=GREY_TEXT, ha="right")


# --- page 1: summary ----------------------------------------------------------------------------


def _summary(
    doc: _Document,
    patient: dict[str, Any],
    name: str,
    diary: pd.DataFrame,
    events: pd.DataFrame,
    alerts: Sequence[dict[str, Any]],
    trends: pd.DataFrame,
    odi: pd.DataFrame,
    start: pd.Timestamp,
    today: pd.Timestamp,
) -> None:
    doc.new_page(landscape=False)
    doc.heading("Sciatica diary: physiotherapy report", size=16)
    doc.paragraph(name, size=13, bold=True)
    doc.space(0.12)
    in_period = diary[(diary["date"] >= start) & (diary["date"] <= today)]
    days = (today - start).days + 1
    facts = [
        ("Patient", f"{name} (id {patient.get('id', '–')}), time zone {patient.get('timezone') or '–'}"),
        ("Report period", f"{_day(start)} – {_day(today)} ({days} days, {REPORT_WEEKS} ISO weeks)"),
        ("Days logged", f"{len(in_period)} of {days} in the period"
                        + (f" ({len(in_period) / days:.0%}); {len(diary)} in all" if days else "")),
        ("Diary", f"first entry {_day(diary['date'].min())}, last entry {_day(diary['date'].max())}"
         if len(diary) else "no entries yet"),
        ("Latest entry", _latest_entry(diary)),
        ("Leg pain trend", _classification(trends)),
        ("ODI", _odi_summary(odi, start, today)),
        ("Events in period", _events_summary(events, start, today)),
    ]
    doc.facts(facts)
    doc.space(0.2)
    _alert_list(doc, alerts)


def _latest_entry(diary: pd.DataFrame) -> str:
    if diary.empty:
        return "–"
    last = diary.iloc[-1]
    parts = [f"{_day(last['date'])}: leg pain {_int(last['leg_pain'])}/10"]
    if pd.notna(last["back_pain"]):
        parts.append(f"back pain {_int(last['back_pain'])}/10")
    if pd.notna(last["radiation_level"]):
        parts.append(f"pain reaches the {_level_name(last['radiation_level'])}")
    if isinstance(last["side"], str):
        parts.append(f"side: {last['side']}")
    if pd.notna(last["walking_minutes"]):
        parts.append(f"walks {_int(last['walking_minutes'])} min")
    return ", ".join(parts)


def _classification(trends: pd.DataFrame) -> str:
    classified = trends.dropna(subset=["classification"])
    if classified.empty:
        return "not enough entries to compare weeks"
    last = classified.iloc[-1]
    change = last["leg_pain_change_from_first"]
    return (f"{last['classification']} — week of {_day(last['week_start'])}: mean leg pain "
            f"{_num(last['leg_pain_mean'])}, {_signed(change)} against the first logged week "
            "(2 points is the minimal clinically important difference)")


def _odi_summary(odi: pd.DataFrame, start: pd.Timestamp, today: pd.Timestamp) -> str:
    if odi.empty:
        return "no questionnaire"
    scored = pd.DataFrame({"date": calendar_dates(odi["date"].reset_index(drop=True)),
                           "score": pd.to_numeric(odi["score"]).to_numpy()}).dropna()
    scored = scored[scored["date"] <= today].sort_values("date", kind="stable")
    if scored.empty:
        return "no scored questionnaire"
    last = scored.iloc[-1]
    text = f"{last['score']:.0f} % on {_day(last['date'])}"
    before = scored[scored["date"] >= start]
    if len(before) > 1:
        first = before.iloc[0]
        text += f" ({_signed(last['score'] - first['score'], 0)} since {_day(first['date'])})"
    return text


def _events_summary(events: pd.DataFrame, start: pd.Timestamp, today: pd.Timestamp) -> str:
    if events.empty:
        return "none"
    dates = calendar_dates(events["date"].reset_index(drop=True))
    shown = events.reset_index(drop=True).assign(day=dates)
    shown = shown[(shown["day"] >= start) & (shown["day"] <= today)].sort_values("day", kind="stable")
    if shown.empty:
        return "none"
    return "; ".join(f"{_day(d)} {_words(k)}" for d, k in zip(shown["day"], shown["kind"], strict=True))


def _alert_list(doc: _Document, alerts: Sequence[dict[str, Any]]) -> None:
    unresolved = [a for a in alerts if a.get("status") in ("open", "acknowledged")]
    rank = {s: i for i, s in enumerate(SEVERITIES)}
    unresolved.sort(key=lambda a: _day_key(a.get("raised_on")), reverse=True)
    unresolved.sort(key=lambda a: rank.get(a.get("severity"), len(rank)))  # stable: newest first within
    doc.heading(f"Alerts not yet resolved ({len(unresolved)})", size=13)
    if not unresolved:
        doc.paragraph("No open or acknowledged alerts.", color=GREY_TEXT)
    for alert in unresolved:
        severity = str(alert.get("severity", ""))
        doc.need(_line_height(BODY_FONT) * 3 + 0.1)
        doc.marker(doc.y, SEVERITY_FILL.get(severity, "#999999"))
        title = (f"{severity.upper()} · {_words(alert.get('rule', '')).capitalize()} · raised "
                 f"{_day(alert.get('raised_on'))} · {alert.get('status')}")
        doc.paragraph(title, bold=True, indent=0.12, color=SEVERITY_COLOUR.get(severity, DARK))
        doc.paragraph(str(alert.get("message") or ""), indent=0.12, continued="Alerts not yet resolved")
        doc.space(0.08)
    resolved = len(alerts) - len(unresolved)
    if resolved:
        doc.paragraph(f"{resolved} resolved alert{'s' if resolved != 1 else ''} not listed.", color=GREY_TEXT)


# --- page 2: trends -----------------------------------------------------------------------------

TREND_TABLE = (
    _Column("Week of", 1.25),
    _Column("Days logged", 0.75, "right"),
    _Column("Leg pain mean (range)", 1.2, "right"),
    _Column("Back pain mean", 0.8, "right"),
    _Column("Radiation median / furthest", 1.5),
    _Column("Numb days", 0.7, "right"),
    _Column("Walking min (median)", 0.9, "right"),
    _Column("Foot drop days", 0.7, "right"),
    _Column("Heel / toe walk (worst)", 1.35),
    _Column("ODI %", 0.6, "right"),
    _Column("Change vs week before", 0.9, "right"),
    _Column("Change vs first week", 0.9, "right"),
    _Column("Trend", 1.0),
)


def _trends_table(doc: _Document, trends: pd.DataFrame) -> None:
    doc.new_page(landscape=True)  # thirteen columns: landscape keeps every word whole
    doc.heading("Weekly trends")
    doc.paragraph(
        "ISO weeks, Monday first, in the patient's time zone; oldest first. Pain on the 0–10 NRS; "
        "changes compare mean leg pain (a change of 2 or more is clinically important); "
        "trend = change against the first logged week.",
        size=8, color=GREY_TEXT,
    )
    doc.space(0.1)
    rows = [_trend_row(row) for row in trends.itertuples(index=False)]
    if not rows:
        doc.paragraph("No weeks to show.", color=GREY_TEXT)
        return
    doc.table("Weekly trends", TREND_TABLE, rows, size=8)


def _trend_row(week: Any) -> list[str]:
    if not week.days_logged:
        return [_day(week.week_start), "0", "–", "–", "–", "–", "–", "–", "–",
                _num(week.odi, 0), "–", "–", "–"]
    leg = f"{_num(week.leg_pain_mean)} ({_int(week.leg_pain_min)}–{_int(week.leg_pain_max)})"
    radiation = f"{_level_name(week.radiation_median)} / {_level_name(week.radiation_max)}"
    if pd.isna(week.radiation_median):
        radiation = "–"
    gait = f"{_text(week.heel_walk_worst)} / {_text(week.toe_walk_worst)}"
    numb = "–" if pd.isna(week.numbness_share) else f"{week.numbness_share:.0%}"
    return [
        _day(week.week_start), str(int(week.days_logged)), leg, _num(week.back_pain_mean), radiation, numb,
        _num(week.walking_minutes_median, 0), _int(week.foot_drop_days), gait, _num(week.odi, 0),
        _signed(week.leg_pain_change), _signed(week.leg_pain_change_from_first), _text(week.classification),
    ]


# --- last page: assessments ---------------------------------------------------------------------

ASSESSMENT_TABLE = (
    _Column("Date", 1.1),
    _Column("Leg", 0.6),
    *(_Column(MUSCLE_HEADINGS[m], 1.0, "right") for m in MUSCLES),
    _Column("Achilles reflex (S1)", 0.95),
    _Column("Knee reflex (L4)", 0.95),
    _Column("Straight-leg raise", 1.2),
)


def _assessments_table(doc: _Document, assessments: Sequence[dict[str, Any]]) -> None:
    doc.new_page(landscape=False)
    doc.heading("Clinical assessments")
    doc.paragraph("MRC grades 0–5 (5 = normal power); reflexes normal, reduced or absent; oldest first.",
                  size=8, color=GREY_TEXT)
    doc.space(0.1)
    if not assessments:
        doc.paragraph("No assessments recorded.", color=GREY_TEXT)
        return
    rows: list[list[str] | str] = []
    for item in sorted(assessments, key=lambda a: _day_key(a.get("date"))):
        for side in ("left", "right"):
            leg = item.get(side)
            if not leg:
                continue
            rows.append([
                _day(item.get("date")), side,
                *(_int(leg.get(m)) for m in MUSCLES),
                _text(leg.get("achilles_reflex")), _text(leg.get("knee_reflex")), _slr(leg),
            ])
        if item.get("notes"):
            rows.append(f"Notes ({_day(item.get('date'))}): {item['notes']}")
    doc.table("Clinical assessments", ASSESSMENT_TABLE, rows)


def _slr(leg: dict[str, Any]) -> str:
    positive, angle = leg.get("slr_positive"), leg.get("slr_angle")
    if positive is None:
        return "–"
    text = "positive" if positive else "negative"
    return f"{text} at {angle}°" if angle is not None else text


# --- formatting ---------------------------------------------------------------------------------


def _day(value: Any) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return "–"
    ts = to_timestamp(value)
    return f"{ts.day} {ts:%b %Y}"


def _day_key(value: Any) -> pd.Timestamp:
    return to_timestamp(value) if value is not None else pd.Timestamp.min


def _num(value: Any, decimals: int = 1) -> str:
    return "–" if value is None or pd.isna(value) else f"{float(value):.{decimals}f}"


def _int(value: Any) -> str:
    return "–" if value is None or pd.isna(value) else str(int(value))


def _signed(value: Any, decimals: int = 1) -> str:
    if value is None or pd.isna(value):
        return "–"
    value = float(value)
    return f"{'+' if value > 0 else '−' if value < 0 else '±'}{abs(value):.{decimals}f}"


def _text(value: Any) -> str:
    return "–" if value is None or (not isinstance(value, str) and pd.isna(value)) else _words(value)


def _words(value: Any) -> str:
    return str(value).replace("_", " ")


def _level_name(level: Any) -> str:
    """A radiation level 0–5 as its body level; a median between two levels names both."""
    if level is None or pd.isna(level):
        return "–"
    low, high = int(np.floor(level)), int(np.ceil(level))
    name = lambda i: "foot / toes" if RADIATION_LEVELS[i] == "foot" else RADIATION_LEVELS[i]  # noqa: E731
    return name(low) if low == high else f"{name(low)}–{name(high)}"

