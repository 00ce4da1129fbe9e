"""A minimal Python client of ``streampro serve`` (the one ``streampro watch --server`` uses).

    with StreamClient("http://127.0.0.1:8000", fps=1) as c:
        c.ask("Warn me 3 seconds before the red circle hits anything")
        for k, frame in enumerate(frames):            # RGB uint8 arrays
            c.send_frame(frame, t=k / 1.0)
            for event in c.poll():                     # responses arrive while frames go out
                print(event)
        for event in c.finish():                       # the rest, up to the server's "done"
            print(event)
"""

from __future__ import annotations

import io
import json
import os
import struct
import time
from collections.abc import Iterator
from contextlib import ExitStack
from urllib.parse import parse_qs, urlencode, urlsplit

import numpy as np

from .ratelimit import TokenBucket


def server_address(server: str) -> tuple[str, str | None]:
    """``http(s)://``, ``ws(s)://`` or bare ``host:port``, optionally with the ``?token=`` that
    ``streampro serve`` prints -> (the WebSocket base URL, the token in it). ValueError says what is wrong."""
    text = server.strip()
    if "://" not in text:
        text = f"http://{text}"
    parts = urlsplit(text)
    scheme = {"http": "ws", "ws": "ws", "https": "wss", "wss": "wss"}.get(parts.scheme.lower())
    if scheme is None or not parts.hostname:
        raise ValueError(f"--server {server!r}: expected http://HOST:PORT (or ws://, https://, wss://, or HOST:PORT)")
    try:
        parts.port  # noqa: B018 - raises on a malformed port
    except ValueError:
        raise ValueError(f"--server {server!r}: the port is not a number") from None
    token = parse_qs(parts.query).get("token", [None])[0]
    return f"{scheme}://{parts.netloc}{parts.path.rstrip('/')}", token


def encode_frame(pixels: np.ndarray, t: float, quality: int = 90) -> bytes:
    """A frame message: float64 little-endian stream time, then the frame as JPEG."""
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(pixels).save(buf, format="JPEG", quality=quality)
    return struct.pack("<d", t) + buf.getvalue()


class StreamClient:
    """One session over a WebSocket. ``ack=True`` makes the server confirm every stepped frame, and
    ``send_frame(..., wait=True)`` then waits for it: nothing is dropped (offline replay of a file).

    The client paces its frames to the rate limit the server announces in ``ready``, and a frame the
    server still refused for its rate is sent again (``wait=True``), so a well-behaved client loses none.
    The token comes from ``token=``, else the server URL's ``?token=``, else ``STREAMPRO_TOKEN``."""

    def __init__(self, server: str, fps: float = 1.0, ack: bool = False, token: str | None = None,
                 timeout: float = 30.0):
        from websockets.sync.client import connect

        url, url_token = server_address(server)
        token = token or url_token or os.environ.get("STREAMPRO_TOKEN")
        params = {"fps": fps, "ack": int(ack), **({"token": token} if token else {})}
        self.timeout = timeout
        self._stack = ExitStack()  # the connection is a context manager; close() exits it
        from websockets.exceptions import InvalidHandshake, InvalidStatus, InvalidURI

        try:
            self.ws = self._stack.enter_context(connect(f"{url}/v1/stream?{urlencode(params)}",
                                                        open_timeout=timeout, max_size=2**24))
        except InvalidURI as e:
            raise ValueError(f"--server {server!r}: {e}") from None
        except InvalidStatus as e:
            raise ConnectionError(f"the server refused the connection (HTTP {e.response.status_code}): "
                                  f"{e.response.body.decode(errors='replace').strip() or 'Origin or Host not allowed'}"
                                  ) from None
        except InvalidHandshake as e:
            raise ConnectionError(f"the WebSocket handshake with {url} failed: {e}") from None
        ready = self._recv(timeout)
        if ready is None or ready.get("type") != "ready":
            raise ConnectionError(f"server refused the session: {ready}")
        self.session = ready["session"]
        self.limits = ready.get("limits", {})
        self._pace = TokenBucket(0.95 * self.limits["max_frames_per_s"]) if "max_frames_per_s" in self.limits else None
        self.pending: list[dict] = []

    def __enter__(self) -> StreamClient:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _recv(self, timeout: float | None) -> dict | None:
        try:
            return json.loads(self.ws.recv(timeout=timeout))
        except TimeoutError:
            return None

    def ask(self, question: str, qid: str | None = None, options: list[str] | None = None) -> str:
        """Post a question (before the next frame); returns its id once the server has taken it."""
        self.ws.send(json.dumps({"type": "ask", "question": question, **({"id": qid} if qid else {}),
                                 **({"options": options} if options else {})}))
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            ev = self._recv(max(0.0, deadline - time.monotonic()))
            if ev is None:
                break
            if ev["type"] == "asked":
                return ev["id"]
            if ev["type"] == "error":
                raise ValueError(ev["message"])
            self.pending.append(ev)
        raise TimeoutError("the server did not confirm the question")

    def send_frame(self, pixels: np.ndarray | bytes, t: float, wait: bool = False) -> None:
        """Send one frame (RGB array, or already-encoded JPEG/PNG bytes). ``wait`` (with ``ack``) blocks
        until the server has stepped it."""
        data = struct.pack("<d", t) + pixels if isinstance(pixels, bytes) else encode_frame(pixels, t)
        deadline = time.monotonic() + self.timeout
        while True:
            if self._pace is not None:
                self._pace.wait()
            self.ws.send(data)
            if not wait or self.wait_ack(t):
                return
            if time.monotonic() > deadline:
                raise TimeoutError(f"the server kept refusing the frame at t={t} for its rate limit")

    def wait_ack(self, t: float) -> bool:
        """Block until the frame sent with time ``t`` has been stepped (sessions opened with ``ack``);
        events received meanwhile stay queued for ``poll``. False when the server refused the frame for its
        rate limit (after waiting the ``retry_after_s`` it asked for): send it again."""
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            ev = self._recv(max(0.0, deadline - time.monotonic()))
            if ev is None:
                break
            if ev["type"] == "error" and ev.get("code") == "rate_limited" and ev.get("t") == t:
                time.sleep(ev.get("retry_after_s", 0.01))
                return False
            self.pending.append(ev)
            if ev["type"] in ("error", "ack") and ev.get("t") == t:  # stepped, or refused for good
                return True
        raise TimeoutError(f"no ack for the frame at t={t} within {self.timeout} s")

    def send_json(self, message: dict) -> None:
        self.ws.send(json.dumps(message))

    def poll(self) -> list[dict]:
        """Events received so far, without waiting."""
        out, self.pending = self.pending, []
        while (ev := self._recv(0)) is not None:
            out.append(ev)
        return out

    def finish(self) -> Iterator[dict]:
        """Say there are no more frames; yield every remaining event up to and including ``done``."""
        self.ws.send(json.dumps({"type": "end"}))
        yield from self.events(until="done")

    def events(self, until: str | None = None) -> Iterator[dict]:
        """Yield events as they come (``until`` a type, inclusive; or until the connection closes)."""
        from websockets.exceptions import ConnectionClosed

        for ev in self.poll():
            yield ev
            if until is not None and ev["type"] == until:
                return
        while True:
            try:
                ev = self._recv(self.timeout)
            except ConnectionClosed:
                return
            if ev is None:
                raise TimeoutError(f"no event from the server within {self.timeout} s")
            yield ev
            if until is not None and ev["type"] == until:
                return

    def close(self) -> None:
        self._stack.close()
