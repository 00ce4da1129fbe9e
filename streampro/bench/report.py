"""Human-facing outputs: Markdown tables laid out like the paper's (per-task F1, dimensions, Avg,
W-Avg; per-task Time/Acc/P/R/F1) and an HTML report with timelines that show, per sampled question,
the frames, each answer's window and best time, every response, and which response matched which
answer with its S_time and S_acc."""

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

from ..core.items import DIMENSIONS, TASKS, Item  # noqa: E402
from .evaluate import read_jsonl  # noqa: E402
from .video import VideoError, iter_frames  # noqa: E402

DIM_SHORT = {"perception": "PU", "temporal": "TR", "proactive": "PA"}


def _f(x: float | None, nd: int = 1) -> str:
    return "–" if x is None else f"{x:.{nd}f}"


def _task_order(summaries: dict[str, dict[str, Any]]) -> list[str]:
    seen = {t for s in summaries.values() for t in s["f1"]["tasks"]}
    known = [t for t in TASKS if t in seen]
    return known + sorted(seen - set(known))


def format_table(summaries: dict[str, dict[str, Any]]) -> str:
    """StreamPro-F1 (0–100) per task, per dimension, Avg and W-Avg — the paper's main table."""
    tasks = _task_order(summaries)
    cols: list[tuple[str, str]] = []
    for d in DIMENSIONS:
        cols += [("task", t) for t in tasks if TASKS[t].dimension == d] if any(
            TASKS.get(t) and TASKS[t].dimension == d for t in tasks) else []
        cols.append(("dim", d))
    head = "| model | " + " | ".join(c if k == "task" else f"**{DIM_SHORT[c]}**" for k, c in cols) + " | Avg | W-Avg |"
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for name, s in summaries.items():
        f = s["f1"]
        cells = [_f(f["tasks"].get(c, {}).get("f1")) if k == "task" else _f(f["dimensions"].get(c, {}).get("f1"))
                 for k, c in cols]
        lines.append(f"| {name} | " + " | ".join(cells) + f" | {_f(f['avg'])} | {_f(f['wavg'])} |")
    return "\n".join(lines)


def format_task_table(summaries: dict[str, dict[str, Any]]) -> str:
    """Per model and task: Time, Acc, Precision, Recall, F1, and when/how often the model spoke."""
    head = "| model | task | n | Time | Acc | Precision | Recall | F1 | resp. rate % | resp./q | answers/q | early % | mean offset (s) |"
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for name, s in summaries.items():
        for t in _task_order(summaries):
            r = s["f1"]["tasks"].get(t)
            if r:
                lines.append(f"| {name} | {t} | {r['n']} | {_f(r['time'])} | {_f(r['acc'])} | {_f(r['precision'])} | "
                             f"{_f(r['recall'])} | {_f(r['f1'])} | {_f(r['response_rate'])} | "
                             f"{_f(r['responses_per_question'], 2)} | {_f(r['answers_per_question'], 2)} | "
                             f"{_f(r['early_rate'])} | {_f(r['mean_offset_s'], 2)} |")
    return "\n".join(lines)


def format_dimension_diagnostics(summaries: dict[str, dict[str, Any]]) -> str:
    """Per model and dimension: precision vs recall, how often the model spoke against how many answers
    there are, and early/late — what explains an F1 (the tasks' values weighted by their questions)."""
    head = "| model | dimension | Precision | Recall | F1 | resp./q | answers/q | early % | mean offset (s) |"
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for name, s in summaries.items():
        tasks = s["f1"]["tasks"]
        for d in DIMENSIONS:
            rows = [r for t, r in tasks.items() if TASKS.get(t) and TASKS[t].dimension == d and r.get("n")]
            if not rows:
                continue

            def avg(key: str, rows=rows) -> float | None:
                vals = [(r[key], r["n"]) for r in rows if r.get(key) is not None]
                return sum(v * n for v, n in vals) / sum(n for _, n in vals) if vals else None

            lines.append(f"| {name} | {d} | {_f(avg('precision'))} | {_f(avg('recall'))} | "
                         f"{_f(s['f1']['dimensions'].get(d, {}).get('f1'))} | {_f(avg('responses_per_question'), 2)} | "
                         f"{_f(avg('answers_per_question'), 2)} | {_f(avg('early_rate'))} | {_f(avg('mean_offset_s'), 2)} |")
    return "\n".join(lines)


