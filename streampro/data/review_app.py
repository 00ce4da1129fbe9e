"""``streampro data review OUT``: the review page and its JSON API (loopback, token, ``Origin`` checked by
the same :class:`~streampro.web.security.Guard` as ``serve`` and ``arena``).

- ``GET /api/items``: every item as it stands, with its decision and ``/video/N`` for its video.
- ``POST /api/decide {"id", "decision": accept|edit|reject, "edit": {question, query_time, answers}}``.
- ``POST /api/export``: writes ``OUT/reviewed.jsonl``.
The server opens no file but the videos of the items under review."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, JSONResponse

from ..web.security import AccessPolicy, Guard, add_page
from .review import ReviewStore

STATIC = Path(__file__).with_name("static")
STATIC_FILES = {"review.js": "text/javascript", "review.css": "text/css"}
REVIEWER = re.compile(r"^[A-Za-z0-9_-]{0,64}$")


def create_review_app(store: ReviewStore, token: str | None, loopback: bool = True,
                      allow_origins: tuple[str, ...] = ()):
    policy = AccessPolicy(token=token, loopback_only_hosts=loopback, allow_origins=allow_origins)
    app = FastAPI(title="StreamPro data review", docs_url=None, redoc_url=None, openapi_url=None)
    ids = list(store.items)
    videos = {i: (store.out / store.items[i]["video"]).resolve() for i in ids}

    def refuse(status: int, message: str) -> JSONResponse:
        return JSONResponse({"error": message}, status_code=status)

    def ok(request: Request) -> bool:
        return policy.allows(request.headers, request.query_params)

    add_page(app, STATIC, STATIC_FILES)

    @app.get("/api/items")
    def items(request: Request):
        if not ok(request):
            return refuse(401, "unauthorized: missing or wrong token")
        return {"items": [{**s, "video": f"/video/{n}"} for n, s in enumerate(store.state())], "counts": store.counts()}

    @app.get("/video/{n}")
    def video(n: int, request: Request):
        if not ok(request):
            return refuse(401, "unauthorized: missing or wrong token")
        if not 0 <= n < len(ids) or not videos[ids[n]].is_file():
            return refuse(404, "no such video")
        return FileResponse(videos[ids[n]], media_type="video/mp4" if videos[ids[n]].suffix == ".mp4" else None)

    @app.post("/api/decide")
    async def decide(request: Request):
        if not ok(request):
            return refuse(401, "unauthorized: missing or wrong token")
        try:
            body = await request.json()
        except ValueError:
            return refuse(400, 'the body must be JSON: {"id", "decision", "edit"}')
        if not isinstance(body, dict) or not isinstance(body.get("id"), str):
            return refuse(400, 'expected {"id": str, "decision": "accept" | "edit" | "reject", "edit": {...}}')
        reviewer = body.get("reviewer", "")
        if not isinstance(reviewer, str) or not REVIEWER.match(reviewer):
            return refuse(400, "reviewer: up to 64 letters, digits, '-' or '_'")
        try:
            entry = await asyncio.to_thread(store.decide, body["id"], body.get("decision"), body.get("edit"), reviewer)
        except KeyError as e:
            return refuse(404, str(e.args[0]))
        except ValueError as e:
            return refuse(400, str(e))
        return {"decision": entry["decision"], "record": store.record(body["id"]), "counts": store.counts()}

    @app.post("/api/export")
    async def export(request: Request):
        if not ok(request):
            return refuse(401, "unauthorized: missing or wrong token")
        return await asyncio.to_thread(store.export)

    return Guard(app, policy)
