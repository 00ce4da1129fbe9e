"""``streampro arena serve | simulate | rank`` (docs/arena.md)."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from ..cli_common import PAGE_OPTIONS, fail, load_bench

arena_app = typer.Typer(help="The paper's human check of the metric: a preference arena (serve), a simulated "
                        "annotator (simulate), and Bradley-Terry rankings against StreamPro-F1 (rank).",
                        no_args_is_help=True)
RUNS_HELP = "eval/score folders, one per model: --runs A B C (or --runs A --runs B)"


def _runs(runs: list[Path] | None, more: list[Path] | None) -> list[Path]:
    """``--runs A B C``: click takes ``A`` as the option's value and ``B C`` as arguments; join them."""
    return [*(runs or []), *(more or [])]


def _open(db: Path):
    from ..arena.store import ArenaError, VoteStore

    try:
        return VoteStore(db)
    except ArenaError as e:
        fail(str(e))


def _load_runs(folders: list[Path], bench: Path):
    from ..arena.runs import load_runs, shared_questions
    from ..arena.store import ArenaError

    items = load_bench(bench, skip_bad=False)
    try:
        runs = load_runs(folders, items)
        return runs, shared_questions(runs, items)
    except ArenaError as e:
        fail(str(e))


@arena_app.command("serve")
def serve(
    more: list[Path] = typer.Argument(None, help="more run folders (after --runs)", show_default=False),
    runs: list[Path] = typer.Option(None, "--runs", help=RUNS_HELP),
    bench: Path = typer.Option(..., help="the benchmark JSONL the runs were scored on"),
    db: Path = typer.Option(Path("runs/arena/votes.sqlite"), help="SQLite file the votes go to (created if new)"),
    host: str = PAGE_OPTIONS["host"],
    port: int = typer.Option(8010, help="TCP port"),
    token: str = PAGE_OPTIONS["token"],
    no_token: bool = PAGE_OPTIONS["no_token"],
    allow_origin: list[str] = PAGE_OPTIONS["allow_origin"],
    seed: int = typer.Option(0, help="seed of the comparison order and the sides"),
) -> None:
    """Start the annotation page: one question, two anonymised response streams, A / B / tie / both bad."""
    import uvicorn

    from ..arena.app import create_arena_app
    from ..web.security import SecurityError, check_token, is_loopback

    try:
        token = check_token(token, host, no_token)
    except SecurityError as e:
        fail(str(e))
    arena_runs, items = _load_runs(_runs(runs, more), bench)
    store = _open(db)
    app = create_arena_app(arena_runs, items, store, token, loopback=is_loopback(host),
                           allow_origins=tuple(allow_origin), seed=seed)
    shown = f"[{host}]" if ":" in host else host
    typer.echo(f"arena: {len(arena_runs)} models, {len(items)} questions, {store.count()} votes so far in {db}")
    typer.echo(f"open http://{shown}:{port}/{'?token=' + token if token else ''}  (give each annotator this URL)")
    uvicorn.run(app, host=host, port=port, log_level="warning")


@arena_app.command("simulate")
def simulate(
    more: list[Path] = typer.Argument(None, help="more run folders (after --runs)", show_default=False),
    runs: list[Path] = typer.Option(None, "--runs", help=RUNS_HELP),
    bench: Path = typer.Option(..., help="the benchmark JSONL the runs were scored on"),
    db: Path = typer.Option(Path("runs/arena/votes.sqlite"), help="SQLite file the simulated votes go to"),
    votes: int = typer.Option(2000, min=1, help="votes to simulate"),
    noise: float = typer.Option(0.2, min=0.0, help="sd of the annotator's noise on the F1 difference (F1 in 0-1)"),
    tie_margin: float = typer.Option(0.05, min=0.0, help="a perceived difference below this is a tie"),
    bad_below: float = typer.Option(0.05, min=0.0, help="both F1 below this: 'both bad'"),
    seed: int = typer.Option(0, help="seed of the comparisons and the noise"),
    study: Path = typer.Option(None, help="also find how many votes a stable ranking needs; write the study to this "
                               "JSON file"),
    study_grid: str = typer.Option("50,100,200,400,800,1600,3200", help="vote counts the study tries"),
    study_repeats: int = typer.Option(20, min=2, help="simulated rounds per vote count in the study"),
) -> None:
    """Votes from a simulated annotator who prefers the stream with the higher per-question StreamPro-F1,
    with noise, so the arena can be exercised without people."""
    from ..arena.simulate import Annotator, simulate_votes, votes_needed

    arena_runs, items = _load_runs(_runs(runs, more), bench)
    store = _open(db)
    questions = [it.id for it in items]
    f1 = {m: {q: r.f1[q] for q in questions} for m, r in arena_runs.items()}
    annotator = Annotator(noise, tie_margin, bad_below)
    settings = {"runs": sorted(arena_runs), "questions": len(questions), "votes": votes, "noise": noise,
                "tie_margin": tie_margin, "bad_below": bad_below, "seed": seed}
    earlier = store.meta("simulate")
    if earlier is not None and json.loads(earlier) != settings:
        fail(f"{db} already holds simulated votes made with other settings ({earlier}); use another --db")
    if earlier is None:
        store.add_votes(simulate_votes(f1, questions, votes, annotator, seed), annotator=f"sim-{seed}",
                        source="simulated", meta=("simulate", json.dumps(settings)))
        typer.echo(f"simulated {votes} votes over {len(arena_runs)} models and {len(questions)} questions into {db}")
    else:
        typer.echo(f"{db} already holds these {votes} simulated votes: nothing to do")
    if study is not None:
        try:
            grid = [int(x) for x in study_grid.split(",") if x.strip()]
        except ValueError:
            fail(f"--study-grid: expected comma-separated vote counts, got {study_grid!r}")
        missing = [m for m, r in arena_runs.items() if r.wavg is None]
        if missing:
            fail(f"no W-Avg in summary.json of {missing}: rescore them with `streampro score`")
        result = votes_needed(f1, questions, {m: r.wavg for m, r in arena_runs.items()}, annotator, grid,
                              study_repeats, seed)
        study.parent.mkdir(parents=True, exist_ok=True)
        study.write_text(json.dumps(result, indent=2))
        typer.echo("| votes | mean Spearman vs F1 | share with rho >= 0.9 | share with the F1 order exactly |")
        typer.echo("|---|---|---|---|")
        for row in result["grid"]:
            typer.echo(f"| {row['votes']} | {row['mean_spearman']:.3f} | {row['share_rho_ge']:.2f} | "
                       f"{row['share_exact_order']:.2f} |")
        typer.echo(f"votes needed (rho >= 0.9 in 90 % of rounds, noise {noise}): {result['needed'] or 'more than tried'}"
                   f"; study: {study}")


