"""The StreamPro-Bench item format (one JSON object per line) and its validation.

Every field is checked on load so that a malformed annotation fails *before* hours of streaming
inference, with an error naming the file, the line, the item and the field (``answers[2].start``).
See ``docs/format.md`` for the documented schema; the types live in ``streampro.core.items``.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from ..core.errors import InputError
from ..core.items import DIMENSIONS, TASKS, TIME_EPS, Answer, Item, TaskRule, register_task

__all__ = ["DIMENSIONS", "TASKS", "Answer", "Item", "TaskRule", "register_task", "SchemaError", "validate_record",
           "load_items", "write_items", "load_json"]


class SchemaError(InputError):
    """A benchmark record is malformed; the message names file, line and field."""


_REQUIRED: dict[str, type | tuple[type, ...]] = {
    "id": str, "video": str, "fps": (int, float), "duration": (int, float), "dimension": str, "task": str,
    "query_time": (int, float), "question": str, "answers": list,
}
_ANSWER_FIELDS = {"text", "time", "start", "end", "span", "window", "tau", "slots", "outcome_time"}


def _num(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def _pair(v: Any, here: str, name: str, ordered: bool = True) -> tuple[float, float]:
    if not (isinstance(v, list) and len(v) == 2 and all(_num(x) for x in v)):
        raise SchemaError(f"{here}: field '{name}' must be a list of two numbers")
    if ordered and v[0] > v[1]:
        raise SchemaError(f"{here}: field '{name}' must satisfy {name}[0] <= {name}[1], got {v}")
    return (float(v[0]), float(v[1]))


def _answer(a: Any, rec: dict, here: str) -> Answer:
    if not isinstance(a, dict):
        raise SchemaError(f"{here}: expected an object, got {type(a).__name__}")
    unknown = set(a) - _ANSWER_FIELDS
    if unknown:
        raise SchemaError(f"{here}: unknown field(s) {sorted(unknown)}")
    if not isinstance(a.get("text"), str) or not a["text"].strip():
        raise SchemaError(f"{here}: field 'text' must be a non-empty string")
    for k in ("time", "start", "end", "outcome_time"):
        if k in a and not _num(a[k]):
            raise SchemaError(f"{here}: field '{k}' must be a finite number")
    rule = TASKS[rec["task"]]
    if rule.interval:
        if "start" not in a or "end" not in a or "time" in a:
            raise SchemaError(f"{here}: task {rec['task']} is an interval task: give 'start' and 'end', not 'time'")
        if a["start"] > a["end"]:
            raise SchemaError(f"{here}: field 'start' {a['start']} is after 'end' {a['end']}")
    elif "time" not in a or "start" in a or "end" in a:
        raise SchemaError(f"{here}: task {rec['task']} answers at a time: give 'time', not 'start'/'end'")
    lo = a.get("time", a.get("start"))
    hi = a.get("time", a.get("end"))
    if lo < rec["query_time"] - TIME_EPS or hi > rec["duration"] + TIME_EPS:
        raise SchemaError(f"{here}: best time {lo}..{hi} outside [query_time {rec['query_time']}, duration "
                          f"{rec['duration']}]")
    span = _pair(a["span"], here, "span") if "span" in a else None
    if rec["task"] == "TG" and span is None:
        raise SchemaError(f"{here}: TG answers need 'span': [start, end] of the event (scored by IoU)")
    window = _pair(a["window"], here, "window") if "window" in a else None
    tau: tuple[float, float] | None = None
    if "tau" in a:
        t = a["tau"]
        tau = (float(t), float(t)) if _num(t) else _pair(t, here, "tau", ordered=False)
        if min(tau) <= 0:
            raise SchemaError(f"{here}: field 'tau' must be positive")
    slots = a.get("slots")
    if slots is not None and not isinstance(slots, dict):
        raise SchemaError(f"{here}: field 'slots' must be an object")
    return Answer(text=a["text"], time=a.get("time"), start=a.get("start"), end=a.get("end"), span=span,
                  window=window, tau=tau, slots=slots, outcome_time=a.get("outcome_time"))


def validate_record(rec: Any, where: str) -> Item:
    """Turn one decoded JSON value into an :class:`Item` or raise :class:`SchemaError`."""
    if not isinstance(rec, dict):
        raise SchemaError(f"{where}: expected a JSON object, got {type(rec).__name__}")
    here = f"{where} (item {rec.get('id', '?')!r})"
    for key, typ in _REQUIRED.items():
        if key not in rec:
            raise SchemaError(f"{here}: missing field '{key}'")
        if not isinstance(rec[key], typ) or isinstance(rec[key], bool):
            raise SchemaError(f"{here}: field '{key}' has type {type(rec[key]).__name__}")
    unknown = set(rec) - set(_REQUIRED) - {"meta"}
    if unknown:
        hint = " (multiple-choice 'options'/'answer' items are retired: see docs/format.md)" if "options" in unknown else ""
        raise SchemaError(f"{here}: unknown field(s) {sorted(unknown)}{hint}")
    if rec["dimension"] not in DIMENSIONS:
        raise SchemaError(f"{here}: field 'dimension' is {rec['dimension']!r}, expected one of {DIMENSIONS}")
    if rec["task"] not in TASKS:
        raise SchemaError(f"{here}: field 'task' is unknown task type {rec['task']!r}; known: {sorted(TASKS)}")
    if TASKS[rec["task"]].dimension != rec["dimension"]:
        raise SchemaError(f"{here}: field 'dimension' is {rec['dimension']!r} but task {rec['task']!r} belongs to "
                          f"{TASKS[rec['task']].dimension!r}")
    if not (_num(rec["fps"]) and _num(rec["duration"])) or rec["fps"] <= 0 or rec["duration"] <= 0:
        raise SchemaError(f"{here}: fields 'fps' and 'duration' must be positive")
    if not _num(rec["query_time"]) or not 0 <= rec["query_time"] <= rec["duration"]:
        raise SchemaError(f"{here}: field 'query_time' {rec['query_time']} outside [0, duration]")
    if not rec["question"].strip():
        raise SchemaError(f"{here}: field 'question' is empty")
    if not rec["answers"]:
        raise SchemaError(f"{here}: field 'answers' is empty (a question needs at least one timed answer)")
    answers = [_answer(a, rec, f"{here}: answers[{i}]") for i, a in enumerate(rec["answers"])]
    meta = rec.get("meta", {})
    if not isinstance(meta, dict):
        raise SchemaError(f"{here}: field 'meta' must be an object")
    answers.sort(key=lambda a: a.best)
    return Item(**{k: rec[k] for k in _REQUIRED if k != "answers"}, answers=answers, meta=meta)


def json_lines(path: Path) -> Iterator[tuple[str, Any]]:
    """``(where, record)`` per non-blank line of a JSONL file (``where`` = ``path:line``); a line that is
    not JSON gives a :class:`SchemaError` as its record, so callers decide whether to stop or skip."""
    if path.is_dir():
        raise SchemaError(f"{path}: is a folder; give the JSONL file (e.g. {path / 'items.jsonl'})")
    with path.open("rb") as f:
        for lineno, raw in enumerate(f, 1):
            where = f"{path}:{lineno}"
            try:
                line = raw.decode("utf-8-sig" if lineno == 1 else "utf-8")  # a BOM is fine
            except UnicodeDecodeError as e:  # a line at a time, so --skip-bad can skip it
                yield where, SchemaError(f"{where}: not UTF-8 text (byte {e.start}: {e.reason}); save the file as UTF-8")
                continue
            if line.strip():
                try:
                    yield where, json.loads(line)
                except json.JSONDecodeError as e:
                    yield where, SchemaError(f"{where}: invalid JSON ({e.msg} at column {e.colno})")


def load_items(path: str | Path, errors: list[str] | None = None) -> list[Item]:
    """Load and validate a JSONL benchmark file. Video paths are resolved relative to the file.

    Malformed records raise :class:`SchemaError`; if ``errors`` is a list, they are appended to it
    instead and loading goes on (``--skip-bad``)."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"benchmark file not found: {path}")
    items: list[Item] = []
    seen: set[str] = set()
    for where, rec in json_lines(path):
        try:
            if isinstance(rec, SchemaError):
                raise rec
            item = validate_record(rec, where)
            if item.id in seen:
                raise SchemaError(f"{where}: field 'id' duplicates {item.id!r}")
        except SchemaError as e:
            if errors is None:
                raise
            errors.append(str(e))
            continue
        seen.add(item.id)
        if not Path(item.video).is_absolute():
            item.video = str((path.parent / item.video).resolve())
        items.append(item)
    if not items:
        raise SchemaError(f"{path}: no items")
    return items


def write_items(path: str | Path, items: Iterable[Item], relative_to: Path | None = None) -> None:
    """Write items as JSONL (to a temporary file, then renamed). ``relative_to``: write video paths
    relative to that folder (``../`` allowed) — the loaders resolve them against the JSONL file's folder, so
    pass the file's own folder and the set can be moved as a whole."""
    path = Path(path)
    if path.is_dir():
        raise InputError(f"--out {path}: is a folder; give the items file to write, e.g. {path / 'items.jsonl'}")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("w", encoding="utf-8") as f:
        for it in items:
            rec = it.to_json()
            if relative_to is not None:
                rec["video"] = os.path.relpath(Path(it.video).resolve(), relative_to.resolve())
            f.write(json.dumps(rec) + "\n")
    tmp.replace(path)


def load_json(path: str | Path) -> Any:
    """Read an external benchmark's annotation file, with errors that name the file and the line."""
    path = Path(path)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise FileNotFoundError(f"annotation file not found: {path}") from None
    except json.JSONDecodeError as e:
        raise SchemaError(f"{path}: invalid JSON ({e.msg} at line {e.lineno})") from None
