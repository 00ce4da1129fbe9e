"""`streampro serve` safe by default, over real loopback sockets: tokens, Origin and Host checks, opt-in
server-side sources, decompression bombs and frame memory, security headers, and a rate limit that never
costs a well-behaved client a frame. Each test fails on the server as it was before these rules."""

from __future__ import annotations

import io
import json
import os
import struct
import threading
import time
import zlib

import httpx
import numpy as np
import pytest

pytest.importorskip("fastapi")
pytest.importorskip("websockets")

from test_serve import QUESTION, Server, png  # noqa: E402

from streampro.models.registry import build_model  # noqa: E402
from streampro.serve.client import StreamClient, server_address  # noqa: E402
from streampro.web.security import SecurityError, SourcePolicy, check_token, is_loopback  # noqa: E402


def ws_url(srv, token=None):
    return f"ws://127.0.0.1:{srv.port}/v1/stream" + (f"?token={token}" if token else "")


def handshake(url, **kw):
    """The first event of a raw WebSocket session (``ready`` or ``error``), or the HTTP status of a refusal."""
    from websockets.exceptions import InvalidStatus
    from websockets.sync.client import connect

    try:
        with connect(url, open_timeout=10, **kw) as ws:
            return json.loads(ws.recv(timeout=10))
    except InvalidStatus as e:
        return e.response.status_code


