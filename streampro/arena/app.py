"""``streampro arena serve``: the annotation page and its small JSON API.

- ``GET /api/next?annotator=ID`` hands out the next comparison under a random task token: the question,
  its video (``/video/TOKEN``) and the two response streams as ``A`` and ``B``. Which model is A is kept in
  the database; no model name ever reaches the page.
- ``POST /api/vote {"task", "vote": "A" | "B" | "tie" | "both_bad", "annotator"}`` records the vote once.
- Everything but the page itself needs the token (``Authorization: Bearer`` or ``?token=``); the same
  :class:`~streampro.web.security.Guard` as ``streampro serve`` checks ``Host`` and ``Origin`` and sets the CSP.
  The server opens no file but the videos of the benchmark it was started with.
"""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, JSONResponse

from ..data.schema import Item
from ..web.security import AccessPolicy, Guard, add_page
from .runs import ArenaRun
from .schedule import Scheduler
from .store import ArenaError, VoteStore

STATIC = Path(__file__).with_name("static")
STATIC_FILES = {"arena.js": "text/javascript", "arena.css": "text/css"}
ANNOTATOR = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
SIDES = {"A": "left", "B": "right", "tie": "tie", "both_bad": "both_bad"}


def create_arena_app(runs: dict[str, ArenaRun], items: list[Item], store: VoteStore, token: str | None,
                     loopback: bool = True, allow_origins: tuple[str, ...] = (), seed: int = 0):
    by_id = {it.id: it for it in items}
    sched = Scheduler(list(runs), [it.id for it in items], seed)
    for q, left, right in store.tasks():
        sched.seen(q, left, right)
    policy = AccessPolicy(token=token, loopback_only_hosts=loopback, allow_origins=allow_origins)
    app = FastAPI(title="StreamPro arena", docs_url=None, redoc_url=None, openapi_url=None)

    def authorized(request: Request) -> bool:
        return policy.allows(request.headers, request.query_params)

    def refuse(status: int, message: str) -> JSONResponse:
        return JSONResponse({"error": message}, status_code=status)

    def annotator_of(value) -> str | None:
        return value if isinstance(value, str) and ANNOTATOR.match(value) else None

    add_page(app, STATIC, STATIC_FILES)

    @app.get("/health")
    def health() -> dict:
        return {"status": "ok", "questions": len(items), "models": len(runs)}

    @app.get("/api/next")
    def next_task(request: Request):
        if not authorized(request):
            return refuse(401, "unauthorized: missing or wrong token")
        annotator = annotator_of(request.query_params.get("annotator"))
        if annotator is None:
            return refuse(400, "annotator: 1-64 letters, digits, '-' or '_'")
        q, left, right = sched.next()
        task = store.issue(q, left, right, annotator)
        it = by_id[q]

        def stream(model: str) -> list[dict]:
            return [{"t": p.t, "text": p.text} for p in sorted(runs[model].predictions.get(q, []), key=lambda p: p.t)]

        return {"task": task, "question": it.question, "query_time": it.query_time, "duration": it.duration,
                "video": f"/video/{task}", "A": stream(left), "B": stream(right), "votes": store.count()}

    @app.get("/video/{task}")
    def video(task: str, request: Request):
        if not authorized(request):
            return refuse(401, "unauthorized: missing or wrong token")
        found = store.task(task)
        if found is None or found[0] not in by_id:
            return refuse(404, "unknown task")
        path = Path(by_id[found[0]].video)
        if not path.is_file():
            return refuse(404, f"the video of question {found[0]} is missing on the server")
        return FileResponse(path, media_type="video/mp4" if path.suffix == ".mp4" else None)

    @app.post("/api/vote")
    async def vote(request: Request):
        if not authorized(request):
            return refuse(401, "unauthorized: missing or wrong token")
        try:
            body = await request.json()
        except ValueError:
            return refuse(400, "the body must be JSON: {task, vote, annotator}")
        if not isinstance(body, dict) or body.get("vote") not in SIDES or not isinstance(body.get("task"), str):
            return refuse(400, f'expected {{"task": str, "vote": one of {list(SIDES)}, "annotator": str}}')
        annotator = annotator_of(body.get("annotator"))
        if annotator is None:
            return refuse(400, "annotator: 1-64 letters, digits, '-' or '_'")
        try:
            recorded = await asyncio.to_thread(store.vote, body["task"], SIDES[body["vote"]], annotator)
        except ArenaError as e:
            return refuse(404 if "unknown task" in str(e) else 400, str(e))
        return {"recorded": recorded, "votes": store.count()}

    return Guard(app, policy)
