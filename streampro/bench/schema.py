"""The StreamPro-Bench item format (one JSON object per line) and its validation.

Every field is checked on load so that a malformed annotation fails *before* hours of
streaming inference, with an error naming the file, the line and the field.
See ``docs/format.md`` for the documented schema.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

DIMENSIONS = ("perception", "temporal", "proactive")

#: task name -> dimension. The world registers its tasks here; external benchmarks may
#: register more with :func:`register_task` before loading.
TASKS: dict[str, str] = {
    "appear_color": "perception",
    "count_on_screen": "perception",
    "spatial_relation": "perception",
    "appear_order": "temporal",
    "bounce_count": "temporal",
    "color_before": "temporal",
    "collision_first": "proactive",
    "race_winner": "proactive",
    "blink_next": "proactive",
}

#: default answer window for perception/temporal items without an explicit ``deadline``.
DEFAULT_ANSWER_WINDOW_S = 5.0


class SchemaError(ValueError):
    """A benchmark record is malformed; the message names file, line and field."""


def register_task(name: str, dimension: str) -> None:
    if dimension not in DIMENSIONS:
        raise ValueError(f"unknown dimension {dimension!r}; expected one of {DIMENSIONS}")
    TASKS[name] = dimension


@dataclass
class Item:
    """One question about one video stream.

    Times are in seconds from the start of the video. ``decidable_time`` is when the answer first
    becomes decidable from what has been shown; ``outcome_time`` is when the outcome itself becomes
    visible (proactive items only). ``deadline`` closes the answer window of perception/temporal items.
    """

    id: str
    video: str
    fps: float
    duration: float
    dimension: str
    task: str
    query_time: float
    question: str
    options: list[str]
    answer: str
    decidable_time: float | None = None
    outcome_time: float | None = None
    deadline: float | None = None
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def answer_index(self) -> int:
        return self.options.index(self.answer)

    @property
    def close_time(self) -> float:
        """After this time no response can earn credit, so a runner may stop tracking the query."""
        if self.dimension == "proactive":
            assert self.outcome_time is not None
            return self.outcome_time
        return self.deadline if self.deadline is not None else self.query_time + DEFAULT_ANSWER_WINDOW_S

    def to_json(self) -> dict[str, Any]:
        d = asdict(self)
        return {k: v for k, v in d.items() if v is not None and v != {}}


_REQUIRED: dict[str, type | tuple[type, ...]] = {
    "id": str,
    "video": str,
    "fps": (int, float),
    "duration": (int, float),
    "dimension": str,
    "task": str,
    "query_time": (int, float),
    "question": str,
    "options": list,
    "answer": str,
}
_OPTIONAL_TIMES = ("decidable_time", "outcome_time", "deadline")


def validate_record(rec: Any, where: str) -> Item:
    """Turn one decoded JSON value into an :class:`Item` or raise :class:`SchemaError`."""
    if not isinstance(rec, dict):
        raise SchemaError(f"{where}: expected a JSON object, got {type(rec).__name__}")
    rid = rec.get("id", "?")
    here = f"{where} (item {rid!r})"
    for key, typ in _REQUIRED.items():
        if key not in rec:
            raise SchemaError(f"{here}: missing field '{key}'")
        if not isinstance(rec[key], typ) or isinstance(rec[key], bool):
            raise SchemaError(f"{here}: field '{key}' has type {type(rec[key]).__name__}")
    for key in _OPTIONAL_TIMES:
        v = rec.get(key)
        if v is not None and (not isinstance(v, (int, float)) or isinstance(v, bool) or not math.isfinite(v)):
            raise SchemaError(f"{here}: field '{key}' must be a finite number or absent")
    unknown = set(rec) - set(_REQUIRED) - set(_OPTIONAL_TIMES) - {"meta"}
    if unknown:
        raise SchemaError(f"{here}: unknown field(s) {sorted(unknown)}")
    if rec["dimension"] not in DIMENSIONS:
        raise SchemaError(f"{here}: field 'dimension' is {rec['dimension']!r}, expected one of {DIMENSIONS}")
    if rec["task"] not in TASKS:
        raise SchemaError(f"{here}: field 'task' is unknown task type {rec['task']!r}; known: {sorted(TASKS)}")
    if TASKS[rec["task"]] != rec["dimension"]:
        raise SchemaError(
            f"{here}: field 'dimension' is {rec['dimension']!r} but task {rec['task']!r} belongs to "
            f"{TASKS[rec['task']]!r}"
        )
    if rec["fps"] <= 0 or rec["duration"] <= 0:
        raise SchemaError(f"{here}: fields 'fps' and 'duration' must be positive")
    if not 0 <= rec["query_time"] <= rec["duration"]:
        raise SchemaError(f"{here}: field 'query_time' {rec['query_time']} outside [0, duration]")
    opts = rec["options"]
    if len(opts) < 2 or not all(isinstance(o, str) and o.strip() for o in opts):
        raise SchemaError(f"{here}: field 'options' must be a list of >= 2 non-empty strings")
    if len(set(opts)) != len(opts):
        raise SchemaError(f"{here}: field 'options' has duplicates")
    if rec["answer"] not in opts:
        raise SchemaError(f"{here}: field 'answer' {rec['answer']!r} is not one of the options {opts}")
    if rec["dimension"] == "proactive":
        dt, ot = rec.get("decidable_time"), rec.get("outcome_time")
        if dt is None or ot is None:
            raise SchemaError(f"{here}: proactive items need 'decidable_time' and 'outcome_time'")
        if not rec["query_time"] <= dt < ot <= rec["duration"]:
            raise SchemaError(
                f"{here}: field 'decidable_time' must satisfy query_time <= decidable_time < outcome_time "
                f"<= duration (got {rec['query_time']}, {dt}, {ot}, {rec['duration']})"
            )
    if rec.get("deadline") is not None and rec["deadline"] < rec["query_time"]:
        raise SchemaError(f"{here}: field 'deadline' is before 'query_time'")
    meta = rec.get("meta", {})
    if not isinstance(meta, dict):
        raise SchemaError(f"{here}: field 'meta' must be an object")
    kw = {k: rec.get(k) for k in _OPTIONAL_TIMES}
    return Item(**{k: rec[k] for k in _REQUIRED}, **kw, meta=meta)


def load_items(path: str | Path, errors: list[str] | None = None) -> list[Item]:
    """Load and validate a JSONL benchmark file. Video paths are resolved relative to the file.

    Malformed records raise :class:`SchemaError`; if ``errors`` is a list, they are appended to it
    instead and loading goes on (``--skip-bad``)."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"benchmark file not found: {path}")
    items: list[Item] = []
    seen: set[str] = set()
    with path.open(encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            if not line.strip():
                continue
            where = f"{path}:{lineno}"
            try:
                try:
                    rec = json.loads(line)
                except json.JSONDecodeError as e:
                    raise SchemaError(f"{where}: invalid JSON ({e.msg} at column {e.colno})") from None
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
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as f:
        for it in items:
            rec = it.to_json()
            if relative_to is not None:
                rec["video"] = str(Path(it.video).resolve().relative_to(relative_to.resolve()))
            f.write(json.dumps(rec) + "\n")


def load_json(path: str | Path) -> Any:
    """Read an external benchmark's annotation file, with errors that name the file and the line."""
    path = Path(path)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise FileNotFoundError(f"annotation file not found: {path}") from None
    except json.JSONDecodeError as e:
        raise SchemaError(f"{path}: invalid JSON ({e.msg} at line {e.lineno})") from None