@arena_app.command("rank")
def rank(
    more: list[Path] = typer.Argument(None, help="more run folders (after --runs)", show_default=False),
    db: Path = typer.Option(..., help="the arena's SQLite file"),
    runs: list[Path] = typer.Option(None, "--runs", help="the runs, to compare the BT ranking with their StreamPro-F1 "
                                    "W-Avg (optional)"),
    out: Path = typer.Option(Path("runs/arena/rank"), help="folder for ranking.json, ranking.md and the figures"),
    source: str = typer.Option("all", help="which votes: all | human | simulated"),
    n_boot: int = typer.Option(1000, min=10, help="bootstrap resamples"),
    seed: int = typer.Option(0, help="seed of the bootstrap"),
    l2: float = typer.Option(1e-4, min=0.0, help="ridge on the BT strengths (keeps them finite)"),
    both_bad: str = typer.Option("tie", help="a 'both bad' vote counts as: tie | drop"),
) -> None:
    """Weighted Bradley-Terry over the votes (ties as two 0.5 pseudo-observations), bootstrap intervals,
    rank stability, and Spearman / Kendall against the StreamPro-F1 ranking."""
    from ..arena.bt import rank_models
    from ..arena.plots import write_figures
    from ..arena.store import ArenaError

    if source not in ("all", "human", "simulated"):
        fail(f"--source must be all, human or simulated, not {source!r}")
    if both_bad not in ("tie", "drop"):
        fail(f"--both-bad must be tie or drop, not {both_bad!r}")
    if not db.exists():
        fail(f"{db}: no such database (start `streampro arena serve` or `simulate` with --db {db})")
    store = _open(db)
    votes = store.votes(None if source == "all" else source)
    if not votes:
        fail(f"{db}: no {'' if source == 'all' else source + ' '}votes yet")
    models = sorted({m for v in votes for m in (v.left, v.right)})
    f1 = None
    folders = _runs(runs, more)
    if folders:
        from ..arena.runs import read_wavg, run_names

        try:
            f1 = {name: read_wavg(f) for f, name in zip(folders, run_names(folders), strict=True)}
        except ArenaError as e:
            fail(str(e))
        missing = [f for f, name in zip(folders, f1, strict=True) if f1[name] is None]
        if missing:
            fail(f"{Path(missing[0]) / 'summary.json'}: no W-Avg (rescore the run with `streampro score`)")
        unknown = sorted(set(models) - set(f1))
        if unknown:
            fail(f"votes name models with no run among --runs: {unknown}")
        f1 = {m: f1[m] for m in models}
    try:
        result = rank_models(votes, models, f1, n_boot, seed, l2, both_bad)
    except ArenaError as e:
        fail(str(e))
    result["source"] = source
    out.mkdir(parents=True, exist_ok=True)
    (out / "ranking.json").write_text(json.dumps(result, indent=2))
    table = format_ranking(result)
    (out / "ranking.md").write_text(table + "\n")
    write_figures(result, out)
    typer.echo(table)
    typer.echo(f"ranking: {out / 'ranking.json'}; figures: {out}/bt_scores.png, rank_stability.png"
               + (", bt_vs_f1.png" if f1 else ""))


def format_ranking(result: dict) -> str:
    s = result["scores"]
    head = "| rank | model | BT (median) | 95 % interval | votes | wins | losses | ties | both bad |"
    rows = [head, "|---|---|---|---|---|---|---|---|---|"]
    for m in result["models"]:
        r = s[m]
        rows.append(f"| {r['rank']} | {m} | {r['bt_median']:.3f} | [{r['bt_low']:.3f}, {r['bt_high']:.3f}] | "
                    f"{r['votes']} | {r['wins']} | {r['losses']} | {r['ties']} | {r['both_bad']} |")
    if "agreement" in result:
        a = result["agreement"]
        ci = a["spearman_ci"]
        rows.append("")
        rows.append(f"BT vs StreamPro-F1 (W-Avg): Spearman rho = {a['spearman']:.3f}"
                    + (f" (95 % bootstrap interval [{ci[0]:.3f}, {ci[1]:.3f}])" if ci else "")
                    + f", Kendall tau = {a['kendall']:.3f}; {result['n_votes']} votes, {result['n_bootstrap']} resamples")
    return "\n".join(rows)