def timeline_figure(item: Item, runs: dict[str, dict[str, Any]], n_thumbs: int = 8) -> bytes:
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
        ax.annotate(a.text[:28], (b0, gt_row), xytext=(0, 6 + 9 * (j % 2)), textcoords="offset points", fontsize=6,
                    color=f"C{j % 10}")
    ax.axvline(item.query_time, color="k", lw=1, ls="--")
    for row, (_name, run) in enumerate(runs.items()):
        sc = run.get("score") or {}
        by_pred = {m["pred"]: m for m in sc.get("matches", [])}
        for pi, r in enumerate(sorted(run["responses"], key=lambda r: r["t"])):
            m = by_pred.get(pi)
            if m:
                j = m["answer"]
                ax.plot(r["t"], row, "o", color=f"C{j % 10}", ms=7)
                ax.plot([r["t"], item.answers[j].best[0]], [row, gt_row], color=f"C{j % 10}", lw=0.6, alpha=0.6)
                ax.annotate(f"{m['s_time']:.2f}/{m['s_acc']:.2f}", (r["t"], row), xytext=(3, -9),
                            textcoords="offset points", fontsize=6)
            else:
                ax.plot(r["t"], row, "x", color="0.4", ms=5)
    ax.set_yticks(range(len(runs) + 1), [*runs, "answers"], fontsize=8)
    ax.set_ylim(-0.7, len(runs) + 0.9)
    ax.set_xlim(0, end)
    ax.set_xlabel("time (s)   [o matched: S_time/S_acc of the pair kept; x unmatched; dashed: query]")
    fig.suptitle(f"[{item.task}] {item.question}", fontsize=9)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=80, bbox_inches="tight")
    plt.close(fig)
    return buf.getvalue()


def write_report(out_dir: str | Path, items: list[Item], runs: dict[str, Path], summaries: dict[str, dict[str, Any]],
                 per_task: int = 2, seed: int = 0, title: str = "StreamPro-Bench report") -> Path:
    """Write ``table.md`` and ``report.html`` comparing ``runs`` (model name -> eval directory)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    table, tasks_table = format_table(summaries), format_task_table(summaries)
    (out / "table.md").write_text(f"## StreamPro-F1 (0–100)\n\n{table}\n\n## Per task\n\n{tasks_table}\n")
    preds = {name: {r["id"]: r for r in read_jsonl(Path(d) / "predictions.jsonl")} for name, d in runs.items()}
    scores = {name: {r["id"]: r for r in read_jsonl(Path(d) / "scores.jsonl")} for name, d in runs.items()}
    rng = random.Random(seed)
    by_task: dict[str, list[Item]] = {}
    for it in items:
        by_task.setdefault(it.task, []).append(it)
    figs = []
    for task in [t for t in TASKS if t in by_task]:
        for it in rng.sample(by_task[task], min(per_task, len(by_task[task]))):
            data = {name: {"responses": p[it.id]["responses"], "score": scores[name].get(it.id)}
                    for name, p in preds.items() if it.id in p}
            png = base64.b64encode(timeline_figure(it, data)).decode()
            figs.append(f'<figure><img src="data:image/png;base64,{png}"/><figcaption>{html.escape(it.id)}</figcaption></figure>')
    page = f"""<!doctype html><html><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>body{{font-family:sans-serif;max-width:1200px;margin:auto}} table{{border-collapse:collapse;margin-bottom:1em}}
td,th{{border:1px solid #ccc;padding:3px 8px;text-align:right}} figure{{margin:12px 0}} img{{max-width:100%}}</style>
</head><body><h1>{html.escape(title)}</h1>
<h2>StreamPro-F1 (0–100)</h2>{_md_to_html(table)}<h2>Per task</h2>{_md_to_html(tasks_table)}
<h2>Timelines</h2><p>Top row: each answer's best time (bar) and tolerance window (shade). Model rows: responses;
a circle matched the answer of its colour (labels: S_time/S_acc), a cross matched nothing.</p>{''.join(figs)}</body></html>"""
    path = out / "report.html"
    path.write_text(page, encoding="utf-8")
    return path


def _md_to_html(table: str) -> str:
    rows = [r for r in table.splitlines() if not set(r) <= set("|-")]
    cells = [[html.escape(c.strip().strip("*")) for c in r.strip("|").split("|")] for r in rows]
    head = "".join(f"<th>{c}</th>" for c in cells[0])
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in cells[1:])
    return f"<table><tr>{head}</tr>{body}</table>"
