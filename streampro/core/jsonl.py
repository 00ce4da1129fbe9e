"""Append-only JSONL files that survive a kill: every evaluator's predictions, the data pipeline's call
cache and stage records. A record is appended, flushed and fsynced in one go, so an interrupted process
leaves at most a torn last line, which :func:`read_jsonl` drops and :func:`repair_tail` removes before
the next append."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    """Read a JSONL file written by us; a torn last line (killed mid-write) is dropped."""
    if not path.exists():
        return []
    out = []
    with path.open(encoding="utf-8") as f:
        for line in f:
            try:
                out.append(json.loads(line))
            except json.JSONDecodeError:
                break
    return out


def append_jsonl(path: Path, records: list[dict[str, Any]]) -> None:
    """Append ``records`` and make them durable before returning."""
    with path.open("a", encoding="utf-8") as f:
        for r in records:
            f.write(json.dumps(r) + "\n")
        f.flush()
        os.fsync(f.fileno())


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> None:
    """Write a whole JSONL file at once: to a temporary file, then renamed, so a reader never sees half of it."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    tmp.replace(path)


def repair_tail(path: Path) -> None:
    """Drop a half-written last line left by an interrupted run so appends stay valid JSONL."""
    if path.exists():
        good = read_jsonl(path)
        if path.read_text(encoding="utf-8") != "".join(json.dumps(r) + "\n" for r in good):
            write_jsonl(path, good)
