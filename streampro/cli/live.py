"""Live streams: ``serve`` (WebSocket server and page) and ``watch`` (a stream in the terminal)."""

from __future__ import annotations

import typer

from ..cli_common import fail as _fail
from ._app import MODEL_ARGS_HELP, _model_args, app


def _serve_model(model: str, model_args: str | None, window_frames: int | None, seed: int):
    """The model a live session runs: ground-truth-free models only, with the paper's sliding window."""
    from ..models.registry import available, build_model, model_entry

    try:
        live = model_entry(model).live
    except KeyError as e:
        _fail(str(e).strip("'\""))
    if not live:
        _fail(f"{model!r} reads the benchmark's answers (or never speaks) and cannot run on a live stream; serve "
              f"one of {[n for n in available() if model_entry(n).live]}")
    args = {"window_frames": window_frames, **_model_args(model_args)}
    try:
        return build_model(model, seed=seed, **args)
    except (KeyError, ValueError, FileNotFoundError, TypeError) as e:
        _fail(f"cannot load {model}: {e}")


@app.command()
def serve(
    model: str = typer.Option("random", help="random | small:DIR | hf:DIR | hf-offline:DIR"),
    model_args: str = typer.Option(None, help=MODEL_ARGS_HELP),
    host: str = typer.Option("127.0.0.1", help="interface to bind; anything but loopback needs a strong token"),
    port: int = typer.Option(8000, help="TCP port"),
    token: str = typer.Option(None, envvar="STREAMPRO_TOKEN", help="required of every client; default: a random "
                              "one, printed in the page's URL"),
    no_token: bool = typer.Option(False, "--no-token", help="no token at all (loopback only)"),
    allow_origin: list[str] = typer.Option([], "--allow-origin", help="a browser origin allowed on the WebSocket "
                                           "besides the page's own, e.g. http://127.0.0.1:3000 (repeatable)"),
    allow_source: list[str] = typer.Option([], "--allow-source", help="a folder, file/device (e.g. /dev/video0) or "
                                           "URL prefix the server may open for a client (repeatable; default none)"),
    window_frames: int = typer.Option(200, help="frame turns each session keeps in context (the paper's window)"),
    max_sessions: int = typer.Option(64, help="concurrent sessions at most"),
    max_batch: int = typer.Option(64, help="frames stepped together at most"),
    max_frame_bytes: int = typer.Option(4_000_000, help="largest encoded frame accepted"),
    max_frame_side: int = typer.Option(1024, help="decoded frames are downscaled to this long side (0: never)"),
    max_frames_per_s: float = typer.Option(200.0, help="per-session frame rate limit (control messages are never "
                                           "limited)"),
    idle_timeout: float = typer.Option(120.0, help="seconds without a message before a session is closed"),
    seed: int = typer.Option(0, help="seed of sampling models"),
) -> None:
    """Serve a model to live streams over WebSocket, with a web page at / (docs/serving.md)."""
    import uvicorn

    from ..serve.app import create_app
    from ..serve.engine import Engine, ServeSettings
    from ..web.security import SecurityError, SourcePolicy, check_token, is_loopback

    try:
        token = check_token(token, host, no_token)
        SourcePolicy.parse(allow_source)
    except SecurityError as e:
        _fail(str(e))
    settings = ServeSettings(max_sessions=max_sessions, max_batch=max_batch, max_frame_bytes=max_frame_bytes,
                             max_frame_side=max_frame_side, max_frames_per_s=max_frames_per_s,
                             idle_timeout_s=idle_timeout, allow_sources=tuple(allow_source),
                             allow_origins=tuple(allow_origin))
    engine = Engine(_serve_model(model, model_args, window_frames, seed), settings)
    shown = f"[{host}]" if ":" in host else host
    typer.echo(f"serving {model}; open http://{shown}:{port}/{'?token=' + token if token else ''}")
    if token:
        typer.echo(f"  watch from a terminal: STREAMPRO_TOKEN={token} streampro watch VIDEO --ask '...' "
                   f"--server http://{shown}:{port}")
    try:
        uvicorn.run(create_app(engine, model, token, loopback=is_loopback(host)), host=host, port=port,
                    log_level="warning", ws_max_size=max_frame_bytes + 1024)
    finally:
        engine.shutdown()


@app.command()
def watch(
    source: str = typer.Argument(..., help="video file, rtsp:// or http(s):// URL, or a capture device (with --format)"),
    ask: list[str] = typer.Option(..., "--ask", help="a question (repeatable)"),
    model: str = typer.Option(None, help="run this model in-process: random | small:DIR | hf:DIR"),
    model_args: str = typer.Option(None, help=MODEL_ARGS_HELP),
    server: str = typer.Option(None, help="or send the frames to a running `streampro serve`: the URL it printed "
                               "(http://127.0.0.1:8000/?token=..., or host:port with --token)"),
    token: str = typer.Option(None, envvar="STREAMPRO_TOKEN", help="the server's token"),
    fps: float = typer.Option(1.0, help="frames per second taken from the source"),
    realtime: bool = typer.Option(False, help="pace frames at their stream times (a slow model drops frames)"),
    fmt: str = typer.Option(None, "--format", help="PyAV input format of a capture device, e.g. v4l2"),
    window_frames: int = typer.Option(200, help="frame turns kept in context"),
    as_json: bool = typer.Option(False, "--json", help="print JSONL events instead of lines"),
    seed: int = typer.Option(0, help="seed of sampling models"),
) -> None:
    """Watch a stream from the terminal: every response is printed with its stream time as it happens."""
    from ..data.video import VideoError, iter_frames
    from ..serve.watch import printer, watch_local, watch_server

    if (model is None) == (server is None):
        _fail("give exactly one of --model (in-process) or --server URL")
    frames = iter_frames(source, fps=fps, fmt=fmt)
    try:
        show = printer(as_json, {f"q{i}": q for i, q in enumerate(ask)})
        if server:
            watch_server(server, frames, ask, show, realtime, fps, token)
        else:
            from ..serve.engine import Engine

            engine = Engine(_serve_model(model, model_args, window_frames, seed))
            try:
                watch_local(engine, frames, ask, show, realtime, fps)
            finally:
                engine.shutdown()
    except VideoError as e:
        _fail(str(e))
    except (OSError, TimeoutError, ValueError) as e:
        _fail(f"{type(e).__name__}: {e}")
