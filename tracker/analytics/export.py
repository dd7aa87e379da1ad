"""A patient's own data, exported: the diary as CSV and everything as a FHIR R4 Bundle.

Pure functions over plain data: the service layer reads the rows and passes them in as
frames (the columns each function needs are in its docstring). "Not answered" stays
distinct from "no" throughout: an unanswered field is an empty CSV cell and no FHIR
resource at all, while an answered "no" is "false" / valueBoolean false, and an answered
empty list is "none".

Codes: LOINC and SNOMED CT only where the code is established (pain severity NRS, the
Oswestry score, lower-limb and lumbar body sites); every other question and answer is
coded in local CodeSystems under `{base_url}/fhir/CodeSystem/`.
"""

from __future__ import annotations

import copy
import csv
import datetime as dt
import io
import json
import math
from collections.abc import Callable, Iterable
from typing import Any

import pandas as pd

from tracker.vocabulary import AGGRAVATORS, GAIT, MEDICATIONS, ODI_SECTIONS, PAIN_QUALITIES
from tracker.vocabulary import ENTRY_FIELDS, RADIATION_LEVELS, REGIONS, SIDES

#: Header of `entries_csv`, in order.
ENTRY_CSV_COLUMNS = ("date", *ENTRY_FIELDS, "recorded_at", "received_at")
#: Joins the items of a list field (numbness, medications …) in one CSV cell.
#: No vocabulary value contains it. An answered empty list is written LIST_NONE.
LIST_SEPARATOR = ";"
LIST_NONE = "none"

INT_FIELDS = ("leg_pain", "back_pain", "walking_minutes")
LIST_FIELDS = ("numbness", "tingling", "pain_quality", "aggravators", "medications")
BOOL_FIELDS = ("foot_drop", "walking_aid", "bladder_or_bowel_change", "saddle_numbness", "exercises_done")
#: The allowed values of each controlled field (choices, and the items of list fields).
VOCABULARY = {
    "side": SIDES,
    "radiation": RADIATION_LEVELS,
    "heel_walk": GAIT,
    "toe_walk": GAIT,
    "numbness": REGIONS,
    "tingling": REGIONS,
    "pain_quality": PAIN_QUALITIES,
    "aggravators": AGGRAVATORS,
    "medications": MEDICATIONS,
}
TIME_COLUMNS = ("recorded_at", "received_at")

# OWASP "CSV Injection": a cell starting with one of these may be run as a formula by a
# spreadsheet; prefixing a single quote makes it text.
_FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
UCUM = "http://unitsofmeasure.org"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
FLAG_CATEGORY = "http://terminology.hl7.org/CodeSystem/flag-category"
ORDINAL_VALUE = "http://hl7.org/fhir/StructureDefinition/ordinalValue"
SURVEY = {"system": OBSERVATION_CATEGORY, "code": "survey", "display": "Survey"}

PAIN_SEVERITY_NRS = {"system": LOINC, "code": "72514-3",
                     "display": "Pain severity - 0-10 verbal numeric rating [Score] - Reported"}
ODI_SCORE = {"system": LOINC, "code": "97909-6", "display": "Oswestry disability index score ODI"}
LOWER_LIMB = {"system": SNOMED, "code": "61685007", "display": "Lower limb structure"}
LEFT_LOWER_LIMB = {"system": SNOMED, "code": "32153003", "display": "Structure of left lower limb"}
RIGHT_LOWER_LIMB = {"system": SNOMED, "code": "62175007", "display": "Structure of right lower limb"}
LEG_BY_SIDE = {
    "left": (LEFT_LOWER_LIMB, "Left leg"),
    "right": (RIGHT_LOWER_LIMB, "Right leg"),
    # SNOMED has no single pre-coordinated "both lower limbs" concept: the lower limb, said in text.
    "both": (LOWER_LIMB, "Both legs (left and right)"),
}
LUMBAR_REGION = {"system": SNOMED, "code": "52612000", "display": "Lumbar region"}

