"""Learning curves of a GRPO run: StreamPro-F1 on a validation split every ``eval_every`` steps, logged to
``log.jsonl`` beside the reward, KL, responses per stream and response rate, and drawn to ``curves.png``.

The validation pass streams the current policy greedily (as ``eval`` would) on the main process only, into
``OUT/val/step-N/`` (predictions and summary, so a resumed run keeps them), with the rule judge and the
benchmark's default metric. It never touches a test split: pass a val file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..bench.evaluate import score_run, stream_items
from ..bench.judges import RuleJudge
from ..core.items import DIMENSIONS, Item


def validate(policy, items: list[Item], out: Path, step: int) -> dict[str, float]:
    """``val/wavg`` and ``val/<dimension>`` of the policy as it is after ``step`` steps."""
    folder = out / "val" / f"step-{step}"
    was_training = policy.training
    policy.eval()
    try:
        stream_items(items, policy.streamer(), folder, progress=False)  # rank 0, one shard: no collective call
        f1 = score_run(items, folder, RuleJudge())["f1"]
    finally:
        policy.train(was_training)
    return {"val/wavg": f1["wavg"], **{f"val/{d}": v["f1"] for d, v in f1["dimensions"].items()}}


def plot_curves(log: Path, out: Path) -> Path | None:
    """``curves.png``: training signals per step (top) and validation StreamPro-F1 (bottom)."""
    rows = [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []
    if not rows:
        return None
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (top, bottom) = plt.subplots(2, 1, figsize=(7, 6), sharex=True)

    def series(key: str) -> tuple[list[int], list[Any]]:
        pts = [(r["step"], r[key]) for r in rows if r.get(key) is not None]
        return [p[0] for p in pts], [p[1] for p in pts]

    for key in ("reward", "kl", "responses_per_stream", "response_rate"):
        xs, ys = series(key)
        if xs:
            top.plot(xs, ys, label=key)
    top.set_ylabel("training")
    if top.lines:
        top.legend(fontsize=8)
    for key in ("val/wavg", *(f"val/{d}" for d in DIMENSIONS)):
        xs, ys = series(key)
        if xs:
            bottom.plot(xs, ys, marker="o", label=key.removeprefix("val/"))
    bottom.set_xlabel("GRPO step")
    bottom.set_ylabel("val StreamPro-F1")
    if bottom.lines:
        bottom.legend(fontsize=8)
    fig.tight_layout()
    path = out / "curves.png"
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path