def raw_upgrade(port: int, path: str, host: str) -> int:
    """The HTTP status of a WebSocket upgrade request sent with exactly one ``Host`` header."""
    import socket

    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall((f"GET {path} HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                   "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
        return int(s.recv(1024).split(b" ")[1])


def fake_png(width: int, height: int) -> bytes:
    """A valid PNG header that claims ``width`` x ``height`` pixels, with one tiny compressed row: a
    decompression bomb as a client can send it in a few bytes."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
            + chunk(b"IEND", b""))


# -- tokens ------------------------------------------------------------------------------------------

def test_a_random_token_by_default_no_token_only_on_loopback_and_strong_tokens_off_loopback():
    a, b = check_token(None, "127.0.0.1", no_token=False), check_token(None, "127.0.0.1", no_token=False)
    assert a != b and len(a) >= 24  # Jupyter's way: a fresh random token even on loopback
    assert check_token(None, "::1", no_token=True) is None
    with pytest.raises(SecurityError, match="loopback only"):
        check_token(None, "0.0.0.0", no_token=True)
    with pytest.raises(SecurityError, match="at least 16"):
        check_token("abc", "0.0.0.0", no_token=False)
    with pytest.raises(SecurityError, match="whitespace"):
        check_token(" ", "0.0.0.0", no_token=False)
    assert check_token("short", "127.0.0.1", no_token=False) == "short"  # the user's choice on loopback
    assert [is_loopback(h) for h in ("127.0.0.5", "localhost", "[::1]", "0.0.0.0", "10.0.0.1")] == \
        [True, True, True, False, False]

    from typer.testing import CliRunner

    from streampro.cli import app

    for args, msg in ((["--host", "0.0.0.0", "--token", " "], "whitespace"),
                      (["--host", "0.0.0.0", "--token", "abc"], "at least 16"),
                      (["--host", "0.0.0.0", "--no-token"], "loopback only"),
                      (["--allow-source", "/no/such/folder"], "no such folder")):
        r = CliRunner().invoke(app, ["serve", *args])
        assert r.exit_code == 2 and msg in r.output and "Traceback" not in r.output, (args, r.output)


# -- Origin, Host, docs, headers ----------------------------------------------------------------------

def test_a_page_from_another_origin_or_host_cannot_drive_the_server():
    with Server(build_model("random"), token="s3cret-token") as srv:
        same = f"http://127.0.0.1:{srv.port}"
        # the attack: a page on another origin, even one that knows the token
        assert handshake(ws_url(srv, "s3cret-token"), origin="http://127.0.0.1:9999") == 403
        assert handshake(ws_url(srv, "s3cret-token"), origin="https://evil.example") == 403
        assert handshake(ws_url(srv, "s3cret-token"), origin=same)["type"] == "ready"  # the server's own page
        assert handshake(ws_url(srv, "s3cret-token"))["type"] == "ready"  # not a browser: no Origin
        assert handshake(ws_url(srv))["message"].startswith("unauthorized")
        # DNS rebinding: a name that resolves to 127.0.0.1 but is not a loopback name
        r = httpx.get(f"{same}/health", headers={"Host": f"rebind.example:{srv.port}"})
        assert r.status_code == 403 and "loopback" in r.text
        assert raw_upgrade(srv.port, "/v1/stream?token=s3cret-token", "rebind.example") == 403
        assert raw_upgrade(srv.port, "/v1/stream?token=s3cret-token", f"127.0.0.1:{srv.port}") == 101
        assert httpx.get(f"{same}/health", headers={"Host": f"localhost:{srv.port}"}).status_code == 200
        # no API docs without a token (they are off)
        assert httpx.get(f"{same}/docs").status_code == 404 and httpx.get(f"{same}/openapi.json").status_code == 404
        page = httpx.get(f"{same}/")
        csp = page.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
        assert page.headers["referrer-policy"] == "no-referrer"
        assert "<script src=" in page.text and "<script>" not in page.text  # no inline code for CSP to allow
        assert httpx.get(f"{same}/static/app.js").headers["content-type"].startswith("text/javascript")
        assert httpx.get(f"{same}/static/..%2Fapp.py").status_code == 404
    with Server(build_model("random"), allow_origins=("http://127.0.0.1:3000",)) as srv:
        assert handshake(ws_url(srv), origin="http://127.0.0.1:3000")["type"] == "ready"
        assert handshake(ws_url(srv), origin="http://127.0.0.1:3001") == 403


# -- server-side sources ----------------------------------------------------------------------------

def test_sources_are_opt_in_confined_and_do_not_reveal_files(small_items, tmp_path):
    from pathlib import Path

    video = Path(small_items[0].video)
    outside = tmp_path / "secret.mp4"
    outside.write_bytes(b"not a video")
    (video.parent / "escape.mp4").unlink(missing_ok=True)
    os.symlink(outside, video.parent / "escape.mp4")  # a link inside the folder pointing out of it
    try:
        def first_error(srv, msg):
            with StreamClient(srv.url) as c:
                c.send_json({"type": "source", **msg})
                deadline = time.monotonic() + 10
                while time.monotonic() < deadline:
                    for e in c.poll():
                        if e["type"] in ("error", "done"):
                            return e.get("message", "done")
                    time.sleep(0.02)

        with Server(build_model("random")) as srv:  # the default: no sources at all
            assert "reads no sources" in first_error(srv, {"path": str(video)})
        with Server(build_model("random"), allow_sources=(str(video.parent),)) as srv:
            exists = first_error(srv, {"path": str(outside)})
            missing = first_error(srv, {"path": str(tmp_path / "nothing.mp4")})
            assert exists == missing and "not allowed" in exists  # existence is not revealed
            assert "not allowed" in first_error(srv, {"path": str(video.parent / "escape.mp4")})
            assert "not allowed" in first_error(srv, {"path": str(video.parent / ".." / outside.name)})
            assert "not allowed" in first_error(srv, {"path": "/dev/null", "format": "v4l2"})  # devices by name only
            assert "not allowed" in first_error(srv, {"path": "rtsp://127.0.0.1:1/cam"})
            assert "not allowed" in first_error(srv, {"path": str(video), "format": "v4l2"})
            assert first_error(srv, {"path": video.name}) == "done"  # relative: inside the folder

            # one source at a time per session: 30 requests start one reader, not 30 threads
            with StreamClient(srv.url) as c:
                time.sleep(0.2)
                before = threading.active_count()
                for _ in range(30):
                    c.send_json({"type": "source", "path": str(video), "realtime": True})
                errors, deadline = [], time.monotonic() + 10
                while len(errors) < 29 and time.monotonic() < deadline:
                    errors += [e for e in c.poll() if e["type"] == "error"]
                    time.sleep(0.02)
                during = threading.active_count()
            assert during - before <= 2, (before, during)
            assert len(errors) == 29 and all("already running" in e["message"] for e in errors)
    finally:
        (video.parent / "escape.mp4").unlink()
    policy = SourcePolicy.parse([str(tmp_path), "rtsp://cam.local/"])
    assert policy.resolve("rtsp://cam.local/live") == "rtsp://cam.local/live"
    with pytest.raises(PermissionError):
        policy.resolve("rtsp://cam.local.evil/live".replace("cam.local.evil", "evil"))


# -- frames -----------------------------------------------------------------------------------------

def test_a_decompression_bomb_gets_an_error_event_and_the_session_goes_on(small_items):
    from streampro.data.video import decode_video

    frame = decode_video(small_items[0].video)[0][0]
    with Server(build_model("random", seed=0, rate=0.5), max_frame_pixels=2000 * 2000) as srv:
        with StreamClient(srv.url, ack=True) as c:
            c.ask(QUESTION)
            bomb = fake_png(20000, 20000)
            assert len(bomb) < 200
            c.ws.send(struct.pack("<d", 0.0) + bomb)
            c.ws.send(struct.pack("<d", 0.5) + fake_png(3000, 3000))  # under PIL's limit, over ours
            c.send_frame(png(frame), 1.0, wait=True)
            events = c.poll()
            errors = [e["message"] for e in events if e["type"] == "error"]
            assert len(errors) == 2 and "cannot decode" in errors[0] and "exceeds the limit" in errors[1], errors
            assert [e for e in events if e["type"] == "ack" and e["t"] == 1.0]  # the session still works
            done = list(c.finish())[-1]
            assert done["stats"]["stepped"] == 1 and done["stats"]["errors"] == 2


def test_large_frames_are_downscaled_so_sessions_hold_little_memory():
    """Three sessions send 4096x4096 frames: each is decoded (two at a time, over all sessions) and
    downscaled to 1024 pixels before it waits for the model, so resident memory stays far below the
    3 x 2 x 50 MB that full-size frames would hold."""
    import psutil
    from PIL import Image

    big = np.zeros((4096, 4096, 3), np.uint8)
    big[..., 0] = np.arange(4096)[None, :] % 251
    buf = io.BytesIO()
    Image.fromarray(big).save(buf, format="PNG", compress_level=1)
    data = buf.getvalue()
    del big
    proc = psutil.Process()
    seen = []

    model = build_model("random", seed=0, rate=0.0)
    orig = type(model).step

    def step(self, frame, orig=orig):
        seen.append(frame.pixels.shape)
        return orig(self, frame)

    type(model).step = step
    try:
        with Server(model, max_frame_bytes=len(data) + 1) as srv:
            peak, stop = [proc.memory_info().rss], threading.Event()

            def sample():
                while not stop.is_set():
                    peak.append(proc.memory_info().rss)
                    time.sleep(0.005)

            def client():
                with StreamClient(srv.url, ack=True, timeout=60) as c:
                    for k in range(4):
                        c.send_frame(data, float(k), wait=True)
                    list(c.finish())

            sampler = threading.Thread(target=sample)
            sampler.start()
            threads = [threading.Thread(target=client) for _ in range(3)]
            for t in threads:
                t.start()
            for t in threads:
                t.join(timeout=120)
            stop.set()
            sampler.join()
    finally:
        type(model).step = orig
    assert len(seen) == 12 and set(seen) == {(1024, 1024, 3)}
    grew = (max(peak) - peak[0]) / 2**20
    assert grew < 250, f"resident memory grew by {grew:.0f} MiB"


# -- rate limit ---------------------------------------------------------------------------------------

def test_an_ack_paced_client_loses_no_frame_to_the_rate_limit_and_end_is_never_limited(small_items):
    from streampro.data.video import decode_video

    frame = png(decode_video(small_items[0].video)[0][0])
    with Server(build_model("random", seed=0, rate=0.2), max_frames_per_s=100) as srv:
        with StreamClient(srv.url, ack=True) as c:  # paces itself to the announced limit
            assert c.limits["max_frames_per_s"] == 100
            for k in range(150):
                c.send_frame(frame, float(k), wait=True)
            start = time.monotonic()
            done = list(c.finish())[-1]
            assert time.monotonic() - start < 5
            assert done["stats"]["stepped"] == 150 and done["stats"]["errors"] == 0
        with StreamClient(srv.url, ack=True) as c:  # a client that does not pace: refused frames are resent
            c._pace = None
            for k in range(150):
                c.send_frame(frame, float(k), wait=True)
            refused = [e for e in c.poll() if e.get("code") == "rate_limited"]
            assert not refused  # consumed by the resend loop, not surfaced
            for _ in range(300):  # a burst of control messages right before the end: none is limited
                c.send_json({"type": "close_query", "id": "nothing"})
            done = list(c.finish())[-1]
            assert done["type"] == "done" and done["stats"]["stepped"] == 150


# -- the client's server address ----------------------------------------------------------------------

def test_server_address_accepts_what_serve_prints_and_refuses_the_rest_in_one_line():
    assert server_address("127.0.0.1:8000") == ("ws://127.0.0.1:8000", None)
    assert server_address("http://127.0.0.1:8000/?token=abc") == ("ws://127.0.0.1:8000", "abc")
    assert server_address("https://host.example") == ("wss://host.example", None)
    for bad in ("ftp://127.0.0.1:8000", "http://", "127.0.0.1:port"):
        with pytest.raises(ValueError, match="--server"):
            server_address(bad)