#: Question codes and displays of the local `diary` CodeSystem (pain uses LOINC).
DIARY_QUESTIONS = {
    "radiation": "Furthest point the leg pain reaches today",
    "numbness": "Regions where the skin feels numb",
    "tingling": "Regions that tingle (pins and needles)",
    "pain_quality": "Quality of the leg pain",
    "aggravators": "What made the pain worse today",
    "heel_walk": "Ability to walk on the heels (L5, dorsiflexion)",
    "toe_walk": "Ability to walk on the toes (S1, plantarflexion)",
    "foot_drop": "Foot slaps, drags or catches when walking",
    "walking_minutes": "Minutes walked before having to stop",
    "walking_aid": "Used a walking aid (stick, crutch or frame)",
    "bladder_or_bowel_change": "New trouble passing or holding urine or stool",
    "saddle_numbness": "Numbness between the legs or around the back passage",
    "medications": "Medications taken today",
    "exercises_done": "Did the home exercise programme today",
    "notes": "Patient's notes",
}
#: A list field's items, each one component: (component code, its display, answer CodeSystem).
LIST_ITEMS = {
    "numbness": ("numbness-region", "Numb region", "diary-region"),
    "tingling": ("tingling-region", "Tingling region", "diary-region"),
    "pain_quality": ("pain-quality-type", "Pain quality", "diary-pain-quality"),
    "aggravators": ("aggravator", "Aggravating activity", "diary-aggravator"),
    "medications": ("medication-class", "Medication class", "diary-medication"),
}
ANSWER_SYSTEMS = {"radiation": "diary-radiation", "heel_walk": "diary-gait", "toe_walk": "diary-gait"}
#: Ordered answer vocabularies: their codings carry the ordinal (radiation 0-5, gait 0-2).
ORDINAL_SYSTEMS = {"diary-radiation": RADIATION_LEVELS, "diary-gait": GAIT}
_DISPLAY = {
    "nsaid": "NSAID (anti-inflammatory)",
    "neuropathic": "Neuropathic pain medication",
    "coughing_sneezing": "Coughing or sneezing",
    "none": "No radiation",
}
#: Oswestry Disability Index 2.1a sections, in questionnaire order.
ODI_SECTION_TITLES = (
    "Pain intensity",
    "Personal care",
    "Lifting",
    "Walking",
    "Sitting",
    "Standing",
    "Sleeping",
    "Sex life",
    "Social life",
    "Travelling",
)
ODI_QUESTIONNAIRE_ID = "odi"


# --- Normalizing the rows the service passes in ----------------------------------------


def _missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def _as_list(value: Any) -> list[str] | None:
    """A list field as a Python list (None: not answered): lists, tuples or JSON text."""
    if isinstance(value, str):
        value = json.loads(value) if value.strip() else None
    if _missing(value):
        return None
    if not isinstance(value, (list, tuple)):
        raise ValueError(f"not a list: {value!r}")
    return [str(v) for v in value]


def _as_bool(value: Any) -> bool | None:
    """True/False, 0/1 (SQLite) or missing → bool or None."""
    if _missing(value):
        return None
    if isinstance(value, (bool, int, float)) or hasattr(value, "dtype"):
        if value in (0, 1):
            return bool(value)
    raise ValueError(f"not a boolean: {value!r}")


def _as_text(value: Any) -> str | None:
    return None if _missing(value) else str(value)


def _column(frame: pd.DataFrame, name: str) -> pd.Series:
    """A column, or all-unanswered when the query did not select it."""
    if name in frame.columns:
        return frame[name]
    return pd.Series([None] * len(frame), index=frame.index, dtype=object)


def _each(values: pd.Series, convert: Callable[[Any], Any], name: str) -> pd.Series:
    try:
        return pd.Series([convert(v) for v in values], index=values.index, dtype=object)
    except (ValueError, TypeError) as exc:  # json.JSONDecodeError is a ValueError
        raise ValueError(f"{name}: {exc}") from exc


