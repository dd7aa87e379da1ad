"""Typed diary frames built from what the database returns.

Everything here keeps "not answered" (None / NaN / <NA>) distinct from "no"
(False, [] or "none"): PRODUCT.md says an absent field is never a "no".
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from itertools import repeat
from typing import Any

import numpy as np
import pandas as pd
from pandas.api.extensions import ExtensionArray

from tracker.vocabulary import GAIT, RADIATION_LEVELS, SIDES

#: Ordinal of the furthest point the leg pain reaches: none=0 … foot=5.
RADIATION_LEVEL = {name: float(i) for i, name in enumerate(RADIATION_LEVELS)}
#: Ordinal of heel / toe walking: normal=0, difficult=1, unable=2.
GAIT_LEVEL = {name: float(i) for i, name in enumerate(GAIT)}

BOOL_COLUMNS = (
    "foot_drop",
    "walking_aid",
    "bladder_or_bowel_change",
    "saddle_numbness",
    "exercises_done",
)
LIST_COLUMNS = ("numbness", "tingling", "pain_quality", "aggravators", "medications")
INT_COLUMNS = ("leg_pain", "back_pain", "walking_minutes")
CHOICE_COLUMNS = {
    "side": SIDES,
    "radiation": RADIATION_LEVELS,
    "heel_walk": GAIT,
    "toe_walk": GAIT,
}
#: Columns of `diary_frame`, in order.
DIARY_COLUMNS = (
    "patient_id",
    "date",
    "leg_pain",
    "back_pain",
    "side",
    "radiation",
    "radiation_level",
    "numbness",
    "tingling",
    "pain_quality",
    "aggravators",
    "medications",
    "heel_walk",
    "heel_walk_level",
    "toe_walk",
    "toe_walk_level",
    *BOOL_COLUMNS,
    "walking_minutes",
    "notes",
)
_REQUIRED = ("patient_id", "date", "leg_pain")
#: What `diary_frame` reads: a DataFrame, or column name → values (as `zip(*rows)` gives them).
RawDiary = pd.DataFrame | Mapping[str, Sequence[Any]]
_DATE_DTYPE = "datetime64[ns]"
#: Up to this many rows `diary_frame` converts each column straight from its Python values
#: (a write's 35-day window: well under a millisecond); larger inputs (a caseload) go
#: through pandas' factorize-based conversions, whose fixed cost is repaid on many rows.
SMALL_DIARY_ROWS = 2_000
_UNIX_EPOCH_ORDINAL = dt.date(1970, 1, 1).toordinal()
_NS_PER_DAY = 86_400 * 10**9
_STR_DTYPE = pd.api.types.pandas_dtype("str")  # resolved once: the lookup costs more than a small column
_UNKNOWN = -2  # a vocabulary code for "not in the vocabulary" (-1 is "unanswered")
#: Vocabulary → code (position in the vocabulary), None (unanswered) → -1.
_CHOICE_CODES = {
    name: {None: -1, **{value: i for i, value in enumerate(allowed)}}
    for name, allowed in CHOICE_COLUMNS.items()
}


def to_timestamp(day: dt.date | str | pd.Timestamp) -> pd.Timestamp:
    """A calendar day (date, ISO string or Timestamp) as a midnight, tz-naive Timestamp."""
    ts = pd.Timestamp(day)
    if ts.tzinfo is not None:
        ts = ts.tz_localize(None)
    return ts.normalize()


def calendar_dates(values: pd.Series) -> pd.Series:
    """Dates given as python dates, ISO strings or datetime64 → normalized datetime64[ns]."""
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        values = values.dt.tz_localize(None)
    if not pd.api.types.is_datetime64_dtype(values.dtype):
        # Diaries repeat a few hundred distinct days many times: parse each once.
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
        parsed = pd.to_datetime(pd.Series(uniques, dtype=object), format="mixed")
        if isinstance(parsed.dtype, pd.DatetimeTZDtype):
            parsed = parsed.dt.tz_localize(None)
        parsed = parsed.astype(_DATE_DTYPE).to_numpy()
        out = np.full(len(values), np.datetime64("NaT", "ns"))
        out[codes >= 0] = parsed[codes[codes >= 0]]
        values = pd.Series(out, index=values.index)
    return values.astype(_DATE_DTYPE).dt.normalize()


def _nullable_bool(values: pd.Series, name: str) -> pd.Series:
    """True/False/None, 0/1 (SQLite) or NaN → pandas "boolean" with <NA> for unanswered."""
    if pd.api.types.is_bool_dtype(values.dtype):
        return values.astype("boolean")
    codes, uniques = pd.factorize(values)  # a handful of distinct values; missing → -1
    answers = np.fromiter((_as_bool(v, name) for v in uniques), dtype="float64", count=len(uniques))
    return pd.Series(np.append(answers, np.nan)[codes], index=values.index).astype("boolean")


def _as_bool(value: Any, name: str) -> float:
    if isinstance(value, (bool, np.bool_, int, float, np.integer, np.floating)) and value in (0, 1):
        return float(value)
    raise ValueError(f"{name}: not a boolean: {value!r}")


def _choice(values: pd.Series, name: str, allowed: tuple[str, ...]) -> tuple[pd.Series, np.ndarray]:
    """A controlled-vocabulary column as pandas strings (NaN = unanswered) and its ordinal codes.

    Codes are positions in `allowed`, -1 when unanswered. Unknown values raise ValueError.
    """
    codes, uniques = pd.factorize(values)
    position = pd.Index(allowed).get_indexer(pd.Index(uniques, dtype=object))
    if (position < 0).any():
        raise ValueError(f"{name}: unknown value {uniques[np.flatnonzero(position < 0)[0]]!r}")
    ordinal = np.append(position, -1)[codes]  # code -1 (missing) picks the appended -1
    if values.dtype != "str":
        values = values.astype("str")  # None / NaN stay missing
    return values, ordinal


def _levels(ordinal: np.ndarray) -> np.ndarray:
    return np.where(ordinal >= 0, ordinal, np.nan).astype("float64")


def _parse_list(value: Any) -> list[str] | None:
    if isinstance(value, str):
        value = json.loads(value) if value.strip() else None
    if value is None:
        return None
    if not isinstance(value, (list, tuple)):
        raise ValueError(f"not a list: {value!r}")
    return [str(v) for v in value]


def _list_column(values: pd.Series, name: str) -> pd.Series:
    """Lists, JSON strings of lists or None → Python lists, None when unanswered.

    JSON text is parsed once per distinct text (a caseload repeats a few lists), so rows
    with the same text share one list object: treat the lists as read-only.
    """
    try:
        try:
            codes, texts = pd.factorize(values)  # NaN / None → code -1
        except TypeError:  # unhashable: lists already decoded by the driver (SQLAlchemy JSON)
            out = values.to_numpy(dtype=object, copy=True)
            missing = pd.isna(out)
            out[missing] = None
            # Decoded lists are kept as they are; anything else (JSON text, tuples) is parsed.
            other = ~missing & ~np.fromiter((type(v) is list for v in out), dtype=bool, count=len(out))
            out[other] = np.fromiter(
                (_parse_list(v) for v in out[other]), dtype=object, count=int(other.sum())
            )
        else:
            parsed = np.fromiter((_parse_list(t) for t in texts), dtype=object, count=len(texts))
            out = np.append(parsed, None)[codes]  # code -1 (unanswered) picks the appended None
    except (ValueError, TypeError) as exc:  # json.JSONDecodeError is a ValueError
        raise ValueError(f"{name}: {exc}") from exc
    return pd.Series(out, index=values.index, dtype=object)


def _empty_diary() -> pd.DataFrame:
    columns: dict[str, pd.Series] = {
        "patient_id": pd.Series(dtype="int64"),
        "date": pd.Series(dtype=_DATE_DTYPE),
    }
    for name in INT_COLUMNS:
        columns[name] = pd.Series(dtype="Int64")
    for name in (*CHOICE_COLUMNS, "notes"):
        columns[name] = pd.Series(dtype="str")
    for name in ("radiation_level", "heel_walk_level", "toe_walk_level"):
        columns[name] = pd.Series(dtype="float64")
    for name in LIST_COLUMNS:
        columns[name] = pd.Series(dtype=object)
    for name in BOOL_COLUMNS:
        columns[name] = pd.Series(dtype="boolean")
    return pd.DataFrame(columns)[list(DIARY_COLUMNS)]


def diary_frame(raw: RawDiary) -> pd.DataFrame:
    """Typed diary: one row per (patient_id, date), sorted, with ordinal levels added.

    Input: the entries table's columns (`patient_id`, `date`, `leg_pain` required; any
    other field missing is taken as never answered; extra columns are dropped), as a
    DataFrame or as a mapping of column name → values (e.g. `zip(*rows)` of a query). Output:
    `DIARY_COLUMNS` — `date` datetime64[ns] at midnight; `leg_pain`, `back_pain`,
    `walking_minutes` Int64; `side`, `radiation`, `heel_walk`, `toe_walk`, `notes` str
    (NaN = unanswered); `radiation_level` (0–5), `heel_walk_level`, `toe_walk_level`
    (0–2) float, NaN = unanswered; the five flags "boolean"; list fields Python lists,
    None = unanswered ([] = answered "none"). A repeated (patient_id, date) keeps the last row.
    """
    rows = _row_count(raw)
    if rows == 0:
        return _empty_diary()
    missing = [c for c in _REQUIRED if c not in raw]
    if missing:
        raise ValueError(f"diary_frame: missing columns {missing}")
    if rows <= SMALL_DIARY_ROWS:
        return _small_diary_frame(raw, rows)
    return _large_diary_frame(raw if isinstance(raw, pd.DataFrame) else pd.DataFrame(dict(raw)))


def _row_count(raw: RawDiary) -> int:
    """Rows of the raw input; 0 when it has no rows or no columns."""
    if isinstance(raw, pd.DataFrame):
        return 0 if raw.empty else len(raw)
    lengths = {len(values) for values in raw.values()}
    if len(lengths) > 1:
        raise ValueError("diary_frame: columns of different lengths")
    return lengths.pop() if lengths else 0


def _large_diary_frame(raw: pd.DataFrame) -> pd.DataFrame:
    """`diary_frame` for many rows: pandas conversions that parse each distinct value once."""
    out = pd.DataFrame(index=raw.index)
    out["patient_id"] = raw["patient_id"].astype("int64")
    out["date"] = calendar_dates(raw["date"])
    if out["date"].isna().any():
        raise ValueError("diary_frame: an entry has no date")
    for name in INT_COLUMNS:
        out[name] = pd.to_numeric(_column(raw, name)).astype("Int64")
    for name, allowed in CHOICE_COLUMNS.items():
        out[name], ordinal = _choice(_column(raw, name), name, allowed)
        if name != "side":
            out[f"{name}_level"] = _levels(ordinal)
    for name in LIST_COLUMNS:
        out[name] = _list_column(_column(raw, name), name)
    for name in BOOL_COLUMNS:
        out[name] = _nullable_bool(_column(raw, name), name)
    notes = _column(raw, "notes")
    out["notes"] = notes if notes.dtype == "str" else notes.astype("str")

    out = out[list(DIARY_COLUMNS)]
    if not _is_sorted(out["patient_id"].to_numpy(), out["date"].to_numpy()):
        out = out.sort_values(["patient_id", "date"], kind="stable")
    # Sorted, so a repeated (patient_id, date) is adjacent: keep the last of each run.
    patient, date = out["patient_id"].to_numpy(), out["date"].to_numpy()
    repeated = np.append((patient[1:] == patient[:-1]) & (date[1:] == date[:-1]), False)
    if repeated.any():
        out = out[~repeated]
    return out.reset_index(drop=True)


def _small_diary_frame(raw: RawDiary, rows: int) -> pd.DataFrame:
    """`diary_frame` for a few rows (one patient's window): typed arrays built straight from
    the values, one DataFrame at the end. A column whose values are not in the form the
    database driver gives them (dates, ints, str, lists, bools, None) takes the pandas path."""
    columns: dict[str, Any] = {}
    patient = _objects(raw, "patient_id", rows)
    if _kinds(patient) <= {int}:
        columns["patient_id"] = np.fromiter(patient, dtype=np.int64, count=rows)
    else:
        columns["patient_id"] = _series(raw, "patient_id", rows).astype("int64").to_numpy()
    columns["date"] = _small_dates(raw, rows)
    for name in INT_COLUMNS:
        columns[name] = _small_ints(raw, name, rows)
    for name in CHOICE_COLUMNS:
        columns[name], ordinal = _small_choice(raw, name, rows)
        if name != "side":
            columns[f"{name}_level"] = _levels(ordinal)
    for name in LIST_COLUMNS:
        values = _objects(raw, name, rows)
        columns[name] = values if _kinds(values) <= {list, type(None)} else _list_column(
            _series(raw, name, rows), name
        ).to_numpy()
    for name in BOOL_COLUMNS:
        columns[name] = _small_bools(raw, name, rows)
    notes = _objects(raw, "notes", rows)
    if _kinds(notes) <= {str, type(None)}:
        columns["notes"] = pd.array(notes, dtype=_STR_DTYPE)
    else:
        notes = _series(raw, "notes", rows)
        columns["notes"] = (notes if notes.dtype == "str" else notes.astype("str")).array

    patient, date = columns["patient_id"], columns["date"]
    keep = None
    if not _is_sorted(patient, date):
        # Two stable sorts: by date, then by patient, so equal (patient, date) keep their order.
        by_date = np.argsort(date, kind="stable")
        keep = by_date[np.argsort(patient[by_date], kind="stable")]
        patient, date = patient[keep], date[keep]
    # Sorted, so a repeated (patient_id, date) is adjacent: keep the last of each run.
    repeated = np.append((patient[1:] == patient[:-1]) & (date[1:] == date[:-1]), False)
    if repeated.any():
        keep = np.flatnonzero(~repeated) if keep is None else keep[~repeated]
    if keep is not None:
        columns = {name: values[keep] for name, values in columns.items()}
    # Every array above is new (none is a view of `raw`), so the frame takes them uncopied.
    index = pd.RangeIndex(len(columns["date"]))
    return pd.DataFrame({name: columns[name] for name in DIARY_COLUMNS}, index=index, copy=False)


def _objects(raw: RawDiary, name: str, rows: int) -> np.ndarray:
    """A raw column as a 1-d object array, None where missing (all None when not selected)."""
    if name not in raw:
        return np.full(rows, None, dtype=object)
    values = raw[name]
    if isinstance(values, pd.Series):
        return values.to_numpy(dtype=object, na_value=None)
    return np.fromiter(values, dtype=object, count=rows)


def _series(raw: RawDiary, name: str, rows: int) -> pd.Series:
    """A raw column as pandas reads it, for the pandas conversions (a mapping's as a DataFrame's)."""
    if isinstance(raw, pd.DataFrame):
        return _column(raw, name)
    if name not in raw:
        return pd.Series([None] * rows, dtype=object)
    return pd.Series(list(raw[name]))


def _kinds(values: np.ndarray) -> set[type]:
    """The Python types of the values (the fast conversions accept only the driver's types)."""
    return set(map(type, values))


def _small_dates(raw: RawDiary, rows: int) -> np.ndarray:
    """Calendar dates → datetime64[ns]; python dates via their ordinals, anything else parsed."""
    values = _objects(raw, "date", rows)
    if _kinds(values) == {dt.date}:
        days = np.fromiter(map(dt.date.toordinal, values), dtype=np.int64, count=rows) - _UNIX_EPOCH_ORDINAL
        return (days * _NS_PER_DAY).view(_DATE_DTYPE)
    dates = calendar_dates(_series(raw, "date", rows))
    if dates.isna().any():
        raise ValueError("diary_frame: an entry has no date")
    return dates.to_numpy()


def _small_ints(raw: RawDiary, name: str, rows: int) -> ExtensionArray:
    """Whole numbers or None → Int64 (<NA> = unanswered)."""
    values = _objects(raw, name, rows)
    if _kinds(values) <= {int, type(None)}:
        missing = np.equal(values, None)
        return pd.arrays.IntegerArray(np.where(missing, 0, values).astype(np.int64), missing)
    return pd.to_numeric(_series(raw, name, rows)).astype("Int64").array


def _small_choice(raw: RawDiary, name: str, rows: int) -> tuple[ExtensionArray, np.ndarray]:
    """A vocabulary column as str (NaN = unanswered) and its ordinal codes (-1 = unanswered)."""
    values = _objects(raw, name, rows)
    if _kinds(values) <= {str, type(None)}:
        code_of = _CHOICE_CODES[name].get
        codes = np.fromiter(map(code_of, values, repeat(_UNKNOWN)), dtype=np.int64, count=rows)
        if not (codes == _UNKNOWN).any():
            return pd.array(values, dtype=_STR_DTYPE), codes
    text, codes = _choice(_series(raw, name, rows), name, CHOICE_COLUMNS[name])  # raises on unknown values
    return text.array, codes


def _small_bools(raw: RawDiary, name: str, rows: int) -> ExtensionArray:
    """True/False/None → "boolean" (<NA> = unanswered); SQLite's 0/1 take the pandas path."""
    values = _objects(raw, name, rows)
    if _kinds(values) <= {bool, type(None)}:
        missing = np.equal(values, None)
        return pd.arrays.BooleanArray(np.where(missing, False, values).astype(bool), missing)
    return _nullable_bool(_series(raw, name, rows), name).array


def _column(raw: pd.DataFrame, name: str) -> pd.Series:
    """A raw column, or all-unanswered when the query did not select it."""
    if name in raw.columns:
        return raw[name]
    return pd.Series([None] * len(raw), index=raw.index, dtype=object)


def _is_sorted(patient: np.ndarray, date: np.ndarray) -> bool:
    same = patient[1:] == patient[:-1]
    return bool(np.all((patient[1:] > patient[:-1]) | (same & (date[1:] >= date[:-1]))))


def daily_frame(
    diary: pd.DataFrame,
    patient_id: int,
    start: dt.date | str | pd.Timestamp | None = None,
    end: dt.date | str | pd.Timestamp | None = None,
) -> pd.DataFrame:
    """One patient's `diary_frame` rows on every calendar day from start to end.

    Days without an entry are rows of NaN/<NA>/None (never filled); `patient_id` and
    `date` are always set. start/end default to the patient's first and last entry.
    """
    own = diary[diary["patient_id"] == patient_id]
    if own.empty and (start is None or end is None):
        return own.reset_index(drop=True)
    lo = to_timestamp(start) if start is not None else own["date"].min()
    hi = to_timestamp(end) if end is not None else own["date"].max()
    days = pd.date_range(lo, hi, freq="D", name="date").astype(_DATE_DTYPE)
    out = own.set_index("date").reindex(days).reset_index()
    out["patient_id"] = np.int64(patient_id)
    for name in BOOL_COLUMNS:
        out[name] = out[name].astype("boolean")
    for name in LIST_COLUMNS:
        out[name] = out[name].astype(object).where(out[name].notna(), None)
    return out[list(DIARY_COLUMNS)]


def dates_by_patient(
    patient_ids: pd.Series, when: dt.date | str | pd.Timestamp | pd.Series | dict[int, Any]
) -> pd.Series:
    """Per-row calendar day for each patient_id: one day for all, or a mapping patient_id → day.

    Patients missing from a mapping get NaT. Output: datetime64[ns] aligned with patient_ids.
    """
    if isinstance(when, (pd.Series, dict)):
        per_patient = calendar_dates(pd.Series(when, dtype=object) if isinstance(when, dict) else when)
        return patient_ids.map(per_patient).astype(_DATE_DTYPE)
    return pd.Series(to_timestamp(when), index=patient_ids.index).astype(_DATE_DTYPE)
