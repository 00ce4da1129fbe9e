"""The arena page in real headless Chromium: a vote by click and one by keyboard each land in the database
once, model names never reach the page, two browsers vote at once without losing a vote, and the API
refuses what it should (no token, unknown task, another origin). Skipped, saying why, without Chromium."""

from __future__ import annotations

import threading

import httpx
import pytest

pytest.importorskip("fastapi")
pytest.importorskip("selenium")

from test_browser import CHROMIUM, DRIVER, by, chromium, wait  # noqa: E402

pytestmark = pytest.mark.skipif(not (CHROMIUM and DRIVER), reason="needs chromium and chromedriver (apt-get install "
                                "chromium chromium-driver)")
MODELS = ("oracle", "eager", "silent")
NAMES = tuple(f"zq-{m}-run" for m in MODELS)  # run folder = model name; unlike any word a page shows


@pytest.fixture(scope="module")
def arena(small_bench, tmp_path_factory):
    from typer.testing import CliRunner

    from streampro.arena.runs import load_runs, shared_questions
    from streampro.cli import app
    from streampro.data.schema import load_items

    out = tmp_path_factory.mktemp("arena_page")
    for m, name in zip(MODELS, NAMES, strict=True):
        r = CliRunner().invoke(app, ["eval", "--model", m, "--bench", str(small_bench), "--out", str(out / name),
                                     "--no-report"])
        assert r.exit_code == 0, r.output
    items = load_items(small_bench)
    runs = load_runs([out / name for name in NAMES], items)
    return runs, shared_questions(runs, items[:6]), out


def start(arena, db, token="t0k"):
    from test_serve import Uvicorn

    from streampro.arena.app import create_arena_app
    from streampro.arena.store import VoteStore

    runs, items, _ = arena
    store = VoteStore(db)
    return Uvicorn(create_arena_app(runs, items, store, token)), store


def page_text(driver) -> str:
    return driver.execute_script("return document.documentElement.outerHTML")


def test_votes_by_click_and_keyboard_land_once_and_names_stay_hidden(arena, tmp_path):
    from selenium.webdriver.common.by import By

    srv, store = start(arena, tmp_path / "votes.sqlite")
    with srv, chromium(tmp_path) as driver:
        driver.get(f"{srv.url}/?token=t0k")
        wait(driver, lambda d: by(d, "#question span") and d.find_element(By.ID, "question").text)
        assert "token" not in driver.current_url
        seen_html = [page_text(driver)]
        first_q = driver.find_element(By.ID, "question").text
        by(driver, ".votes button[data-vote=A]")[0].click()
        wait(driver, lambda d: store.count() == 1)
        wait(driver, lambda d: "your votes: 1" in d.find_element(By.ID, "status").text)
        seen_html.append(page_text(driver))
        driver.find_element(By.TAG_NAME, "body").send_keys("t")  # keyboard: tie
        wait(driver, lambda d: store.count() == 2)
        # the page ignores keys while it loads the next pair (no double votes); its status line changes with it
        wait(driver, lambda d: "your votes: 2" in d.find_element(By.ID, "status").text)
        driver.find_element(By.TAG_NAME, "body").send_keys("4")  # keyboard: both bad
        wait(driver, lambda d: store.count() == 3)
        wait(driver, lambda d: "your votes: 3" in d.find_element(By.ID, "status").text)
        seen_html.append(page_text(driver))
        assert [v.vote for v in store.votes()] == ["left", "tie", "both_bad"]
        assert first_q
        # the video of the task plays from the server (token in its URL), and a response seeks it
        src = driver.execute_script("return document.getElementById('video').currentSrc")
        assert "/video/" in src and httpx.get(src).status_code == 200
        # no model name anywhere in what the page holds (the run folders are named after the models)
        for html in seen_html:
            for name in NAMES:
                assert name not in html, name
        annotators = store.by_annotator()
        assert len(annotators) == 1 and next(iter(annotators)).startswith("a-")
        # the same browser keeps its annotator id across a reload
        driver.get(f"{srv.url}/")
        wait(driver, lambda d: d.find_element(By.ID, "question").text)
        by(driver, ".votes button[data-vote=B]")[0].click()
        wait(driver, lambda d: store.count() == 4)
        assert list(store.by_annotator().values()) == [4]


def test_two_browsers_vote_at_once_without_loss_and_the_api_refuses_bad_requests(arena, tmp_path):
    from selenium.webdriver.common.by import By

    srv, store = start(arena, tmp_path / "votes.sqlite")
    with srv:
        api = httpx.Client(base_url=srv.url, headers={"Authorization": "Bearer t0k"})
        assert httpx.get(f"{srv.url}/api/next?annotator=x").status_code == 401
        assert api.post("/api/vote", json={"task": "nope", "vote": "A", "annotator": "x"}).status_code == 404
        task = api.get("/api/next?annotator=api-1").json()
        assert set(task) == {"task", "question", "query_time", "duration", "video", "A", "B", "votes"}
        assert not any(name in str(task) for name in NAMES)
        assert api.post("/api/vote", json={"task": task["task"], "vote": "C", "annotator": "x"}).status_code == 400
        r1 = api.post("/api/vote", json={"task": task["task"], "vote": "B", "annotator": "api-1"}).json()
        r2 = api.post("/api/vote", json={"task": task["task"], "vote": "B", "annotator": "api-1"}).json()
        assert r1["recorded"] is True and r2["recorded"] is False and store.count() == 1  # a repeated submit
        cross = api.post("/api/vote", json={"task": task["task"], "vote": "A", "annotator": "x"},
                         headers={"Origin": "http://127.0.0.1:9999"})
        assert cross.status_code == 403  # a page on another origin cannot post votes
        assert api.get(f"/video/{task['task']}").headers["content-type"] == "video/mp4"
        assert httpx.get(f"{srv.url}/video/{task['task']}").status_code == 401

        done = {}

        def annotate(k, n=6):
            (tmp_path / f"b{k}").mkdir()
            with chromium(tmp_path / f"b{k}") as driver:
                driver.get(f"{srv.url}/?token=t0k")
                for i in range(n):
                    wait(driver, lambda d, i=i: f"your votes: {i}" in d.find_element(By.ID, "status").text)
                    driver.find_element(By.TAG_NAME, "body").send_keys("a" if (i + k) % 2 else "b")
                wait(driver, lambda d: f"your votes: {n}" in d.find_element(By.ID, "status").text)
                done[k] = True

        threads = [threading.Thread(target=annotate, args=(k,)) for k in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
        assert done == {0: True, 1: True}
        assert store.count() == 1 + 12
        assert sorted(store.by_annotator().values()) == [1, 6, 6]
