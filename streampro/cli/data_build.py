"""``data build | review | export``: the paper's data pipeline, from raw videos to reviewed items."""

from __future__ import annotations

from pathlib import Path

import typer

from ..cli_common import PAGE_OPTIONS
from ..cli_common import fail as _fail
from .data import data_app


@data_app.command("build")
def data_build(
    videos: Path = typer.Argument(..., help="folder of videos (searched recursively: mp4 mkv webm mov avi)"),
    out: Path = typer.Option(..., help="output folder (items.jsonl, dropped.jsonl, summary.json, the call cache)"),
    vlm: str = typer.Option(None, help="the VLM: an OpenAI-compatible base URL (e.g. vLLM serving Qwen3-VL) or a local "
                            "Qwen-VL folder"),
    vlm_model: str = typer.Option(None, help="served name of the VLM at a URL"),
    llm: str = typer.Option(None, help="the LLM (synthesis, discriminator, generator): a URL or a local folder"),
    llm_model: str = typer.Option(None, help="served name of the LLM at a URL"),
    tasks: list[str] = typer.Option(["EU", "OU", "AA", "TP", "TG", "GP", "RF"], "--task",
                                    help="tasks to build (repeatable); RF is never generated: its videos go to "
                                    "rf_annotate.csv for people to annotate"),
    fps: float = typer.Option(1.0, help="frames per second shown to the VLM (and the items' fps)"),
    frame_size: int = typer.Option(448, help="frames resized once to about this² pixels, as the Qwen adapter does"),
    window_s: float = typer.Option(32.0, help="caption window: one VLM call per window of this many seconds"),
    shots: str = typer.Option("scenedetect", help="how scene transitions are counted: scenedetect | vlm | none"),
    min_transitions: int = typer.Option(2, help="keep videos with at least this many scene transitions"),
    min_scene_s: float = typer.Option(3.0, help="... and every scene at least this long (seconds)"),
    max_rounds: int = typer.Option(3, help="discriminator checks per item (revisions: one fewer)"),
    retries: int = typer.Option(2, help="re-asks of an unusable (non-JSON, invalid) reply"),
    timeout: float = typer.Option(120.0, help="seconds to wait for one reply"),
    concurrency: int = typer.Option(4, help="items verified in parallel"),
    prompts: Path = typer.Option(None, help="folder of prompt files replacing the package's (shots.txt, rf_scene.txt, "
                                 "captions.txt, synthesize.txt, discriminate.txt, revise.txt)"),
    dry_run: bool = typer.Option(False, "--dry-run", help="print the plan and the number of calls; call nothing"),
    overwrite: bool = typer.Option(False, help="start --out over when it holds a build with other settings"),
) -> None:
    """Turn a folder of videos into verified StreamPro items: filter, caption, synthesise, verify (docs/data-pipeline.md).
    Every call is cached in OUT/calls.jsonl: a rerun (after a crash or kill) asks nothing twice."""
    from dataclasses import asdict

    from ..core.errors import StreamProError
    from ..core.runs import claim_run, write_manifest
    from ..data.calls import BackendDown, CallCache, Caller, build_backend
    from ..data.filtering import FilterSettings
    from ..data.pipeline import OUTPUTS, BuildSettings, build, find_videos, plan

    try:
        settings = BuildSettings(tasks=tuple(tasks), fps=fps, frame_size=frame_size, window_s=window_s,
                                 filter=FilterSettings(shots, min_transitions, min_scene_s), max_rounds=max_rounds,
                                 retries=retries, concurrency=concurrency, prompts=str(prompts) if prompts else None)
        settings.validate()
        found = find_videos(videos)
        if dry_run:
            p = plan(found, settings)
            for row in p["videos"]:
                typer.echo(f"{row['video']}: {row['duration'] or 'unreadable'} s, calls: " +
                           ", ".join(f"{k} {v}" for k, v in row.items() if k not in ("video", "duration")))
            typer.echo(f"{len(found)} video(s); calls before verification: {p['calls_before_verification']} "
                       f"({', '.join(f'{k} {v}' for k, v in p['calls'].items())}); {p['verification']}")
            return
        if not vlm or not llm:
            _fail("give --vlm and --llm (URLs with --vlm-model/--llm-model, or local folders); --dry-run needs neither")
        run = {"videos": str(videos.resolve()), "vlm": vlm, "vlm_model": vlm_model, "llm": llm, "llm_model": llm_model,
               **asdict(settings)}
        claim_run(out, "settings", run, OUTPUTS, overwrite)
        write_manifest(out, "settings", run, command="data build")
        cache = CallCache(out / "calls.jsonl")
        vlm_c = Caller(build_backend(vlm, vlm_model, "vlm", timeout), cache, retries)
        llm_c = Caller(build_backend(llm, llm_model, "llm", timeout), cache, retries)
        summary = build(videos, out, vlm_c, llm_c, settings)
    except BackendDown as e:
        _fail(f"{e}; rerun the same command to continue (every answered call is cached in {out / 'calls.jsonl'})")
    except StreamProError as e:
        _fail(str(e))
    v = summary["videos"]
    typer.echo(f"videos: {v['found']} found, {v['kept']} kept" + (f", rejected: {v['rejected']}" if v["rejected"] else ""))
    typer.echo(f"items: {summary['drafts']} drafted, {summary['kept']} kept ({summary['revised_then_kept']} after "
               f"revision), dropped: {summary['dropped'] or 0}; failures: {summary['failures'] or 0}")
    typer.echo(f"calls: vlm {summary['calls']['vlm']['calls']}, llm {summary['calls']['llm']['calls']} "
               f"(cache hits {summary['calls']['vlm']['cache_hits'] + summary['calls']['llm']['cache_hits']})")
    typer.echo(f"items: {out / 'items.jsonl'}  (next: streampro data review {out})")
    if summary["rf_candidates"]:
        typer.echo(f"RF: {summary['rf_candidates']} video(s) to annotate by hand in {out / 'rf_annotate.csv'}")


