"""``streampro serve``: the engine behind a WebSocket API, a web page, ``/health`` and ``/metrics``.

Protocol (docs/serving.md): connect to ``/v1/stream?fps=1&ack=0&token=…``; send questions as JSON text
messages and frames as binary messages (8-byte little-endian float64 stream time, then JPEG/PNG bytes), or
ask the server to read a source itself (only what ``--allow-source`` names); receive ``response`` events as
soon as the model speaks and a ``stats`` event every second. A malformed message gets an ``error`` event on
that session only. Who may connect is decided by :mod:`.security` (token, ``Origin``, ``Host``).
"""

from __future__ import annotations

import asyncio
import io
import json
import math
import struct
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
from fastapi import FastAPI, Request, WebSocket, WebSocketDisconnect
from fastapi.responses import FileResponse, JSONResponse, PlainTextResponse

from ..web.security import AccessPolicy, Guard, SourcePolicy, add_page
from .engine import Engine, ServeSettings, Session
from .ratelimit import TokenBucket

STATIC = Path(__file__).with_name("static")
STATIC_FILES = {"app.js": "text/javascript", "app.css": "text/css"}  # fixed names: no path comes from a client


class ProtocolError(ValueError):
    """A client message the server cannot use; reported to that session, which goes on."""


def decode_frame(data: bytes, settings: ServeSettings) -> tuple[float, np.ndarray]:
    """A binary frame message -> (stream time, RGB uint8 pixels); ProtocolError says what is wrong.

    The pixel count is checked from the image header before decoding (a small PNG can claim 20000x20000
    pixels), and a decoded frame is downscaled to ``max_frame_side`` (JPEGs are decoded at a reduced scale
    directly), so what a session holds stays small whatever it sends."""
    from PIL import Image, UnidentifiedImageError

    if len(data) < 9:
        raise ProtocolError("a frame is 8 bytes of float64 time (little-endian) followed by a JPEG or PNG image")
    if len(data) - 8 > settings.max_frame_bytes:
        raise ProtocolError(f"frame of {len(data) - 8} bytes exceeds the limit of {settings.max_frame_bytes}")
    (t,) = struct.unpack("<d", data[:8])
    if not math.isfinite(t) or t < 0:
        raise ProtocolError(f"frame time must be a finite number of seconds >= 0, got {t}")
    try:
        img = Image.open(io.BytesIO(data[8:]))
        if img.width * img.height > settings.max_frame_pixels:
            raise ProtocolError(f"frame of {img.width}x{img.height} pixels exceeds the limit of "
                                f"{settings.max_frame_pixels} pixels")
        side = settings.max_frame_side
        if side and max(img.size) > side:
            if img.mode not in ("RGB", "L"):
                img = img.convert("RGB")
            # in place; a JPEG is decoded at 1/2, 1/4 or 1/8 scale directly, others are reduced by an integer
            # factor first: no full-size copy beside the decoded image
            img.thumbnail((side, side), Image.Resampling.BILINEAR)
        pixels = np.asarray(img if img.mode == "RGB" else img.convert("RGB"))
    except ProtocolError:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, ValueError, SyntaxError) as e:
        raise ProtocolError(f"cannot decode the frame image ({type(e).__name__}: {e})") from None
    return t, pixels


def prometheus(metrics: dict, model: str) -> str:
    """The engine's counters in Prometheus' text exposition format."""
    series = [("sessions", "streampro_sessions", "gauge", "open sessions"),
              ("sessions_opened", "streampro_sessions_opened_total", "counter", "sessions opened"),
              ("frames_stepped", "streampro_frames_stepped_total", "counter", "frames the model stepped"),
              ("frames_dropped", "streampro_frames_dropped_total", "counter",
               "frames replaced by a newer one before the model got to them"),
              ("responses", "streampro_responses_total", "counter", "responses pushed to clients"),
              ("batches", "streampro_batches_total", "counter", "batched model steps"),
              ("errors", "streampro_errors_total", "counter", "model step failures")]
    lines = [f'streampro_info{{model="{model}"}} 1']
    for key, name, kind, doc in series:
        lines += [f"# HELP {name} {doc}", f"# TYPE {name} {kind}", f"{name} {metrics[key]}"]
    lines += ["# HELP streampro_step_seconds wall time of one batched model step", "# TYPE streampro_step_seconds summary"]
    for q, key in (("0.5", "step_p50_s"), ("0.99", "step_p99_s")):
        v = metrics[key]
        lines.append(f'streampro_step_seconds{{quantile="{q}"}} {"NaN" if math.isnan(v) else round(v, 6)}')
    return "\n".join(lines) + "\n"



