"""Evaluate a streaming model on a benchmark file, incrementally and resumably.

Per-item predictions are appended to ``predictions.jsonl`` as soon as a video's stream finishes
(flushed and fsynced), so an interrupted run loses at most one video; a rerun skips every item
already there. The summary is always recomputed from the whole predictions file.
"""

from __future__ import annotations

import json
import os
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from tqdm import tqdm

from ..models.base import Query, StreamingModel
from .protocol import StreamQuery, run_stream
from .schema import Item
from .scoring import aggregate, score_item
from .video import VideoError

V = TypeVar("V")  # anything with a ``.video`` path


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


def _append(path: Path, records: list[dict[str, Any]]) -> None:
    with path.open("a", encoding="utf-8") as f:
        for r in records:
            f.write(json.dumps(r) + "\n")
        f.flush()
        os.fsync(f.fileno())


def _repair_tail(path: Path) -> None:
    """Drop a half-written last line left by an interrupted run so appends stay valid JSONL."""
    if path.exists():
        good = read_jsonl(path)
        text = "".join(json.dumps(r) + "\n" for r in good)
        if path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")


def group_by_video(items: list[V]) -> OrderedDict[str, list[V]]:
    """Items (or probes: anything with ``.video``) per video, in first-seen order."""
    groups: OrderedDict[str, list[V]] = OrderedDict()
    for it in items:
        groups.setdefault(it.video, []).append(it)
    return groups


def evaluate(items: list[Item], model: StreamingModel, out_dir: str | Path, skip_bad: bool = False,
             progress: bool = True, frame_size: int | None = None,
             on_video: Callable[[int], None] | None = None) -> dict[str, Any]:
    """Stream every video once through ``model``, score its items, append, and summarise."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    pred_path, skip_path = out / "predictions.jsonl", out / "skipped.jsonl"
    _repair_tail(pred_path)
    done = {r["id"] for r in read_jsonl(pred_path)}
    skipped = {r["id"] for r in read_jsonl(skip_path)}
    todo = [it for it in items if it.id not in done and it.id not in skipped]
    groups = group_by_video(todo)
    bar = tqdm(total=len(todo), desc=f"eval {getattr(model, 'name', 'model')}", unit="item", disable=not progress)
    for n, (video, its) in enumerate(groups.items()):
        queries = [StreamQuery(Query(it.id, it.question, tuple(it.options), it.query_time, it.task), it.close_time)
                   for it in its]
        try:
            responses = run_stream(model, video, its[0].fps, its[0].duration, queries, frame_size=frame_size)
        except VideoError as e:
            ids = [it.id for it in its]
            if not skip_bad:
                raise VideoError(f"{e} (items {ids}); rerun with --skip-bad to go on without them") from None
            _append(skip_path, [{"id": i, "reason": str(e)} for i in ids])
            bar.update(len(its))
            continue
        records = []
        for it in its:
            s = score_item(it, responses[it.id]).to_json()
            s["responses"] = [{"t": r.time, "text": r.text} for r in responses[it.id]]
            records.append(s)
        _append(pred_path, records)
        bar.update(len(its))
        if on_video is not None:
            on_video(n)
    bar.close()
    return summarize(items, out)


def summarize(items: list[Item], out_dir: Path) -> dict[str, Any]:
    ids = {it.id for it in items}
    preds = [r for r in read_jsonl(out_dir / "predictions.jsonl") if r["id"] in ids]
    summary = aggregate(preds)
    summary["skipped"] = [r for r in read_jsonl(out_dir / "skipped.jsonl") if r["id"] in ids]
    summary["complete"] = len(preds) + len(summary["skipped"]) == len(items)
    (out_dir / "summary.json").write_text(json.dumps(summary, indent=2))
    return summary