@data_app.command("review")
def data_review(
    out: Path = typer.Argument(..., help="a `data build` output folder (its items.jsonl)"),
    host: str = PAGE_OPTIONS["host"],
    port: int = typer.Option(8020, help="TCP port"),
    token: str = PAGE_OPTIONS["token"],
    no_token: bool = PAGE_OPTIONS["no_token"],
    allow_origin: list[str] = PAGE_OPTIONS["allow_origin"],
) -> None:
    """The review page: accept, edit (times, text) or reject each built item; decisions go to OUT/review.jsonl and
    Export writes OUT/reviewed.jsonl."""
    import uvicorn

    from ..core.errors import StreamProError
    from ..data.review import ReviewStore
    from ..data.review_app import create_review_app
    from ..web.security import check_token, is_loopback

    try:
        token = check_token(token, host, no_token)
        store = ReviewStore(out)
    except StreamProError as e:
        _fail(str(e))
    app = create_review_app(store, token, loopback=is_loopback(host), allow_origins=tuple(allow_origin))
    c = store.counts()
    shown = f"[{host}]" if ":" in host else host
    typer.echo(f"review: {len(store.items)} items ({c['undecided']} to review) in {out}")
    typer.echo(f"open http://{shown}:{port}/{'?token=' + token if token else ''}")
    uvicorn.run(app, host=host, port=port, log_level="warning")


@data_app.command("export")
def data_export(out: Path = typer.Argument(..., help="a reviewed `data build` folder")) -> None:
    """Write OUT/reviewed.jsonl (accepted and edited items) without opening the page."""
    from ..core.errors import StreamProError
    from ..data.review import ReviewStore

    try:
        r = ReviewStore(out).export()
    except StreamProError as e:
        _fail(str(e))
    typer.echo(f"{r['items']} item(s) -> {r['path']} (accepted {r['accept']}, edited {r['edit']}, rejected "
               f"{r['reject']}, not reviewed {r['undecided']})")