def _read_source(engine: Engine, session: Session, path: str, msg: dict) -> None:
    """Thread: decode a file / URL / capture device with PyAV and offer its frames. ``realtime`` paces
    frames at their stream times (a slow model then drops frames); otherwise the next frame is offered
    only once the model has taken the last one (nothing dropped)."""
    from ..data.video import VideoError, iter_frames

    realtime = bool(msg.get("realtime", False))
    start = time.perf_counter()
    try:
        for f in iter_frames(path, fps=float(msg.get("fps", 1.0)), fmt=msg.get("format")):
            if session.closed:
                return
            if realtime:
                time.sleep(max(0.0, start + f.time - time.perf_counter()))
            else:
                while session.waiting and not session.closed:
                    time.sleep(0.001)
            session.offer(f.pixels, f.time)
            engine.notify()
    except (VideoError, ValueError, TypeError) as e:
        session.emit({"type": "error", "message": f"source: {e}"})
    finally:
        session.source_running = False
    session.end()
    engine.notify()


def create_app(engine: Engine, model_name: str, token: str | None = None, loopback: bool = True,
               sample_dir: str | Path | None = None):
    """The FastAPI app. ``token`` (if set) is required on the WebSocket (``?token=`` or an
    ``Authorization: Bearer`` header) and on ``/metrics``; ``loopback`` (the server is bound to a loopback
    address) makes it refuse requests addressed to any other host name. No ``/docs`` or ``/openapi.json``."""
    settings = engine.settings
    policy = AccessPolicy(token=token, loopback_only_hosts=loopback, allow_origins=tuple(settings.allow_origins))
    sources = SourcePolicy.parse(settings.allow_sources)
    samples = Path(sample_dir) if sample_dir else Path(tempfile.gettempdir()) / "streampro-sample"
    app = FastAPI(title="StreamPro", docs_url=None, redoc_url=None, openapi_url=None)
    decode_slots = asyncio.Semaphore(settings.decode_workers)

    authorized = policy.allows
    add_page(app, STATIC, STATIC_FILES)

    @app.get("/sample")
    def sample() -> dict:
        from .sample import sample_clip

        _, question = sample_clip(samples)
        return {"video": "/sample.webm", "question": question}

    @app.get("/sample.webm")
    def sample_video():
        from .sample import sample_clip

        return FileResponse(sample_clip(samples)[0], media_type="video/webm")

    @app.get("/health")
    def health() -> dict:
        return {"status": "ok", "model": model_name, "sessions": len(engine.sessions)}

    @app.get("/metrics")
    def metrics(request: Request):
        if not authorized(request.headers, request.query_params):
            return JSONResponse({"error": "unauthorized: missing or wrong token"}, status_code=401)
        return PlainTextResponse(prometheus(engine.metrics(), model_name))

    @app.websocket("/v1/stream")
    async def stream(ws: WebSocket) -> None:
        await ws.accept()
        if not authorized(ws.headers, ws.query_params):
            await ws.send_json({"type": "error", "message": "unauthorized: missing or wrong token (?token= or "
                                "an 'Authorization: Bearer' header)"})
            await ws.close(code=1008)
            return
        try:
            fps = float(ws.query_params.get("fps", 1.0))
            ack = ws.query_params.get("ack", "0") in ("1", "true")
            if not (0 < fps <= 120):
                raise ValueError(f"fps must be in (0, 120], got {fps}")
        except ValueError as e:
            await ws.send_json({"type": "error", "message": f"bad session parameters: {e}"})
            await ws.close(code=1003)
            return
        loop = asyncio.get_running_loop()
        out: asyncio.Queue = asyncio.Queue()

        def emit(event: dict) -> None:
            loop.call_soon_threadsafe(out.put_nowait, event)

        try:
            session = engine.open(emit, fps=fps, ack=ack)
        except RuntimeError as e:
            await ws.send_json({"type": "error", "message": str(e)})
            await ws.close(code=1013)
            return
        await ws.send_json({"type": "ready", "session": session.id, "model": model_name, "fps": fps, "ack": ack,
                            "limits": {"max_frames_per_s": settings.max_frames_per_s,
                                       "max_frame_bytes": settings.max_frame_bytes,
                                       "max_frame_pixels": settings.max_frame_pixels,
                                       "max_questions": settings.max_questions,
                                       "sources": sources.enabled}})

        async def send_events() -> None:
            while True:
                await ws.send_json(await out.get())

        async def send_stats() -> None:
            while True:
                await asyncio.sleep(settings.stats_every_s)
                out.put_nowait({"type": "stats", **session.stats.as_dict()})

        def error(message: str, **fields) -> None:
            session.stats.errors += 1
            out.put_nowait({"type": "error", "message": message, **fields})

        tasks = [asyncio.create_task(send_events()), asyncio.create_task(send_stats())]
        frames_bucket = TokenBucket(settings.max_frames_per_s)
        try:
            while True:
                try:
                    msg = await asyncio.wait_for(ws.receive(), timeout=settings.idle_timeout_s)
                except asyncio.TimeoutError:
                    if session.source_running:  # the server is feeding this session itself
                        continue
                    await ws.send_json({"type": "error", "message": f"idle for {settings.idle_timeout_s:g} s: closing"})
                    break
                if msg["type"] == "websocket.disconnect":
                    break
                frame_t = None  # a frame's error names its time, so a waiting client knows which frame failed
                try:
                    if msg.get("bytes") is not None:
                        data = msg["bytes"]
                        if len(data) >= 8 and math.isfinite(t := struct.unpack("<d", data[:8])[0]):
                            frame_t = t
                        # only frames are rate-limited: a control message (above all "end") always gets through
                        if not frames_bucket.take():
                            error(f"rate limit: more than {settings.max_frames_per_s:g} frames/s; frame not used, "
                                  "send it again later", code="rate_limited", t=frame_t,
                                  retry_after_s=round(1 / settings.max_frames_per_s, 4))
                            continue
                        async with decode_slots:
                            t, pixels = await asyncio.to_thread(decode_frame, data, settings)
                        session.offer(pixels, t)
                        engine.notify()
                    else:
                        await _control(engine, session, msg.get("text") or "", out, settings, sources)
                except ProtocolError as e:
                    error(str(e), **({"t": frame_t} if frame_t is not None else {}))
        except WebSocketDisconnect:
            pass
        finally:
            engine.close(session)
            await asyncio.sleep(0)  # let events already queued go out before the tasks stop
            while not out.empty():
                try:
                    await ws.send_json(out.get_nowait())
                except Exception:
                    break
            for task in tasks:
                task.cancel()
            try:
                await ws.close()
            except Exception:
                pass

    return Guard(app, policy)


