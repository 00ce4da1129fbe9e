"""``streampro data build``: a folder of videos -> verified StreamPro items, stage by stage.

Per video: decode the frames once (an undecodable video is rejected with the reason), filter (shots; the
RF scene check), caption, synthesise each requested task, verify every draft. Outputs in ``OUT``:
``items.jsonl`` (the verified set, the benchmark format, videos relative to ``OUT``), ``dropped.jsonl``
(each rejected draft with its feedback), ``videos.jsonl`` (each video: kept or the reason), ``captions.jsonl``,
``failures.jsonl`` (calls whose reply stayed unusable), ``rf_annotate.csv`` (Risk Forecasting is annotated by
people: a row per video that passed its scene check, to fill in), ``summary.json`` and ``calls.jsonl`` (the
call cache: a rerun asks nothing twice).
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from tqdm import tqdm

from ..core.errors import InputError
from ..core.items import TASKS
from ..core.jsonl import write_jsonl
from ..llm.templates import read_template
from .calls import BackendDown, Caller, CallFailure
from .captions import CAPTION_PLACEHOLDERS, caption_video, windows
from .filtering import FilterSettings, keep_reason, rf_check, shot_stats
from .frames import sample_frames
from .replies import Drafts
from .synthesize import GUIDES, SYNTH_PLACEHOLDERS, answer_format, draft_record, synth_prompt
from .verify import VERIFY_PLACEHOLDERS, verify_item
from .video import VideoError, video_duration

VIDEO_EXTS = (".mp4", ".mkv", ".webm", ".mov", ".avi")
BUILD_TASKS = tuple(GUIDES)  # RF is annotated by people (rf_annotate.csv), never generated
PROMPTS = {"shots": ("duration", "n_frames"), "rf_scene": (), "captions": CAPTION_PLACEHOLDERS,
           "synthesize": SYNTH_PLACEHOLDERS, "discriminate": VERIFY_PLACEHOLDERS, "revise": VERIFY_PLACEHOLDERS}
OUTPUTS = ("items.jsonl", "dropped.jsonl", "videos.jsonl", "captions.jsonl", "failures.jsonl", "rf_annotate.csv",
           "summary.json", "calls.jsonl", "review.jsonl", "reviewed.jsonl")


@dataclass
class BuildSettings:
    tasks: tuple[str, ...] = BUILD_TASKS + ("RF",)
    fps: float = 1.0  # frames per second shown to the VLM, and the items' streaming fps
    frame_size: int = 448
    window_s: float = 32.0  # caption window: one VLM call per window
    filter: FilterSettings = field(default_factory=FilterSettings)
    max_rounds: int = 3  # discriminator checks per item (revisions: one fewer)
    retries: int = 2  # re-asks of an unusable reply
    concurrency: int = 4  # items verified in parallel
    prompts: str | None = None  # a folder whose <stage>.txt files replace the package's

    def validate(self) -> None:
        unknown = [t for t in self.tasks if t not in TASKS or t not in (*BUILD_TASKS, "RF")]
        if unknown:
            raise InputError(f"--tasks: unknown or unsupported task(s) {unknown}; choose from {[*BUILD_TASKS, 'RF']}")
        if self.fps <= 0 or self.window_s <= 0 or self.max_rounds < 1 or self.retries < 0:
            raise InputError("--fps and --window-s must be > 0, --max-rounds >= 1 and --retries >= 0")


def find_videos(folder: Path) -> list[Path]:
    if not folder.is_dir():
        raise InputError(f"{folder}: not a folder of videos")
    videos = sorted(p for p in folder.rglob("*") if p.suffix.lower() in VIDEO_EXTS and p.is_file())
    if not videos:
        raise InputError(f"{folder}: no videos ({', '.join(VIDEO_EXTS)})")
    return videos


def load_prompts(folder: str | None) -> dict[str, str]:
    here = Path(__file__).parent / "prompts"
    out = {}
    for name, known in PROMPTS.items():
        user = Path(folder) / f"{name}.txt" if folder else None
        out[name] = read_template(user if user and user.exists() else here / f"{name}.txt", known)
    return out


def plan(videos: list[Path], settings: BuildSettings) -> dict[str, Any]:
    """What a build would call, from the videos' headers only (``--dry-run``)."""
    rows, totals = [], Counter()
    gen = [t for t in settings.tasks if t != "RF"]
    for v in videos:
        d = video_duration(str(v))
        calls = {"shots": int(settings.filter.shots == "vlm"), "rf_scene": int("RF" in settings.tasks),
                 "captions": len(windows(d, settings.window_s)) if d else 0, "synthesize": len(gen) if d else 0}
        totals.update(calls)
        rows.append({"video": str(v), "duration": d, **calls})
    return {"videos": rows, "calls": dict(totals), "calls_before_verification": sum(totals.values()),
            "verification": f"per drafted item: 1 to {settings.max_rounds} discriminator call(s) and up to "
                            f"{settings.max_rounds - 1} revision(s); unusable replies add up to {settings.retries} "
                            "re-asks per call"}