def _calendar_dates(values: pd.Series, name: str) -> pd.Series:
    """Dates (date, ISO text, Timestamp) → midnight Timestamps; a missing date is an error."""
    parsed = pd.to_datetime(values.astype(object), format="mixed")
    if isinstance(parsed.dtype, pd.DatetimeTZDtype):
        parsed = parsed.dt.tz_localize(None)
    if parsed.isna().any():
        raise ValueError(f"{name}: a row has no date")
    return parsed.dt.normalize()


def _instants(values: pd.Series) -> pd.Series:
    """Times as ISO 8601 text with offset (None when missing); naive times are UTC, as stored."""
    parsed = pd.to_datetime(values.astype(object), format="mixed", utc=True)
    return pd.Series(
        [None if _missing(t) else t.isoformat() for t in parsed], index=values.index, dtype=object
    )


def _ints(values: pd.Series, name: str) -> pd.Series:
    try:
        typed = pd.to_numeric(values.astype(object)).astype("Int64")
    except (ValueError, TypeError) as exc:
        raise ValueError(f"{name}: {exc}") from exc
    return pd.Series([None if v is pd.NA else int(v) for v in typed], index=values.index, dtype=object)


def _check_vocabulary(values: pd.Series, name: str) -> None:
    """Refuse a value outside the field's vocabulary (it could not be coded, nor split back)."""
    allowed = set(VOCABULARY[name])
    for value in values.dropna():
        unknown = set(value if isinstance(value, list) else [value]) - allowed
        if unknown:
            raise ValueError(f"{name}: unknown value {sorted(unknown)[0]!r}")


def _normalized_entries(entries: pd.DataFrame) -> pd.DataFrame:
    """ENTRY_CSV_COLUMNS as Python values sorted by date: `date` ISO text, ints, bools,
    lists, text, times as ISO text; None wherever a field was not answered."""
    if entries.empty:
        return pd.DataFrame({name: pd.Series(dtype=object) for name in ENTRY_CSV_COLUMNS})
    if "date" not in entries.columns:
        raise ValueError("entries: missing column 'date'")
    dates = _calendar_dates(entries["date"], "entries.date")
    out = pd.DataFrame({"date": dates.dt.strftime("%Y-%m-%d").astype(object)}, index=entries.index)
    for name in ENTRY_FIELDS:
        values = _column(entries, name)
        if name in INT_FIELDS:
            out[name] = _ints(values, name)
        elif name in LIST_FIELDS:
            out[name] = _each(values, _as_list, name)
        elif name in BOOL_FIELDS:
            out[name] = _each(values, _as_bool, name)
        else:
            out[name] = _each(values, _as_text, name)
        if name in VOCABULARY:
            _check_vocabulary(out[name], name)
    for name in TIME_COLUMNS:
        out[name] = _instants(_column(entries, name))
    order = dates.argsort(kind="stable")
    return out.iloc[order].reset_index(drop=True)


# --- CSV -------------------------------------------------------------------------------


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        text = LIST_SEPARATOR.join(value) if value else LIST_NONE
    else:
        text = str(value)
    return "'" + text if text.startswith(_FORMULA_TRIGGERS) else text


def entries_csv(entries: pd.DataFrame) -> str:
    """The diary as CSV text (encode as UTF-8): a header of ENTRY_CSV_COLUMNS, one row per entry.

    Input columns: `date` (date, ISO text or Timestamp), the ENTRY_FIELDS (any missing
    column is unanswered; list fields as lists, JSON text or None; booleans as bools,
    0/1 or None), `recorded_at`, `received_at` (aware or naive-UTC datetimes or ISO text).
    Rows are sorted by date. Cells: list items joined with ";" (an answered empty list is
    "none"), booleans "true"/"false", times ISO 8601 with offset, unanswered empty. A cell
    that a spreadsheet would run as a formula (starting = + - @, tab or CR; in practice
    only free-text notes) is prefixed with a single quote (OWASP CSV injection). Lines end
    with \\r\\n (RFC 4180). An empty diary gives the header only.
    """
    table = _normalized_entries(entries)
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(ENTRY_CSV_COLUMNS)
    cells = table[list(ENTRY_CSV_COLUMNS)].map(_csv_cell)
    writer.writerows(cells.itertuples(index=False, name=None))
    return buffer.getvalue()


