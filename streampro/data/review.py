"""Stage 3c, human review (paper App. A.1): a person accepts, edits or rejects each verified item.

Decisions are appended to ``OUT/review.jsonl`` (fsynced; the last decision on an item wins, so a person can
change their mind), an edit is checked as any item is before it is stored, and :meth:`ReviewStore.export`
writes ``OUT/reviewed.jsonl``: the accepted items and the edited ones, in the benchmark format (videos
relative to ``OUT``, as in ``items.jsonl``). Items without a decision are left out and counted."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

from ..core.errors import InputError
from ..core.jsonl import append_jsonl, read_jsonl, repair_tail, write_jsonl
from .schema import SchemaError, validate_record

DECISIONS = ("accept", "edit", "reject")
EDITABLE = ("question", "query_time", "answers")


class ReviewStore:
    def __init__(self, out: Path):
        self.out = out
        path = out / "items.jsonl"
        if not path.exists():
            raise InputError(f"{out}: no items.jsonl to review (run `streampro data build VIDEOS --out {out}` first)")
        self.items = {r["id"]: r for r in read_jsonl(path)}
        self.path = out / "review.jsonl"
        repair_tail(self.path)
        self.decisions = {r["id"]: r for r in read_jsonl(self.path) if r.get("id") in self.items}
        self.lock = threading.Lock()

    def record(self, item_id: str) -> dict[str, Any]:
        """The item as it stands: the edited record if the last decision was an edit."""
        d = self.decisions.get(item_id)
        return d["record"] if d and d["decision"] == "edit" else self.items[item_id]

    def decide(self, item_id: str, decision: str, edit: dict[str, Any] | None = None, reviewer: str = "") -> dict:
        if item_id not in self.items:
            raise KeyError(f"unknown item {item_id!r}")
        if decision not in DECISIONS:
            raise ValueError(f"decision must be one of {DECISIONS}")
        record = None
        if decision == "edit":
            if not isinstance(edit, dict) or set(edit) - set(EDITABLE):
                raise ValueError(f"an edit gives some of {list(EDITABLE)}")
            record = {**self.items[item_id], **edit}
            try:  # the same checks as any item; an edit that breaks the format is refused, not stored
                validate_record(record, f"edit of {item_id}")
            except SchemaError as e:
                raise ValueError(str(e)) from None
        entry = {"id": item_id, "decision": decision, "record": record, "reviewer": reviewer, "t": time.time()}
        with self.lock:
            append_jsonl(self.path, [entry])
            self.decisions[item_id] = entry
        return entry

    def state(self) -> list[dict[str, Any]]:
        return [{"record": self.record(i), "decision": (self.decisions.get(i) or {}).get("decision")} for i in self.items]

    def counts(self) -> dict[str, int]:
        out = dict.fromkeys(DECISIONS, 0)
        for d in self.decisions.values():
            out[d["decision"]] += 1
        out["undecided"] = len(self.items) - len(self.decisions)
        return out

    def export(self) -> dict[str, Any]:
        kept = [self.record(i) for i in self.items  # in the items' order
                if (self.decisions.get(i) or {}).get("decision") in ("accept", "edit")]
        path = self.out / "reviewed.jsonl"
        write_jsonl(path, kept)
        return {"path": str(path), "items": len(kept), **self.counts()}