async def _control(engine: Engine, session: Session, text: str, out: asyncio.Queue, settings: ServeSettings,
                   sources: SourcePolicy) -> None:
    """A JSON control message: ask, close_query, source, end."""
    try:
        msg = json.loads(text)
    except json.JSONDecodeError as e:
        raise ProtocolError(f"not JSON: {e}") from None
    if not isinstance(msg, dict) or "type" not in msg:
        raise ProtocolError('a control message is a JSON object with a "type" (ask, close_query, source, end)')
    kind = msg["type"]
    if kind == "ask":
        q = msg.get("question")
        if not isinstance(q, str) or not q.strip():
            raise ProtocolError('"ask" needs a non-empty "question" string')
        if len(q) > 2000:
            raise ProtocolError("question longer than 2000 characters")
        options = msg.get("options", [])
        if not isinstance(options, list) or not all(isinstance(o, str) for o in options):
            raise ProtocolError('"options" must be a list of strings')
        if len(session.open_questions) >= settings.max_questions:
            raise ProtocolError(f"{settings.max_questions} questions are open: close one first (close_query)")
        qid = msg.get("id")
        if qid is not None and (not isinstance(qid, str | int) or not str(qid).strip() or len(str(qid)) > 100):
            raise ProtocolError('"id" must be a short string')
        qid = session.ask(q.strip(), qid and str(qid), tuple(options))
        out.put_nowait({"type": "asked", "id": qid, "question": q.strip()})
    elif kind == "close_query":
        session.close_query(str(msg.get("id")))
        out.put_nowait({"type": "closed", "id": str(msg.get("id"))})
    elif kind == "end":
        session.end()
        engine.notify()
    elif kind == "source":
        if not isinstance(msg.get("path"), str):
            raise ProtocolError('"source" needs a "path": a file, an rtsp:// or http(s):// URL, or a device')
        fmt = msg.get("format")
        if fmt is not None and not isinstance(fmt, str):
            raise ProtocolError('"format" must be a string (a PyAV input format such as v4l2)')
        try:
            path = sources.resolve(msg["path"], fmt)
        except PermissionError as e:
            raise ProtocolError(str(e)) from None
        if session.source_running:
            raise ProtocolError("a source is already running for this session (one at a time)")
        session.source_running = True
        threading.Thread(target=_read_source, args=(engine, session, path, msg), daemon=True).start()
    else:
        raise ProtocolError(f"unknown message type {kind!r} (ask, close_query, source, end)")
