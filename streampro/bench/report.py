"""The HTML report (tables from ``report_tables``, figures from ``report_figures``), with timelines that
show, per sampled question, the frames, each answer's window and best time, every response, and which response matched which
answer with its S_time and S_acc."""

from __future__ import annotations

import base64
import html
import random
from pathlib import Path
from typing import Any

from ..core.items import TASKS, Item
from ..core.jsonl import read_jsonl
from ..data.timeline import timeline_figure
from .report_figures import DIMENSION_HELP, never_spoke, write_figures
from .report_tables import (
    format_dimension_table,
    format_pivot,
    format_provenance,
    format_table,
    format_task_table,
)


def write_report(out_dir: str | Path, items: list[Item], runs: dict[str, Path], summaries: dict[str, dict[str, Any]],
                 per_task: int = 2, seed: int = 0, title: str = "StreamPro-Bench report") -> Path:
    """Write ``table.md``, ``report.html`` and ``figures/`` (PNG, SVG, PDF) comparing ``runs`` (model name ->
    eval directory). Timelines are drawn for ``per_task`` sampled questions per task; a model that speaks very
    often has its unmatched responses thinned on them, so big runs stay fast."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    table, tasks_table, dim_table = format_table(summaries), format_task_table(summaries), format_dimension_table(summaries)
    (out / "table.md").write_text(f"## StreamPro-F1 (0–100)\n\n{table}\n\n## Time / Acc / F1 per dimension\n\n"
                                  f"{dim_table}\n\n## Per task\n\n{tasks_table}\n")
    rng = random.Random(seed)
    by_task: dict[str, list[Item]] = {}
    for it in items:
        by_task.setdefault(it.task, []).append(it)
    shown = [it for task in [t for t in TASKS if t in by_task]
             for it in rng.sample(by_task[task], min(per_task, len(by_task[task])))]
    wanted = {it.id for it in shown}
    preds = {name: {r["id"]: r for r in read_jsonl(Path(d) / "predictions.jsonl") if r["id"] in wanted}
             for name, d in runs.items()}
    scores = {name: {r["id"]: r for r in read_jsonl(Path(d) / "scores.jsonl")} for name, d in runs.items()}
    figures = write_figures(out, summaries, scores)
    figs = []
    for it in shown:
        data = {name: {"responses": p[it.id]["responses"], "score": scores[name].get(it.id)}
                for name, p in preds.items() if it.id in p}
        png = base64.b64encode(timeline_figure(it, data)).decode()
        figs.append(f'<figure><img alt="timeline of {html.escape(it.id)}" src="data:image/png;base64,{png}"/>'
                    f"<figcaption>{html.escape(it.id)}</figcaption></figure>")
    silent = [n for n, s in summaries.items() if never_spoke(s)]
    warn = (f'<p class="warn">Never spoke on any question: {html.escape(", ".join(silent))}. Its F1 is 0 by '
            "construction; check the model and its settings before reading anything into it.</p>") if silent else ""
    dims = "".join(f"<li>{html.escape(v)}</li>" for v in DIMENSION_HELP.values())
    pivots = "".join(f"<h3>{label}</h3>{_md_to_html(format_pivot(summaries, key))}" for key, label in
                     (("time", "Time (mean S_time of matched responses)"), ("acc", "Acc (mean content score)"),
                      ("precision", "Precision"), ("recall", "Recall")))
    imgs = "".join(f'<figure><img alt="{html.escape(f)}" src="{html.escape(f)}"/></figure>' for f in figures)
    page = f"""<!doctype html><html><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>body{{font-family:system-ui,sans-serif;max-width:1200px;margin:auto;padding:0 1em;line-height:1.4}}
table{{border-collapse:collapse;margin-bottom:1em;font-size:14px}} td,th{{border:1px solid #ccc;padding:3px 8px;text-align:right}}
td:first-child,th:first-child{{text-align:left}} figure{{margin:12px 0}} img{{max-width:100%}}
.warn{{background:#fff3cd;border-left:4px solid #d39e00;padding:.5em .8em}} .figs{{display:flex;flex-wrap:wrap;gap:12px}}
.figs figure{{flex:1 1 480px}}</style>
</head><body><h1>{html.escape(title)}</h1>{warn}
<h2>StreamPro-F1 (0–100)</h2>{_md_to_html(table)}
<h3>Time / Acc / F1 per dimension (the paper's main table)</h3>{_md_to_html(dim_table)}
<p>Dimensions (each the question-weighted mean of its tasks' F1; W-Avg weights them by their questions):</p><ul>{dims}</ul>
<div class="figs">{imgs}</div>
<p>Every figure is also in <code>figures/</code> as SVG and PDF.</p>
<h2>What produced these numbers</h2>{_md_to_html(format_provenance(summaries))}
<h2>Per task</h2>{pivots}<details><summary>all per-task diagnostics</summary>{_md_to_html(tasks_table)}</details>
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
