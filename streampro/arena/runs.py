"""The runs an arena compares: ``streampro eval`` / ``score`` folders, each one model's timed responses
(``predictions.jsonl``) and its per-question StreamPro-F1 (``scores.jsonl``, ``summary.json``)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from ..bench.schema import Item, SchemaError
from ..bench.scoring import Prediction
from .store import ArenaError


@dataclass
class ArenaRun:
    name: str
    folder: Path
    predictions: dict[str, list[Prediction]]
    f1: dict[str, float]  # per question, 0–1 (scores.jsonl)
    wavg: float | None  # the run's W-Avg StreamPro-F1, 0–100 (summary.json)


def load_run(folder: Path, items: list[Item], name: str | None = None) -> ArenaRun:
    from ..bench.evaluate import load_predictions, read_jsonl

    folder = Path(folder)
    if not folder.is_dir():
        raise ArenaError(f"{folder}: no such run folder")
    for f, how in (("predictions.jsonl", "streampro eval --out"), ("scores.jsonl", "streampro score --out"),
                   ("summary.json", "streampro score --out")):
        if not (folder / f).exists():
            raise ArenaError(f"{folder}: no {f} (run `{how} {folder}` first)")
    try:
        preds = load_predictions(folder / "predictions.jsonl", {it.id for it in items})
        scores = read_jsonl(folder / "scores.jsonl")
        summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
        f1 = {s["id"]: float(s["f1"]) for s in scores}
    except (SchemaError, json.JSONDecodeError, KeyError, TypeError, ValueError) as e:
        raise ArenaError(f"{folder}: unreadable run ({e})") from None
    return ArenaRun(name or folder.name, folder, preds, f1, (summary.get("f1") or {}).get("wavg"))


def load_runs(folders: list[Path], items: list[Item]) -> dict[str, ArenaRun]:
    """Runs by model name (the folder's name; ``parent/name`` where two folders share a name)."""
    if len(folders) < 2:
        raise ArenaError("an arena needs at least two runs (--runs A B ...)")
    names = [Path(f).name for f in folders]
    names = [f"{Path(f).parent.name}/{n}" if names.count(n) > 1 else n for f, n in zip(folders, names, strict=True)]
    if len(set(names)) < len(names):
        raise ArenaError(f"two runs have the same name: {names}")
    return {n: load_run(Path(f), items, n) for f, n in zip(folders, names, strict=True)}


def shared_questions(runs: dict[str, ArenaRun], items: list[Item]) -> list[Item]:
    """The questions every run scored (a question one run skipped cannot be compared)."""
    keep = [it for it in items if all(it.id in r.f1 for r in runs.values())]
    if not keep:
        raise ArenaError("the runs share no scored question with the benchmark (were they run on another --bench?)")
    return keep