# --- FHIR R4 ---------------------------------------------------------------------------


class _Fhir:
    """Builds resources for one patient's export: ids, fullUrls, local codes, references."""

    def __init__(self, patient_id: str, base_url: str) -> None:
        self.base = base_url.rstrip("/") + "/fhir"
        self.patient = {"reference": f"Patient/{patient_id}"}

    def entry(self, resource: dict[str, Any]) -> dict[str, Any]:
        return {"fullUrl": f"{self.base}/{resource['resourceType']}/{resource['id']}", "resource": resource}

    def system(self, name: str) -> str:
        return f"{self.base}/CodeSystem/{name}"

    def local(self, system: str, code: str, display: str) -> dict[str, Any]:
        """A concept of one of the service's own CodeSystems."""
        coding = {"system": self.system(system), "code": code, "display": display}
        return {"coding": [coding], "text": display}

    def answer(self, system: str, code: str) -> dict[str, Any]:
        """An answer from a diary vocabulary, with its ordinal when the vocabulary is ordered."""
        coding: dict[str, Any] = {"system": self.system(system), "code": code, "display": _display(code)}
        if system in ORDINAL_SYSTEMS:
            rank = ORDINAL_SYSTEMS[system].index(code)
            coding["extension"] = [{"url": ORDINAL_VALUE, "valueDecimal": rank}]
        return {"coding": [coding], "text": _display(code)}

    def observation(self, obs_id: str, day: str, code: dict[str, Any], value: dict[str, Any],
                    issued: str | None = None, **more: Any) -> dict[str, Any]:
        resource: dict[str, Any] = {
            "resourceType": "Observation",
            "id": obs_id,
            "status": "final",
            "category": [{"coding": [SURVEY]}],
            "code": code,
            "subject": dict(self.patient),
            "effectiveDateTime": day,
            "performer": [dict(self.patient)],
            **value,
            **more,
        }
        if issued is not None:
            resource["issued"] = issued
        return resource


def _display(code: str) -> str:
    return _DISPLAY.get(code, code.replace("_", " ").capitalize())


def _entry_observations(fhir: _Fhir, row: dict[str, Any]) -> list[dict[str, Any]]:
    """One Observation per answered field of one entry (the side goes on the leg pain's site)."""
    day, issued = row["date"], row["received_at"]
    prefix = f"entry-{day}"
    leg_site, leg_text = LEG_BY_SIDE.get(row["side"] or "", (LOWER_LIMB, "Leg"))
    out = []
    if row["leg_pain"] is not None:  # required by the diary; a partial row is still exported
        out.append(fhir.observation(
            f"{prefix}-leg-pain", day,
            {"coding": [PAIN_SEVERITY_NRS], "text": "Worst leg pain today (0-10 NRS)"},
            {"valueInteger": row["leg_pain"]}, issued,
            bodySite={"coding": [leg_site], "text": leg_text},
        ))
    if row["back_pain"] is not None:
        out.append(fhir.observation(
            f"{prefix}-back-pain", day,
            {"coding": [PAIN_SEVERITY_NRS], "text": "Worst low-back pain today (0-10 NRS)"},
            {"valueInteger": row["back_pain"]}, issued,
            bodySite={"coding": [LUMBAR_REGION], "text": "Low back"},
        ))
    for name, question in DIARY_QUESTIONS.items():
        answer = row[name]
        if answer is None:
            continue
        value: dict[str, Any]
        more: dict[str, Any] = {}
        if name in ANSWER_SYSTEMS:
            value = {"valueCodeableConcept": fhir.answer(ANSWER_SYSTEMS[name], answer)}
        elif name in LIST_FIELDS:
            item_code, item_display, system = LIST_ITEMS[name]
            value = {"valueString": "; ".join(_display(v) for v in answer) if answer else "None"}
            if answer:
                more["component"] = [
                    {"code": fhir.local("diary", item_code, item_display),
                     "valueCodeableConcept": fhir.answer(system, v)}
                    for v in answer
                ]
        elif name in BOOL_FIELDS:
            value = {"valueBoolean": answer}
        elif name == "walking_minutes":
            value = {"valueQuantity": {"value": answer, "unit": "min", "system": UCUM, "code": "min"}}
        else:
            value = {"valueString": answer}
        code = name.replace("_", "-")
        out.append(fhir.observation(
            f"{prefix}-{code}", day, fhir.local("diary", code, question), value, issued, **more
        ))
    return out


