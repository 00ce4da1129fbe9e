"""What each model call must answer, as pydantic models: a reply that does not parse into one is retried
with the validation error, then recorded as a failure — never passed on half-read."""

from __future__ import annotations

import json
import re
from typing import Any

from pydantic import BaseModel, Field, ValidationError


class Event(BaseModel):
    start: float
    end: float
    text: str = Field(min_length=1)


class Moment(BaseModel):
    time: float
    text: str = Field(min_length=1)


class Captions(BaseModel):
    """The three granularities of the paper: events (intervals), actions and objects (moments)."""

    events: list[Event] = []
    actions: list[Moment] = []
    objects: list[Moment] = []


class AnswerDraft(BaseModel):
    text: str = Field(min_length=1)
    time: float | None = None
    start: float | None = None
    end: float | None = None
    span: tuple[float, float] | None = None
    slots: dict[str, Any] | None = None


class ItemDraft(BaseModel):
    question: str = Field(min_length=1)
    query_time: float
    answers: list[AnswerDraft] = Field(min_length=1)


class Drafts(BaseModel):
    items: list[ItemDraft] = []


class Problem(BaseModel):
    field: str
    issue: str
    fix: Any = None  # the corrected value, when the reviewer knows it


class Review(BaseModel):
    """The discriminator's structured verdict: accept, or the problems (and whether they can be fixed)."""

    accept: bool
    problems: list[Problem] = []
    fixable: bool = True


class Shots(BaseModel):
    transitions: int = Field(ge=0)
    min_scene_s: float = Field(ge=0)


class SceneCheck(BaseModel):
    egocentric: bool
    outdoor: bool


_FENCE = re.compile(r"```(?:json)?\s*(.*?)```", re.S)


def parse_reply(reply: str, model: type[BaseModel]) -> BaseModel:
    """The JSON object in ``reply`` (a code fence around it, or text before/after it, is fine) as ``model``.
    Raises ``ValueError`` with a short reason the retry prompt can quote."""
    m = _FENCE.search(reply)
    text = m.group(1) if m else reply
    start = text.find("{")
    end = text.rfind("}")
    if start < 0 or end <= start:
        raise ValueError("the reply holds no JSON object")
    try:
        value = json.loads(text[start:end + 1])
    except json.JSONDecodeError as e:
        raise ValueError(f"the JSON does not parse ({e.msg} at character {e.pos})") from None
    try:
        return model.model_validate(value)
    except ValidationError as e:
        first = e.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "the object"
        raise ValueError(f"{where}: {first['msg']}") from None
