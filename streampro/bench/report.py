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

from ..core.items import DIMENSIONS, TASKS, TIME_EPS, Item  # noqa: E402
from ..core.jsonl import read_jsonl  # noqa: E402
from .scoring import weighted_mean  # noqa: E402
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


def format_dimension_table(summaries: dict[str, dict[str, Any]]) -> str:
    """The paper's main-table layout: Time / Acc / F1 per dimension, then Avg and W-Avg."""
    dims = [d for d in DIMENSIONS if any(d in s["f1"]["dimensions"] for s in summaries.values())]
    head = "| model | " + " | ".join(f"{DIM_SHORT[d]} {k}" for d in dims for k in ("Time", "Acc", "F1")) + " | Avg | W-Avg |"
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for name, s in summaries.items():
        f = s["f1"]
        cells = [_f(f["dimensions"].get(d, {}).get(k)) for d in dims for k in ("time", "acc", "f1")]
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


def dimension_mean(tasks: dict[str, dict[str, Any]], dimension: str, key: str) -> float | None:
    """A per-task value (precision, recall, responses per question, ...) over one dimension's tasks,
    weighted by their question counts as the dimension's F1 is (None where no task has it)."""
    return weighted_mean([(r[key], r["n"]) for t, r in tasks.items()
                          if TASKS.get(t) and TASKS[t].dimension == dimension and r.get("n") and r.get(key) is not None])


def format_dimension_diagnostics(summaries: dict[str, dict[str, Any]]) -> str:
    """Per model and dimension: precision vs recall, how often the model spoke against how many answers
    there are, and early/late — what explains an F1 (the tasks' values weighted by their questions)."""
    head = "| model | dimension | Precision | Recall | F1 | resp./q | answers/q | early % | mean offset (s) |"
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for name, s in summaries.items():
        tasks = s["f1"]["tasks"]
        for d in DIMENSIONS:
            def avg(key: str, tasks=tasks, d=d) -> float | None:
                return dimension_mean(tasks, d, key)

            if avg("n") is None:  # no task of this dimension
                continue

            lines.append(f"| {name} | {d} | {_f(avg('precision'))} | {_f(avg('recall'))} | "
                         f"{_f(s['f1']['dimensions'].get(d, {}).get('f1'))} | {_f(avg('responses_per_question'), 2)} | "
                         f"{_f(avg('answers_per_question'), 2)} | {_f(avg('early_rate'))} | {_f(avg('mean_offset_s'), 2)} |")
    return "\n".join(lines)


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


def format_pivot(summaries: dict[str, dict[str, Any]], key: str) -> str:
    """One metric (``time``, ``acc``, ``precision``, ``recall``, ``f1``) as models × tasks."""
    tasks = _task_order(summaries)
    lines = ["| model | " + " | ".join(tasks) + " |", "|" + "---|" * (len(tasks) + 1)]
    for name, s in summaries.items():
        lines.append(f"| {name} | " + " | ".join(_f(s["f1"]["tasks"].get(t, {}).get(key)) for t in tasks) + " |")
    return "\n".join(lines)


def format_provenance(summaries: dict[str, dict[str, Any]]) -> str:
    """What produced each run's numbers (``summary.json["run"]``): model, bench, judge, metric settings."""
    lines = ["| run | model | model args | seed | bench | judge | tie-break / aggregate / TG content | streampro |",
             "|---|---|---|---|---|---|---|---|"]
    for name, s in summaries.items():
        r = s.get("run", {})
        m = r.get("metric") or s.get("settings") or {}
        metric = " / ".join(str(m.get(k, "–")) for k in ("tie_break", "aggregate", "tg_content"))
        lines.append(f"| {name} | {r.get('model', '–')} | {r.get('model_args') or '–'} | {r.get('seed', '–')} | "
                     f"{r.get('bench', '–')} | {r.get('judge') or s.get('judge', {}).get('name', '–')} | {metric} | "
                     f"{r.get('streampro', '–')} |")
    return "\n".join(lines)


def write_report(out_dir: str | Path, items: list[Item], runs: dict[str, Path], summaries: dict[str, dict[str, Any]],
                 per_task: int = 2, seed: int = 0, title: str = "StreamPro-Bench report") -> Path:
    """Write ``table.md``, ``report.html`` and ``figures/`` (PNG, SVG, PDF) comparing ``runs`` (model name ->
    eval directory). Timelines are drawn for ``per_task`` sampled questions per task; a model that speaks very
    often has its unmatched responses thinned on them, so big runs stay fast."""
    from .report_figures import DIMENSION_HELP, never_spoke, write_figures

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
