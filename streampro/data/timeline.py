"""One question on its video's time axis, as a picture: what ``data preview`` shows an annotator and what the
report shows per sampled question (with each model's responses and matches)."""

from __future__ import annotations

import io
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from ..core.items import TIME_EPS, Item  # noqa: E402
from .video import VideoError, iter_frames  # noqa: E402


def timeline_figure(item: Item, runs: dict[str, dict[str, Any]], n_thumbs: int = 8, max_marks: int = 400) -> bytes:
    """PNG: a frame strip, the answers' windows (light) and best times (dark) with their texts, then one
    row per model: every response (o matched, x unmatched), a line to the answer it matched, S_time/S_acc."""
    end = item.duration
    fig = plt.figure(figsize=(11, 2.2 + 0.5 * (len(runs) + 1)))
    gs = fig.add_gridspec(2, n_thumbs, height_ratios=[1.1, 0.5 * (len(runs) + 1)])
    try:
        frames = list(iter_frames(item.video, fps=item.fps))
        for i in range(n_thumbs):
            t = end * i / (n_thumbs - 1)
            fr = min(frames, key=lambda f: abs(f.time - t))
            ax = fig.add_subplot(gs[0, i])
            ax.imshow(fr.pixels)
            ax.set_title(f"{fr.time:.0f}s", fontsize=7)
            ax.axis("off")
    except VideoError:
        pass
    ax = fig.add_subplot(gs[1, :])
    gt_row = len(runs)
    for j, a in enumerate(item.answers):
        lo, hi = item.window(a)
        ax.axvspan(lo, hi, ymin=0, ymax=1, color=f"C{j % 10}", alpha=0.10)
        b0, b1 = a.best
        ax.plot([b0, max(b1, b0 + 0.15)], [gt_row, gt_row], color=f"C{j % 10}", lw=6, solid_capstyle="butt")
        ax.annotate(a.text[:32], (b0, gt_row), xytext=(0, 6 + 10 * (j % 2)), textcoords="offset points", fontsize=8,
                    color=f"C{j % 10}")
    ax.axvline(item.query_time, color="k", lw=1, ls="--")
    for row, (_name, run) in enumerate(runs.items()):
        sc = run.get("score") or {}
        by_pred = {m["pred"]: m for m in sc.get("matches", [])}
        # the scorer indexes the responses given from the query time on, in time order
        times = sorted(r["t"] for r in run["responses"] if r["t"] >= item.query_time - TIME_EPS)
        early = [r["t"] for r in run["responses"] if r["t"] < item.query_time - TIME_EPS]
        for pi, m in by_pred.items():  # at most one per answer
            j = m["answer"]
            ax.plot(times[pi], row, "o", color=f"C{j % 10}", ms=7)
            ax.plot([times[pi], item.answers[j].best[0]], [row, gt_row], color=f"C{j % 10}", lw=0.6, alpha=0.6)
            ax.annotate(f"{m['s_time']:.2f}/{m['s_acc']:.2f}", (times[pi], row), xytext=(3, -10),
                        textcoords="offset points", fontsize=7)
        unmatched = early + [t for pi, t in enumerate(times) if pi not in by_pred]
        if len(unmatched) > max_marks:  # a model that speaks 200,000 times: draw an even sample, say so
            ax.annotate(f"{len(unmatched):,} unmatched, {max_marks} drawn", (end, row), xytext=(-4, 5),
                        textcoords="offset points", fontsize=7, ha="right", color="0.3")
            unmatched = unmatched[:: -(-len(unmatched) // max_marks)]
        ax.plot(unmatched, [row] * len(unmatched), "x", color="0.4", ms=5, ls="none")
    ax.set_yticks(range(len(runs) + 1), [*runs, "answers"], fontsize=9)
    ax.set_ylim(-0.7, len(runs) + 0.9)
    ax.set_xlim(0, end)
    ax.set_xlabel("time (s)   [o matched: S_time/S_acc of the pair kept; x unmatched; dashed: query]")
    fig.suptitle(f"[{item.task}] {item.question}", fontsize=10)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100, bbox_inches="tight")
    plt.close(fig)
    return buf.getvalue()
