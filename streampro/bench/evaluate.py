"""Evaluate a streaming model on StreamPro-Bench: stream, then score with StreamPro-F1.

Streaming appends each question's timed responses to ``predictions.jsonl`` (one line per question,
``{"id", "responses": [{"t", "text"}]}``, the same layout ``streampro score`` reads from other
harnesses) as soon as a video's stream finishes, flushed and fsynced, so an interrupted run loses at
most one video and a rerun skips every question already there. Scoring is recomputed from the whole
predictions file (the judge's cache makes that free): ``scores.jsonl`` per question, ``summary.json``.
"""

from __future__ import annotations

import json
import math
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tqdm import tqdm

from ..core.errors import InputError
from ..core.items import Item
from ..core.jsonl import read_jsonl, repair_tail
from ..core.types import Query
from ..data.schema import SchemaError, json_lines
from ..data.video import VideoError
from ..models.base import StreamingModel
from .judges import Judge, judge_stats
from .protocol import StreamJob, StreamQuery, run_jobs
from .runfile import RunFile, group_by_video, lock_run, merge_shards
from .scoring import F1Settings, Prediction, aggregate, native_rule, score_predictions, settings_json
from .shard import barrier, dist_info

#: what an eval run writes into its folder (``--overwrite`` removes these)
RUN_OUTPUTS = ("predictions*.jsonl", "skipped*.jsonl", "scores.jsonl", "summary.json", "table.md", "report.html",
               "judge_cache.jsonl")


def item_query(it: Item) -> Query:
    return Query(it.id, it.question, (), it.query_time, it.task)


