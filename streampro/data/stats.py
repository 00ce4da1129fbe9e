"""What an annotator checks before training: ``streampro data stats`` and ``streampro data preview``."""

from __future__ import annotations

import base64
import html
import io
import json
import random
import statistics
from collections import Counter
from pathlib import Path
from typing import Any

from ..core.items import DIMENSIONS, TASKS, Item
from .timeline import plt, timeline_figure
from .video import video_lengths, video_problem


def dataset_stats(items: list[Item]) -> dict[str, Any]:
    """Counts per task and dimension, answers per question, and when answers come after the query."""
    def summary(xs: list[float]) -> dict[str, float]:
        return {"min": min(xs), "median": statistics.median(xs), "max": max(xs)} if xs else {}

    tasks: dict[str, Any] = {}
    for t in sorted({it.task for it in items}, key=lambda t: (list(TASKS).index(t) if t in TASKS else 99, t)):
        its = [it for it in items if it.task == t]
        tasks[t] = {"dimension": TASKS[t].dimension, "questions": len(its), "videos": len({it.video for it in its}),
                    "answers_per_question": summary([float(len(it.answers)) for it in its]),
                    "answer_delay_s": summary([a.best[0] - it.query_time for it in its for a in it.answers]),
                    "duration_s": summary([it.duration for it in its])}
    dims = Counter(it.dimension for it in items)
    lengths = video_lengths(items)  # the converters' and trainers' checks: can each item be streamed as written?
    problems = {it.id: why for it in items if (why := video_problem(it, lengths[it.video]))}
    return {"questions": len(items), "videos": len({it.video for it in items}),
            "answers": sum(len(it.answers) for it in items),
            "dimensions": {d: dims[d] for d in DIMENSIONS if dims[d]}, "tasks": tasks,
            "unstreamable": len(problems), "problems": problems}


def delay_histogram(items: list[Item]) -> bytes:
    """PNG: per task, a histogram of answer best times relative to the query time."""
    tasks = sorted({it.task for it in items})
    fig, axes = plt.subplots(1, len(tasks), figsize=(2.2 * len(tasks), 2.2), squeeze=False)
    for ax, t in zip(axes[0], tasks, strict=True):
        ax.hist([a.best[0] - it.query_time for it in items if it.task == t for a in it.answers], bins=15, color="C0")
        ax.set_title(t, fontsize=9)
        ax.tick_params(labelsize=7)
    fig.supxlabel("answer best time − query time (s)", fontsize=8)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=80, bbox_inches="tight")
    plt.close(fig)
    return buf.getvalue()


def write_preview(items: list[Item], out_dir: str | Path, per_task: int = 3, seed: int = 0,
                  stats: dict[str, Any] | None = None) -> Path:
    """``preview.html``: the stats, the delay histograms, and sampled questions with their frame strips,
    answer texts, best times and tolerance windows; ``stats.json`` beside it. ``stats``: ``dataset_stats``
    of ``items`` if the caller has it already (it reads every video's header)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    stats = dataset_stats(items) if stats is None else stats
    (out / "stats.json").write_text(json.dumps(stats, indent=2))
    rng = random.Random(seed)
    figs = []
    for t in stats["tasks"]:
        its = [it for it in items if it.task == t]
        for it in rng.sample(its, min(per_task, len(its))):
            png = base64.b64encode(timeline_figure(it, {})).decode()
            answers = "".join(f"<li>{html.escape(a.text)} — best {a.best[0]:g}"
                              + (f"–{a.best[1]:g}" if a.best[1] != a.best[0] else "") + " s, window "
                              + "–".join(f"{w:g}" for w in it.window(a)) + " s</li>" for a in it.answers)
            figs.append(f'<figure><img src="data:image/png;base64,{png}"/><figcaption>{html.escape(it.id)} '
                        f'(query at {it.query_time:g} s)<ul>{answers}</ul></figcaption></figure>')
    rows = "".join(f"<tr><td>{t}</td><td>{r['dimension']}</td><td>{r['questions']}</td><td>{r['videos']}</td>"
                   f"<td>{r['answers_per_question'].get('median', 0):g}</td><td>{r['answer_delay_s'].get('median', 0):.1f}</td></tr>"
                   for t, r in stats["tasks"].items())
    hist = base64.b64encode(delay_histogram(items)).decode()
    page = f"""<!doctype html><html><head><meta charset="utf-8"><title>StreamPro data preview</title>
<style>body{{font-family:sans-serif;max-width:1200px;margin:auto}} td,th{{border:1px solid #ccc;padding:3px 8px}}
table{{border-collapse:collapse}} img{{max-width:100%}}</style></head><body><h1>Data preview</h1>
<p>{stats['questions']} questions, {stats['videos']} videos, {stats['answers']} answers.</p>
<table><tr><th>task</th><th>dimension</th><th>questions</th><th>videos</th><th>answers / q (median)</th>
<th>answer delay after query, s (median)</th></tr>{rows}</table>
<h2>When answers are due</h2><img src="data:image/png;base64,{hist}"/>
<h2>Sampled questions</h2>{''.join(figs)}</body></html>"""
    path = out / "preview.html"
    path.write_text(page, encoding="utf-8")
    return path