def _odi_questionnaire(fhir: _Fhir) -> dict[str, Any]:
    return {
        "resourceType": "Questionnaire",
        "id": ODI_QUESTIONNAIRE_ID,
        "url": f"{fhir.base}/Questionnaire/{ODI_QUESTIONNAIRE_ID}",
        "name": "OswestryDisabilityIndex",
        "title": "Oswestry Disability Index",
        "status": "active",
        "subjectType": ["Patient"],
        "item": [
            {"linkId": f"section-{i}", "text": title, "type": "integer"}
            for i, title in enumerate(ODI_SECTION_TITLES, start=1)
        ],
    }


def _odi_answers(value: Any) -> list[int | None]:
    answers = json.loads(value) if isinstance(value, str) else value
    if not isinstance(answers, (list, tuple)) or len(answers) != ODI_SECTIONS:
        raise ValueError(f"not {ODI_SECTIONS} answers: {value!r}")
    out = [None if _missing(a) else int(a) for a in answers]
    if any(a is not None and not 0 <= a <= 5 for a in out):
        raise ValueError(f"a section is not scored 0-5: {value!r}")
    return out


def _odi_resources(
    fhir: _Fhir, day: str, answers: list[int | None], score: float | None
) -> list[dict[str, Any]]:
    """The questionnaire response, and the score Observation derived from it when scored."""
    response_id = f"odi-{day}"
    response = {
        "resourceType": "QuestionnaireResponse",
        "id": response_id,
        "questionnaire": f"{fhir.base}/Questionnaire/{ODI_QUESTIONNAIRE_ID}",
        "status": "completed",
        "subject": dict(fhir.patient),
        "authored": day,
        "author": dict(fhir.patient),
        "source": dict(fhir.patient),
        "item": [
            {"linkId": f"section-{i}", "text": title, "answer": [{"valueInteger": answer}]}
            for i, (title, answer) in enumerate(zip(ODI_SECTION_TITLES, answers), start=1)
            if answer is not None
        ],
    }
    if score is None:
        return [response]
    observation = fhir.observation(
        f"{response_id}-score", day,
        {"coding": [ODI_SCORE], "text": "Oswestry Disability Index (0-100 %)"},
        {"valueQuantity": {"value": score, "unit": "%", "system": UCUM, "code": "%"}},
        derivedFrom=[{"reference": f"QuestionnaireResponse/{response_id}"}],
    )
    return [response, observation]


def _flag(fhir: _Fhir, alert: dict[str, Any]) -> dict[str, Any]:
    message = alert["message"]
    return {
        "resourceType": "Flag",
        "id": f"alert-{alert['id']}",
        "status": "inactive" if alert["status"] == "resolved" else "active",
        "category": [
            {"coding": [{"system": FLAG_CATEGORY, "code": "clinical", "display": "Clinical"}]},
            fhir.local("alert-severity", alert["severity"], alert["severity"].capitalize()),
        ],
        # The clinician's message is the flag's text; the rule id is its code.
        "code": {**fhir.local("alert-rule", alert["rule"], _display(alert["rule"])), "text": message},
        "subject": dict(fhir.patient),
        "period": {"start": alert["raised_on"]},
    }


def _patient(patient: dict[str, Any], patient_id: str) -> dict[str, Any]:
    resource: dict[str, Any] = {"resourceType": "Patient", "id": patient_id}
    name = patient.get("display_name")
    if not _missing(name) and str(name).strip():
        resource["name"] = [{"text": str(name)}]
    return resource  # never the e-mail: an account credential, not health data