def stream_items(items: list[Item], model: StreamingModel, out_dir: str | Path, skip_bad: bool = False,
                 progress: bool = True, frame_size: int | None = None,
                 on_video: Callable[[int], None] | None = None, rank: int = 0, world: int = 1,
                 batch_videos: int = 8) -> None:
    """Stream every video once through ``model`` (all its questions share the pass) and append the
    timed responses to ``predictions.jsonl``. Each stream runs to the end of the video, since a
    response after the last answer window still counts against precision. With ``world > 1`` this
    process takes every ``world``-th video and writes its own shard (``bench/runfile.py``). A model that
    batches streams streams ``batch_videos`` videos at a time (an interruption loses at most those)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    lock = lock_run(out, rank)  # noqa: F841 - held until this function returns
    run = RunFile(out, "id", rank, world).open()
    done = run.answered()
    groups = list(group_by_video(items).items())[rank::world]
    # questions skipped earlier are tried again: their video may have been fixed since
    todo = [it for _, its in groups for it in its if it.id not in done]
    run.retry({it.id for it in todo})
    bar = tqdm(total=len(todo), desc=f"stream {getattr(model, 'name', 'model')}", unit="q",
               disable=not progress or rank != 0)
    # one pass per video and frame rate: items that share a video but not its fps each stream at their own
    streams: OrderedDict[tuple[str, float], list[Item]] = OrderedDict()
    for it in todo:
        streams.setdefault((it.video, it.fps), []).append(it)
    # a model that batches streams (StreamPro-Small's step_batch) streams several videos in lockstep; the
    # results are appended video by video in the usual order, each exactly what streaming it alone gives
    batch = batch_videos if type(model).step_batch is not StreamingModel.step_batch else 1
    todo_streams = list(streams.items())
    n = 0
    for start in range(0, len(todo_streams), batch):
        chunk = todo_streams[start:start + batch]
        jobs = [StreamJob(model if k == 0 else model.spawn(), video, fps, max(it.duration for it in its),
                          [StreamQuery(item_query(it), it.duration) for it in its], frame_size)
                for k, ((video, fps), its) in enumerate(chunk)]
        for ((_, _), its), responses in zip(chunk, run_jobs(jobs), strict=True):
            if isinstance(responses, VideoError):
                ids = [it.id for it in its]
                if not skip_bad:
                    raise VideoError(f"{responses} (items {ids}); rerun with --skip-bad to go on without them") from None
                run.skip([{"id": i, "reason": str(responses)} for i in ids])
            else:
                run.append([{"id": it.id, "responses": [{"t": r.time, "text": r.text, **({"cut": True} if r.cut else {})}
                                                        for r in responses[it.id]]} for it in its])
                if on_video is not None:
                    on_video(n)
            bar.update(len(its))
            n += 1
    bar.close()


def load_predictions(path: str | Path, known: set[str] | None = None) -> dict[str, list[Prediction]]:
    """Read ``{"id", "responses": [{"t", "text"}]}`` lines (ours or another harness's), validating each."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"predictions file not found: {path}")
    out: dict[str, list[Prediction]] = {}
    first_line: dict[str, str] = {}
    for where, rec in json_lines(path):
        if isinstance(rec, SchemaError):
            raise rec
        if not isinstance(rec, dict) or not isinstance(rec.get("id"), str) or not isinstance(rec.get("responses"), list):
            raise SchemaError(f'{where}: expected {{"id": str, "responses": [{{"t": seconds, "text": str}}]}}')
        preds = []
        for j, r in enumerate(rec["responses"]):
            t = r.get("t") if isinstance(r, dict) else None
            if not (isinstance(t, int | float) and not isinstance(t, bool) and math.isfinite(t) and t >= 0
                    and isinstance(r.get("text"), str)):
                raise SchemaError(f"{where} (id {rec['id']!r}): responses[{j}] needs a finite number 't' >= 0 (seconds) "
                                  f"and a string 'text', got t={t!r}")
            preds.append(Prediction(float(r["t"]), r["text"], r.get("cut") is True))
        if rec["id"] in first_line:  # which line would win is a guess: refuse instead
            raise SchemaError(f"{where}: id {rec['id']!r} already has a line ({first_line[rec['id']]}); keep one "
                              "line per question")
        first_line[rec["id"]] = where
        out[rec["id"]] = preds
    unknown = set(out) - known if known is not None else set()
    if unknown:
        raise SchemaError(f"{path}: {len(unknown)} prediction id(s) are not in the benchmark, e.g. {sorted(unknown)[:3]}")
    return out


def score_run(items: list[Item], out_dir: str | Path, judge: Judge, settings: F1Settings = F1Settings(),
              predictions: str | Path | None = None, progress: bool = False,
              provenance: dict[str, Any] | None = None) -> dict[str, Any]:
    """Score ``predictions`` (default ``OUT/predictions.jsonl``) with StreamPro-F1; writes
    ``scores.jsonl`` and ``summary.json`` (``f1.tasks.<T>.{time,acc,precision,recall,f1,n}``,
    ``f1.dimensions``, ``f1.avg``, ``f1.wavg``). Questions without a prediction line score as silence
    unless they were skipped as unreadable."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    ids = {it.id for it in items}
    preds = load_predictions(predictions or out / "predictions.jsonl", ids)
    preds_ids = set(preds)
    repair_tail(out / "skipped.jsonl")
    # a question with predictions was answered (perhaps after its video was fixed): it is not skipped
    skipped = [r for r in read_jsonl(out / "skipped.jsonl") if r["id"] in ids and r["id"] not in preds_ids]
    skip_ids = {r["id"] for r in skipped}
    scored = [it for it in items if it.id not in skip_ids]
    if not scored:
        raise InputError(f"every question was skipped as unreadable ({len(skipped)}; the reasons are in "
                         f"{out / 'skipped.jsonl'}, e.g. {skipped[0]['reason']}); fix the videos and rerun")
    scores = score_predictions(scored, preds, judge, settings, progress=progress)
    (out / "scores.jsonl").write_text("".join(json.dumps(s) + "\n" for s in scores), encoding="utf-8")
    from .. import __version__

    judge_info = judge_stats(judge)
    # what produced these numbers, so a table is never mistaken for another run's (or an LLM-judged one)
    run = {**(provenance or {}), "judge": judge_info["name"], "metric": settings_json(settings),
           "n_questions": len(items), "streampro": __version__}
    summary = {"run": run, "f1": aggregate(scores, settings), "judge": judge_info, "settings": settings_json(settings),
               # answers the model's length cap cut (a setting of hf: models, max_new_tokens): if many are, raise it
               "cut_responses": sum(p.cut for ps in preds.values() for p in ps),
               "skipped": skipped, "missing_predictions": sum(it.id not in preds for it in scored),
               "complete": all(it.id in preds for it in scored)}
    if (po := native_rule(scored, preds)) is not None:  # StreamingBench PO items: also the benchmark's own rule
        summary["po_official_rule"] = po
    (out / "summary.json").write_text(json.dumps(summary, indent=2))
    return summary


def stream_run(items: list[Item], model: StreamingModel, out_dir: str | Path, skip_bad: bool = False,
               progress: bool = True, frame_size: int | None = None,
               on_video: Callable[[int], None] | None = None) -> bool:
    """Stream (resumable). Under ``torchrun``/``accelerate launch`` the videos are sharded over the processes
    and rank 0 merges the shards; returns whether this process should score (rank 0)."""
    rank, world = dist_info()
    stream_items(items, model, out_dir, skip_bad, progress, frame_size, on_video, rank, world)
    if world > 1:
        barrier()  # every shard is complete
        if rank != 0:
            return False
        merge_shards(Path(out_dir), list(group_by_video(items)), {it.id: it.video for it in items})
    return True


def evaluate(items: list[Item], model: StreamingModel, out_dir: str | Path, judge: Judge, skip_bad: bool = False,
             progress: bool = True, frame_size: int | None = None, settings: F1Settings = F1Settings(),
             on_video: Callable[[int], None] | None = None,
             provenance: dict[str, Any] | None = None) -> dict[str, Any] | None:
    """``eval`` = stream (resumable) + ``score``; a sharded run's rank 0 returns the summary, the others None."""
    if not stream_run(items, model, out_dir, skip_bad, progress, frame_size, on_video):
        return None
    return score_run(items, out_dir, judge, settings, provenance=provenance)
