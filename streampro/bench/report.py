"""Human-facing outputs: a Markdown score table and an HTML report with timeline figures that show
when each model spoke against the ground-truth windows (query, decidable, outcome)."""

from __future__ import annotations

import base64
import html
import io
import random
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from .evaluate import read_jsonl  # noqa: E402
from .schema import DIMENSIONS, Item  # noqa: E402
from .scoring import parse_choice  # noqa: E402
from .video import VideoError, iter_frames  # noqa: E402


def _f(x: float | None, nd: int = 1) -> str:
    return "–" if x is None else f"{x:.{nd}f}"


def format_table(summaries: dict[str, dict[str, Any]]) -> str:
    """One row per model: overall, the three dimensions, then response-timing statistics."""
    head = "| model | overall | " + " | ".join(DIMENSIONS) + " | resp. rate | early | late | false alarm | mean delay (s) |"
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for name, s in summaries.items():
        dims = [_f(s["dimensions"].get(d, {}).get("score")) for d in DIMENSIONS]
        t = s["timing"]
        pct = [_f(None if t[k] is None else 100 * t[k]) for k in ("response_rate", "early_rate", "late_rate", "false_alarm_rate")]
        lines.append(f"| {name} | {_f(s['overall'])} | " + " | ".join(dims) + " | " + " | ".join(pct)
                     + f" | {_f(t['mean_delay_s'], 2)} |")
    return "\n".join(lines)


def format_task_table(summaries: dict[str, dict[str, Any]]) -> str:
    task_dim = {t: r["dimension"] for s in summaries.values() for t, r in s["tasks"].items()}
    tasks = sorted(task_dim, key=lambda t: (DIMENSIONS.index(task_dim[t]), t))
    head = "| task | dim | n | " + " | ".join(summaries) + " |"
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for t in tasks:
        rows = [s["tasks"].get(t) for s in summaries.values()]
        first = next(r for r in rows if r)
        lines.append(f"| {t} | {first['dimension'][:4]} | {first['n']} | " + " | ".join(_f(r["score"] if r else None) for r in rows) + " |")
    return "\n".join(lines)


def timeline_figure(item: Item, responses: dict[str, list[dict[str, Any]]], n_thumbs: int = 8) -> bytes:
    """PNG: a strip of frames up to the item's close time, then one timeline row per model."""
    end = min(item.duration, item.close_time + 2.0)
    fig = plt.figure(figsize=(10, 1.6 + 0.45 * len(responses)))
    gs = fig.add_gridspec(2, n_thumbs, height_ratios=[1.2, 0.45 * max(1, len(responses))])
    times = [end * i / (n_thumbs - 1) for i in range(n_thumbs)]
    try:
        frames = list(iter_frames(item.video, fps=item.fps))
        for i, t in enumerate(times):
            fr = min(frames, key=lambda f: abs(f.time - t))
            ax = fig.add_subplot(gs[0, i])
            ax.imshow(fr.pixels)
            ax.set_title(f"{fr.time:.1f}s", fontsize=7)
            ax.axis("off")
    except VideoError:
        pass
    ax = fig.add_subplot(gs[1, :])
    d = item.decidable_time if item.decidable_time is not None else item.query_time
    ax.axvspan(item.query_time, d, color="0.85", label="accumulating evidence")
    ax.axvspan(d, item.close_time, color="#b7e4c7", label="credit window")
    if item.outcome_time is not None:
        ax.axvline(item.outcome_time, color="#d62828", lw=2, label="outcome visible")
    ax.axvline(item.query_time, color="k", lw=1, ls="--", label="query")
    for row, (_name, rs) in enumerate(responses.items()):
        for k, r in enumerate(rs):
            ok = parse_choice(r["text"], item.options) == item.answer_index
            ax.plot(r["t"], row, "o" if k == 0 else "x", color="#2a9d8f" if ok else "#e63946", ms=8 if k == 0 else 5)
            if k == 0:
                ax.annotate(r["text"][:18], (r["t"], row), xytext=(4, 4), textcoords="offset points", fontsize=7)
    ax.set_yticks(range(len(responses)), list(responses), fontsize=8)
    ax.set_ylim(-0.7, len(responses) - 0.3)
    ax.set_xlim(0, end)
    ax.set_xlabel("time (s)")
    ax.legend(fontsize=6, loc="upper right", ncol=4)
    fig.suptitle(f"[{item.task}] {item.question}  answer: {item.answer}", fontsize=9)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=80, bbox_inches="tight")
    plt.close(fig)
    return buf.getvalue()


def write_report(out_dir: str | Path, items: list[Item], runs: dict[str, Path], summaries: dict[str, dict[str, Any]],
                 per_task: int = 1, seed: int = 0, title: str = "StreamPro-Bench report") -> Path:
    """Write ``table.md`` and ``report.html`` comparing ``runs`` (model name -> eval directory)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    table, tasks_table = format_table(summaries), format_task_table(summaries)
    (out / "table.md").write_text(f"## Scores (0–100)\n\n{table}\n\n## Per task\n\n{tasks_table}\n")
    preds = {name: {r["id"]: r for r in read_jsonl(Path(d) / "predictions.jsonl")} for name, d in runs.items()}
    rng = random.Random(seed)
    by_task: dict[str, list[Item]] = {}
    for it in items:
        by_task.setdefault(it.task, []).append(it)
    figs = []
    for task in sorted(by_task):
        for it in rng.sample(by_task[task], min(per_task, len(by_task[task]))):
            resp = {name: p[it.id]["responses"] for name, p in preds.items() if it.id in p}
            png = base64.b64encode(timeline_figure(it, resp)).decode()
            figs.append(f'<figure><img src="data:image/png;base64,{png}"/><figcaption>{html.escape(it.id)}</figcaption></figure>')
    page = f"""<!doctype html><html><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>body{{font-family:sans-serif;max-width:1100px;margin:auto}} table{{border-collapse:collapse}}
td,th{{border:1px solid #ccc;padding:3px 8px;text-align:right}} figure{{margin:12px 0}} img{{max-width:100%}}</style>
</head><body><h1>{html.escape(title)}</h1>
<h2>Scores (0–100)</h2>{_md_to_html(table)}<h2>Per task</h2>{_md_to_html(tasks_table)}
<h2>Timelines</h2><p>Grey: query to decidable time; green: credit window; red line: outcome visible.
Circle: first (scored) response, green if correct; crosses: later responses.</p>{''.join(figs)}</body></html>"""
    path = out / "report.html"
    path.write_text(page, encoding="utf-8")
    return path


def _md_to_html(table: str) -> str:
    rows = [r for r in table.splitlines() if not set(r) <= set("|-")]
    cells = [[html.escape(c.strip()) for c in r.strip("|").split("|")] for r in rows]
    head = "".join(f"<th>{c}</th>" for c in cells[0])
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in cells[1:])
    return f"<table><tr>{head}</tr>{body}</table>"