def _records(frame: pd.DataFrame, columns: Iterable[str]) -> list[dict[str, Any]]:
    return [dict(zip(columns, row)) for row in frame.itertuples(index=False, name=None)]


def _sorted_odi(odi: pd.DataFrame) -> list[dict[str, Any]]:
    if odi.empty:
        return []
    days = _calendar_dates(odi["date"], "odi.date")
    scores = pd.to_numeric(_column(odi, "score").astype(object))
    table = pd.DataFrame({
        "date": days.dt.strftime("%Y-%m-%d").astype(object),
        "answers": _each(odi["answers"], _odi_answers, "odi.answers"),
        "score": pd.Series(
            [None if _missing(s) else float(s) for s in scores], index=odi.index, dtype=object
        ),
    }).iloc[days.argsort(kind="stable")]
    return _records(table, ("date", "answers", "score"))


def _sorted_alerts(alerts: pd.DataFrame) -> list[dict[str, Any]]:
    if alerts.empty:
        return []
    days = _calendar_dates(alerts["raised_on"], "alerts.raised_on")
    table = pd.DataFrame({
        "id": _ints(alerts["id"], "alerts.id"),
        "rule": alerts["rule"].astype(object).map(str),
        "severity": alerts["severity"].astype(object).map(str),
        "status": alerts["status"].astype(object).map(str),
        "raised_on": days.dt.strftime("%Y-%m-%d").astype(object),
        "message": alerts["message"].astype(object).map(str),
        "_day": days,
    }).sort_values(["_day", "id"], kind="stable")
    return _records(table, ("id", "rule", "severity", "status", "raised_on", "message"))


def fhir_bundle(
    patient: dict[str, Any],
    entries: pd.DataFrame,
    odi: pd.DataFrame,
    alerts: pd.DataFrame,
    *,
    generated_at: dt.datetime,
    base_url: str,
) -> dict[str, Any]:
    """Everything a patient recorded as a FHIR R4 Bundle of type "collection" (JSON-ready dict).

    Inputs: `patient` {id, display_name} (other keys, e-mail included, are ignored);
    `entries` as for `entries_csv`; `odi` columns date, answers (10 ints 0–5 or None, or
    JSON text), score (float or None); `alerts` columns id, rule, severity, status,
    raised_on, message. `generated_at` must be aware; `base_url` is the service's origin.

    Resources, each with fullUrl f"{base_url}/fhir/<Type>/<id>" and relative references
    that resolve inside the bundle: the Patient (id = patient["id"]); per entry one
    Observation per answered field (ids "entry-<date>-<field>", e.g. "entry-2026-01-05-leg-pain");
    when any ODI was answered, the ODI Questionnaire (id "odi") and per ODI a
    QuestionnaireResponse "odi-<date>" plus, when scored, an Observation "odi-<date>-score";
    per alert a Flag "alert-<id>".
    """
    if generated_at.tzinfo is None or generated_at.utcoffset() is None:
        raise ValueError("generated_at: give an aware datetime")
    patient_id = str(patient["id"])
    fhir = _Fhir(patient_id, base_url)
    resources = [_patient(patient, patient_id)]
    table = _normalized_entries(entries)
    for row in _records(table, table.columns):
        resources.extend(_entry_observations(fhir, row))
    responses = _sorted_odi(odi)
    if responses:
        resources.append(_odi_questionnaire(fhir))
    for response in responses:
        resources.extend(_odi_resources(fhir, response["date"], response["answers"], response["score"]))
    resources.extend(_flag(fhir, alert) for alert in _sorted_alerts(alerts))
    # A deep copy: the shared codings (LOINC, body sites) must not be aliased in the answer.
    return copy.deepcopy({
        "resourceType": "Bundle",
        "type": "collection",
        "timestamp": generated_at.isoformat(),
        "entry": [fhir.entry(resource) for resource in resources],
    })