def build(videos_dir: Path, out: Path, vlm: Caller, llm: Caller, settings: BuildSettings,
          progress: bool = True) -> dict[str, Any]:
    settings.validate()
    prompts = load_prompts(settings.prompts)
    videos = find_videos(videos_dir)
    out.mkdir(parents=True, exist_ok=True)
    gen_tasks = [t for t in settings.tasks if t != "RF"]
    video_rows, caption_rows, failures, drafts, rf_rows = [], [], [], [], []
    for video in tqdm(videos, desc="videos", disable=not progress):
        row: dict[str, Any] = {"video": str(video)}
        video_rows.append(row)
        duration = video_duration(str(video))
        try:
            if not duration:
                raise VideoError(f"{video}: cannot read its duration")
            frames = sample_frames(video, settings.fps, settings.frame_size)
        except VideoError as e:
            row.update(kept=False, reason=f"cannot decode: {e}")
            continue
        if not frames.jpegs:
            row.update(kept=False, reason="no frames decoded")
            continue
        row["duration"] = duration
        stats = shot_stats(video, duration, frames, settings.filter, vlm, prompts["shots"])
        if isinstance(stats, CallFailure):
            failures.append({"stage": "shots", "video": str(video), "reason": stats.reason})
            row.update(kept=False, reason=f"shot check failed: {stats.reason}")
            continue
        if stats is not None:
            row["shots"] = stats.model_dump()
        reason = keep_reason(stats, settings.filter)
        row.update(kept=reason is None, reason=reason)
        if reason:
            continue
        if "RF" in settings.tasks:
            scene = rf_check(vlm, prompts["rf_scene"], frames)
            if isinstance(scene, CallFailure):
                failures.append({"stage": "rf_scene", "video": str(video), "reason": scene.reason})
            else:
                row["rf_scene"] = scene.model_dump()
                if scene.egocentric and scene.outdoor:
                    rf_rows.append(video)
        captions, cap_failures = caption_video(vlm, prompts["captions"], frames, duration, settings.window_s)
        failures += [{"stage": "captions", "video": str(video), "reason": r} for r in cap_failures]
        caption_rows.append({"video": str(video), **captions.model_dump()})
        if cap_failures and not (captions.events or captions.actions or captions.objects):
            continue  # nothing to synthesise from: the failures say why
        for task in gen_tasks:
            reply = llm.ask(synth_prompt(prompts["synthesize"], task, duration, captions), Drafts)
            if isinstance(reply, CallFailure):
                failures.append({"stage": "synthesize", "video": str(video), "task": task, "reason": reply.reason})
                continue
            for k, d in enumerate(reply.items):
                item_id = f"{video.stem}-{task}-{k}"
                drafts.append((draft_record(d, item_id, video.resolve(), out.resolve(), task, settings.fps, duration),
                               captions))
    verdicts = _verify_all(drafts, llm, prompts, settings, out, progress)
    kept = [v.record for v in verdicts if v.status == "kept"]
    dropped = [{"id": v.record["id"], "reason": v.reason, "rounds": v.rounds, "feedback": v.feedback,
                "record": v.record} for v in verdicts if v.status == "dropped"]
    write_jsonl(out / "items.jsonl", kept)
    write_jsonl(out / "dropped.jsonl", dropped)
    write_jsonl(out / "videos.jsonl", video_rows)
    write_jsonl(out / "captions.jsonl", caption_rows)
    write_jsonl(out / "failures.jsonl", failures)
    _write_rf_template(out / "rf_annotate.csv", rf_rows, out)
    summary = {
        "videos": {"found": len(videos), "kept": sum(r.get("kept", False) for r in video_rows),
                   "rejected": dict(Counter(r["reason"].split(" (")[0].split(":")[0] for r in video_rows
                                            if not r.get("kept")))},
        "drafts": len(drafts), "kept": len(kept),
        "kept_per_task": dict(Counter(r["task"] for r in kept)),
        "revised_then_kept": sum(1 for v in verdicts if v.status == "kept" and v.feedback),
        "dropped": dict(Counter(d["reason"].split(":")[0] for d in dropped)),
        "failures": dict(Counter(f["stage"] for f in failures)), "rf_candidates": len(rf_rows),
        "calls": {"vlm": vlm.stats, "llm": llm.stats}, "settings": _settings_json(settings),
    }
    (out / "summary.json").write_text(json.dumps(summary, indent=2))
    return summary


def _verify_all(drafts, llm: Caller, prompts, settings: BuildSettings, out: Path, progress: bool):
    def one(pair):
        rec, captions = pair
        task = rec["task"]
        return verify_item(rec, llm, llm, prompts, json.dumps(captions.model_dump()), settings.max_rounds,
                           lambda d, rec=rec: _redraft(d, rec, out, settings), TASKS[task].name, answer_format(task))

    with ThreadPoolExecutor(max(1, settings.concurrency)) as pool:
        return list(tqdm(pool.map(one, drafts), total=len(drafts), desc="verify", disable=not progress))


def _redraft(draft, rec: dict[str, Any], out: Path, settings: BuildSettings) -> dict[str, Any]:
    video = (out / rec["video"]).resolve()
    return draft_record(draft, rec["id"], video, out.resolve(), rec["task"], settings.fps, rec["duration"])


def _write_rf_template(path: Path, videos: list[Path], out: Path) -> None:
    """The generic annotation CSV (``streampro data convert --format csv``), one empty RF row per video."""
    import os

    from .convert import CSV_COLUMNS

    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=list(CSV_COLUMNS))
        w.writeheader()
        for v in videos:
            w.writerow({"video": os.path.relpath(v.resolve(), out.resolve()), "task": "RF", "query_time": "0",
                        "question": "Warn me before I run into anything dangerous.", "text": "", "time": ""})


def _settings_json(settings: BuildSettings) -> dict[str, Any]:
    d = asdict(settings)
    d["tasks"] = list(settings.tasks)
    return d


__all__ = ["BUILD_TASKS", "BackendDown", "BuildSettings", "build", "find_videos", "plan"]
