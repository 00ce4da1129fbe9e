"""The files of one evaluation run, for every benchmark: ``predictions.jsonl`` and ``skipped.jsonl``.

Each record is one question's (or probe's) result, appended, flushed and fsynced as soon as its video is
done (``core.jsonl``), so an interrupted run loses at most the video in flight, a torn last line is
repaired before the next append, and a rerun skips every record already there. A benchmark names the
field that identifies its records (``key``: StreamPro-Bench and ``streampro score`` read ``id``, the
probe benchmarks write ``qid`` because OVO-Bench's own ``id`` is the entry's, kept in their records for
its result layout). Sharded runs (``torchrun``) write ``predictions.rank<R>.jsonl`` per process, merged
here into the single-process layout.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable
from pathlib import Path
from typing import Any, TypeVar

from ..core.errors import RunConflict
from ..core.jsonl import append_jsonl, read_jsonl, repair_tail, write_jsonl

V = TypeVar("V")  # anything with a ``.video`` path


def group_by_video(items: Iterable[V]) -> OrderedDict[str, list[V]]:
    """Items (or probes: anything with ``.video``) per video, in first-seen order."""
    groups: OrderedDict[str, list[V]] = OrderedDict()
    for it in items:
        groups.setdefault(it.video, []).append(it)  # type: ignore[attr-defined]
    return groups


def lock_run(out: Path, rank: int = 0):
    """An exclusive lock on ``out`` for this process (rank): a second eval writing to the same folder stops
    at once instead of writing every answer twice. Released when the returned file is closed or the
    process ends."""
    import fcntl

    f = (out / f".lock{'' if rank == 0 else f'.rank{rank}'}").open("w")
    try:
        fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        f.close()
        raise RunConflict(f"another streampro process is writing to {out}; wait for it to finish, or use another "
                          "--out") from None
    return f


def shard_files(out: Path, rank: int, world: int) -> tuple[Path, Path]:
    if world == 1:
        return out / "predictions.jsonl", out / "skipped.jsonl"
    return out / f"predictions.rank{rank}.jsonl", out / f"skipped.rank{rank}.jsonl"


class RunFile:
    """``predictions.jsonl`` + ``skipped.jsonl`` of a run folder (this process's shard under ``world > 1``)."""

    def __init__(self, out: str | Path, key: str = "id", rank: int = 0, world: int = 1):
        self.out, self.key = Path(out), key
        self.predictions, self.skipped = shard_files(self.out, rank, world)

    def open(self) -> RunFile:
        """Create the folder and the predictions file (it exists even when every video is skipped: scoring
        then says so, not "file not found"), and drop a torn last line from an interrupted run."""
        self.out.mkdir(parents=True, exist_ok=True)
        self.predictions.touch()
        repair_tail(self.predictions)
        repair_tail(self.skipped)
        return self

    def answered(self) -> set[str]:
        """Keys with a prediction, in this shard or in an already merged ``predictions.jsonl``."""
        return {r[self.key] for p in {self.predictions, self.out / "predictions.jsonl"} for r in read_jsonl(p)}

    def skipped_keys(self) -> set[str]:
        return {r[self.key] for r in read_jsonl(self.skipped)}

    def retry(self, keys: set[str]) -> None:
        """Forget that ``keys`` were skipped (their video may have been fixed since): they are streamed again."""
        earlier = read_jsonl(self.skipped)
        kept = [r for r in earlier if r[self.key] not in keys]
        if len(kept) != len(earlier):
            write_jsonl(self.skipped, kept)

    def append(self, records: list[dict[str, Any]]) -> None:
        append_jsonl(self.predictions, records)

    def skip(self, records: list[dict[str, Any]]) -> None:
        append_jsonl(self.skipped, records)

    def records(self, keys: set[str] | None = None) -> list[dict[str, Any]]:
        return [r for r in read_jsonl(self.predictions) if keys is None or r[self.key] in keys]

    def skipped_records(self) -> list[dict[str, Any]]:
        return read_jsonl(self.skipped)


def merge_shards(out: Path, video_order: list[str], video_of: dict[str, str], key: str = "id") -> None:
    """Merge every ``*.rank<R>.jsonl`` (and an existing merged file) into ``predictions.jsonl`` /
    ``skipped.jsonl``, records grouped by video in ``video_order`` — the single-process layout.
    Written to a temporary file and renamed, so an interruption never leaves a torn merge."""
    rank_of = {v: i for i, v in enumerate(video_order)}
    for name in ("predictions", "skipped"):
        recs: dict[str, dict[str, Any]] = {}
        for path in [out / f"{name}.jsonl", *sorted(out.glob(f"{name}.rank*.jsonl"))]:
            for r in read_jsonl(path):
                recs.setdefault(r[key], r)
        ordered = sorted(recs.values(), key=lambda r: rank_of.get(video_of.get(r[key], ""), len(rank_of)))
        if not ordered and not (out / f"{name}.jsonl").exists():
            continue
        write_jsonl(out / f"{name}.jsonl", ordered)
