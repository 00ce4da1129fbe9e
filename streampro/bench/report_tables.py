"""Every result table the CLI prints, as Markdown: StreamPro-F1 laid out like the paper's (per-task F1,
dimensions, Avg, W-Avg; per-task Time/Acc/P/R/F1) and the public benchmarks' leaderboard tables. Text only
(no matplotlib), so commands that only print load nothing heavy."""

from __future__ import annotations

from typing import Any

from ..core.items import DIMENSIONS, TASKS
from .scoring import weighted_mean

DIM_SHORT = {"perception": "PU", "temporal": "TR", "proactive": "PA"}


def fmt(x: float | None, nd: int = 1) -> str:
    return "–" if x is None else f"{x:.{nd}f}"


def task_order(summaries: dict[str, dict[str, Any]]) -> list[str]:
    seen = {t for s in summaries.values() for t in s["f1"]["tasks"]}
    known = [t for t in TASKS if t in seen]
    return known + sorted(seen - set(known))


def format_table(summaries: dict[str, dict[str, Any]]) -> str:
    """StreamPro-F1 (0–100) per task, per dimension, Avg and W-Avg — the paper's main table."""
    tasks = task_order(summaries)
    cols: list[tuple[str, str]] = []
    for d in DIMENSIONS:
        cols += [("task", t) for t in tasks if TASKS[t].dimension == d] if any(
            TASKS.get(t) and TASKS[t].dimension == d for t in tasks) else []
        cols.append(("dim", d))
    head = "| model | " + " | ".join(c if k == "task" else f"**{DIM_SHORT[c]}**" for k, c in cols) + " | Avg | W-Avg |"
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for name, s in summaries.items():
        f = s["f1"]
        cells = [fmt(f["tasks"].get(c, {}).get("f1")) if k == "task" else fmt(f["dimensions"].get(c, {}).get("f1"))
                 for k, c in cols]
        lines.append(f"| {name} | " + " | ".join(cells) + f" | {fmt(f['avg'])} | {fmt(f['wavg'])} |")
    return "\n".join(lines)


def format_dimension_table(summaries: dict[str, dict[str, Any]]) -> str:
    """The paper's main-table layout: Time / Acc / F1 per dimension, then Avg and W-Avg."""
    dims = [d for d in DIMENSIONS if any(d in s["f1"]["dimensions"] for s in summaries.values())]
    head = "| model | " + " | ".join(f"{DIM_SHORT[d]} {k}" for d in dims for k in ("Time", "Acc", "F1")) + " | Avg | W-Avg |"
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for name, s in summaries.items():
        f = s["f1"]
        cells = [fmt(f["dimensions"].get(d, {}).get(k)) for d in dims for k in ("time", "acc", "f1")]
        lines.append(f"| {name} | " + " | ".join(cells) + f" | {fmt(f['avg'])} | {fmt(f['wavg'])} |")
    return "\n".join(lines)


def format_task_table(summaries: dict[str, dict[str, Any]]) -> str:
    """Per model and task: Time, Acc, Precision, Recall, F1, and when/how often the model spoke."""
    head = "| model | task | n | Time | Acc | Precision | Recall | F1 | resp. rate % | resp./q | answers/q | early % | mean offset (s) |"
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for name, s in summaries.items():
        for t in task_order(summaries):
            r = s["f1"]["tasks"].get(t)
            if r:
                lines.append(f"| {name} | {t} | {r['n']} | {fmt(r['time'])} | {fmt(r['acc'])} | {fmt(r['precision'])} | "
                             f"{fmt(r['recall'])} | {fmt(r['f1'])} | {fmt(r['response_rate'])} | "
                             f"{fmt(r['responses_per_question'], 2)} | {fmt(r['answers_per_question'], 2)} | "
                             f"{fmt(r['early_rate'])} | {fmt(r['mean_offset_s'], 2)} |")
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

            lines.append(f"| {name} | {d} | {fmt(avg('precision'))} | {fmt(avg('recall'))} | "
                         f"{fmt(s['f1']['dimensions'].get(d, {}).get('f1'))} | {fmt(avg('responses_per_question'), 2)} | "
                         f"{fmt(avg('answers_per_question'), 2)} | {fmt(avg('early_rate'))} | {fmt(avg('mean_offset_s'), 2)} |")
    return "\n".join(lines)


def format_pivot(summaries: dict[str, dict[str, Any]], key: str) -> str:
    """One metric (``time``, ``acc``, ``precision``, ``recall``, ``f1``) as models × tasks."""
    tasks = task_order(summaries)
    lines = ["| model | " + " | ".join(tasks) + " |", "|" + "---|" * (len(tasks) + 1)]
    for name, s in summaries.items():
        lines.append(f"| {name} | " + " | ".join(fmt(s["f1"]["tasks"].get(t, {}).get(key)) for t in tasks) + " |")
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


def format_rtvu_table(summary: dict[str, Any]) -> str:
    """StreamingBench RTVU: the grading rule and context, then accuracy per task type and overall."""
    lines = [f"rule: {summary['rule']}; context: {summary['context_seconds'] or 'whole video so far'} s; "
             f"{summary['n_empty']} empty repl(ies) not counted", "| task | accuracy |", "|---|---|"]
    lines += [f"| {t} | {acc:.1f} |" for t, acc in summary["tasks"].items()]
    lines.append(f"| **overall** ({summary['n']} questions) | {fmt(summary['overall'])} |")
    return "\n".join(lines)


def format_po_table(summary: dict[str, Any]) -> str:
    """StreamingBench Proactive Output: time and answer accuracy per task type and over all."""
    lines = ["| task | n | time accuracy | answer accuracy |", "|---|---|---|---|"]
    lines += [f"| {t} | {r['n']} | {r['time_accuracy']:.1f} | {r['answer_accuracy']:.1f} |"
              for t, r in summary["tasks"].items()]
    lines.append(f"| **all** | {summary['n']} | {fmt(summary['time_accuracy'])} | {fmt(summary['answer_accuracy'])} |")
    return "\n".join(lines)


def format_ovo_table(summary: dict[str, Any]) -> str:
    """OVO-Bench: per task, per category (mean of its tasks) and the total (mean of the categories)."""
    from ..data.formats.ovobench import CATEGORY_OF

    lines = ["| category | task | probes | accuracy |", "|---|---|---|---|"]
    lines += [f"| {CATEGORY_OF[t]} | {t} | {summary['n'][t]} | {acc:.1f} |" for t, acc in summary["tasks"].items()]
    lines += [f"| **{c}** | avg | | {acc:.1f} |" for c, acc in summary["categories"].items()]
    lines.append(f"| **total** | avg of categories | | {fmt(summary['overall'])} |")
    return "\n".join(lines)
