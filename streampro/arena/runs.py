"""The runs an arena compares: ``streampro eval`` / ``score`` folders, each one model's timed responses
(``predictions.jsonl``) and its per-question StreamPro-F1 (``scores.jsonl``, ``summary.json``)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from ..bench.scoring import Prediction
from ..data.schema import Item, SchemaError
from .store import ArenaError


@dataclass
class ArenaRun:
    name: str
    folder: Path
    predictions: dict[str, list[Prediction]]
    f1: dict[str, float]  # per question, 0–1 (scores.jsonl)
    wavg: float | None  # the run's W-Avg StreamPro-F1, 0–100 (summary.json)


def load_run(folder: Path, items: list[Item], name: str | None = None) -> ArenaRun:
    from ..bench.evaluate import load_predictions
    from ..core.jsonl import read_jsonl

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
        f1 = {s["id"]: float(s["f1"]) for s in scores}
    except (SchemaError, json.JSONDecodeError, KeyError, TypeError, ValueError) as e:
        raise ArenaError(f"{folder}: unreadable run ({e})") from None
    return ArenaRun(name or folder.name, folder, preds, f1, read_wavg(folder))


def read_wavg(folder: Path) -> float | None:
    """The run's StreamPro-F1 W-Avg from its ``summary.json`` (None if it has none)."""
    summary = Path(folder) / "summary.json"
    try:
        return (json.loads(summary.read_text(encoding="utf-8")).get("f1") or {}).get("wavg")
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, AttributeError) as e:
        raise ArenaError(f"{summary}: unreadable ({type(e).__name__}: {e}); rescore the run with `streampro score`") from None


def run_names(folders: list[Path]) -> list[str]:
    """Model names of run folders: the folder's name, ``parent/name`` where two folders share a name (the
    names the votes store, so ``serve``, ``simulate`` and ``rank`` agree)."""
    names = [Path(f).name for f in folders]
    names = [f"{Path(f).parent.name}/{n}" if names.count(n) > 1 else n for f, n in zip(folders, names, strict=True)]
    if len(set(names)) < len(names):
        raise ArenaError(f"two runs have the same name: {names}")
    return names


def load_runs(folders: list[Path], items: list[Item]) -> dict[str, ArenaRun]:
    """Runs by model name (:func:`run_names`)."""
    if len(folders) < 2:
        raise ArenaError("an arena needs at least two runs (--runs A B ...)")
    return {n: load_run(Path(f), items, n) for f, n in zip(folders, run_names(folders), strict=True)}


def shared_questions(runs: dict[str, ArenaRun], items: list[Item]) -> list[Item]:
    """The questions every run scored (a question one run skipped cannot be compared)."""
    keep = [it for it in items if all(it.id in r.f1 for r in runs.values())]
    if not keep:
        raise ArenaError("the runs share no scored question with the benchmark (were they run on another --bench?)")
    return keep
