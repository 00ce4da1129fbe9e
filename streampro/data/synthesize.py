"""Stage 2b, question synthesis: an LLM turns one video's captions into timed items of one task, in our
item format (``query_time``; answers with ``time``, or ``start``/``end`` for EU/TP, plus ``span`` for TG).
Windows and tau come from ``core.items.TASKS``, so they are never asked of the LLM."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from ..core.items import TASKS
from ..llm.templates import fill_template
from .replies import Captions, ItemDraft

SYNTH_PLACEHOLDERS = ("task", "task_name", "guide", "answer_format", "duration", "captions")

#: what a question of each task asks (paper Table 8, in our words); the LLM gets the guide of one task
GUIDES = {
    "EU": "Ask the viewer to describe each event of one kind as it happens (e.g. each movement of an object). "
          "One answer per event, spoken while it happens.",
    "OU": "Ask to be told each time an object changes (appears, changes colour, state). One answer per change, at "
          "the moment it is visible.",
    "AA": "Ask to be alerted when something abnormal happens. One answer per anomaly, right after it starts.",
    "TP": "Ask to be told each time an event begins or is going on (temporal perception). One answer per event "
          "interval.",
    "TG": "Ask, once an event has ended, when it started and ended. The answer is given when the event ends and "
          "names its start and end in seconds.",
    "GP": "Given the goal of a procedure, ask to be told the next step each time the current one is done. One "
          "answer per step, at the moment the step should start; steps must be distinct.",
}


def answer_format(task: str) -> str:
    if task == "TG":
        return ('{"text": "from 4s to 9s", "time": <when the event ends>, "span": [<start>, <end>]}')
    if TASKS[task].interval:
        return '{"text": "...", "start": <seconds>, "end": <seconds>}'
    return '{"text": "...", "time": <seconds>}'


def synth_prompt(template: str, task: str, duration: float, captions: Captions) -> str:
    return fill_template(template, task=task, task_name=TASKS[task].name, guide=GUIDES[task],
                         answer_format=answer_format(task), duration=f"{duration:g}",
                         captions=json.dumps(captions.model_dump(), indent=1))


def draft_record(draft: ItemDraft, item_id: str, video: Path, out: Path, task: str, fps: float,
                 duration: float) -> dict[str, Any]:
    """An LLM draft as an item record (not yet validated: that is ``verify``'s first check)."""
    answers = []
    for a in draft.answers:
        d: dict[str, Any] = {"text": a.text}
        for k in ("time", "start", "end"):
            if getattr(a, k) is not None:
                d[k] = getattr(a, k)
        if a.span is not None:
            d["span"] = list(a.span)
        if a.slots:
            d["slots"] = a.slots
        answers.append(d)
    return {"id": item_id, "video": os.path.relpath(video, out), "fps": fps, "duration": duration,
            "dimension": TASKS[task].dimension, "task": task, "query_time": draft.query_time,
            "question": draft.question, "answers": answers}
