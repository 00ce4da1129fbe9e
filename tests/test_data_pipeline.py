"""`streampro data build` end to end against a world-backed VLM/LLM on loopback (tests/world_backend.py):
the items it builds from generated videos are the world's own; seeded errors are fixed or dropped by the
discriminator loop; bad backends, a broken video and a kill -9 lose nothing and never repeat a call."""

import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner
from world_backend import WorldHandler, serve_world

from streampro.cli import app
from streampro.data.calls import CallCache, Caller
from streampro.data.generate import generate_split
from streampro.data.replies import Captions, Shots, parse_reply
from streampro.data.schema import load_items

run = CliRunner().invoke


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    root = tmp_path_factory.mktemp("world")
    generate_split(root, "test", 14, seed=3, progress=False)
    items = load_items(root / "items.jsonl")
    url, srv = serve_world(items, root)
    yield root, items, url
    srv.shutdown()
    srv.server_close()


def reset(**knobs):
    from collections import Counter

    WorldHandler.mode, WorldHandler.shift, WorldHandler.stubborn, WorldHandler.hallucinate = "ok", {}, set(), set()
    WorldHandler.seen, WorldHandler.kinds = Counter(), Counter()
    for k, v in knobs.items():
        setattr(WorldHandler, k, v)


def args(root, url, out, *extra):
    return ["data", "build", str(root / "videos"), "--out", str(out), "--vlm", url, "--vlm-model", "world",
            "--llm", url, "--llm-model", "world", "--min-transitions", "0", "--frame-size", "112", "--window-s", "16",
            *extra]


def _key(rec):
    return rec["question"], json.dumps(rec["answers"], sort_keys=True)


def test_build_recovers_the_world_items_fixes_a_shift_and_drops_what_cannot_be_fixed(world, tmp_path):
    root, items, url = world
    gen = [it for it in items if it.task != "RF"]
    shifted, stubborn, fake = gen[0], gen[1], Path(gen[2].video).stem
    reset(shift={shifted.id: 2.0, stubborn.id: 3.0}, stubborn={stubborn.id}, hallucinate={fake})
    out = tmp_path / "build"
    r = run(app, args(root, url, out))
    assert r.exit_code == 0, r.output
    built = [json.loads(line) for line in (out / "items.jsonl").read_text().splitlines()]
    truth = {_key(it.to_json() | {"answers": [{k: v for k, v in a.to_json().items() if k != "outcome_time"}
                                               for a in it.answers]}) for it in gen}
    got = {_key(b) for b in built}
    # every world item but the one the generator would not fix is recovered exactly (question, times, text,
    # slots): match rate 11/12; RF is never generated
    assert got <= truth and len(truth - got) == 1 and len(got) == len(gen) - 1
    assert all(b["task"] != "RF" for b in built)
    dropped = {d["id"]: d for d in map(json.loads, (out / "dropped.jsonl").read_text().splitlines())}
    # the shifted item was rejected once by the discriminator, revised, and kept with the world's times
    summary = json.loads((out / "summary.json").read_text())
    assert summary["revised_then_kept"] == 1 and WorldHandler.kinds["revise"] >= 1
    # the stubborn one: three checks, two revisions, then dropped with every round's feedback
    stub = next(d for d in dropped.values() if d["record"]["question"] == stubborn.question)
    assert stub["reason"] == "still rejected after 3 round(s)" and [f["round"] for f in stub["feedback"]] == [1, 2, 3]
    assert stub["feedback"][0]["problems"][0]["field"] == "answers[0]"
    # the hallucinated question: not fixable, dropped after one check
    fake_q = next(d for d in dropped.values() if "purple hexagon" in d["record"]["question"])
    assert fake_q["reason"] == "not fixable" and len(fake_q["feedback"]) == 1
    # RF videos go to people: one CSV row each, in the hand-annotation layout
    rf_rows = list(csv.DictReader((out / "rf_annotate.csv").open()))
    assert sorted(Path(r["video"]).stem for r in rf_rows) == sorted(Path(it.video).stem for it in items if it.task == "RF")
    # the built set is a benchmark: the oracle scores 100 on it (best matching), and it trains and evaluates
    bench = out / "items.jsonl"
    r = run(app, ["eval", "--bench", str(bench), "--model", "oracle", "--out", str(tmp_path / "ev"), "--matching", "best",
                  "--no-report"])
    assert r.exit_code == 0, r.output
    assert json.loads((tmp_path / "ev" / "summary.json").read_text())["f1"]["wavg"] == pytest.approx(100.0)
    r = run(app, ["train", "sft", "--train", str(bench), "--out", str(tmp_path / "sft"), "--steps", "2", "--batch-size", "2"])
    assert r.exit_code == 0, r.output
    r = run(app, ["eval", "--bench", str(bench), "--model", f"small:{tmp_path / 'sft' / 'final'}", "--out",
                  str(tmp_path / "ev2"), "--no-report"])
    assert r.exit_code == 0, r.output
    # a rerun asks nothing: every reply comes from the cache
    before = sum(WorldHandler.seen.values())
    r = run(app, args(root, url, out))
    assert r.exit_code == 0 and sum(WorldHandler.seen.values()) == before, r.output
    assert (out / "items.jsonl").read_text() == bench.read_text()
    assert max(WorldHandler.seen.values()) == 1  # no request was ever sent twice


def test_dry_run_calls_nothing_and_counts_the_calls(world, tmp_path):
    root, items, url = world
    reset()
    r = run(app, ["data", "build", str(root / "videos"), "--out", str(tmp_path / "d"), "--dry-run", "--window-s", "16"])
    assert r.exit_code == 0, r.output
    n_videos = len({it.video for it in items})
    # per video: one RF scene check, 2 caption windows (videos of 16-32 s), 6 synthesis calls
    assert f"{n_videos} video(s)" in r.output and f"rf_scene {n_videos}" in r.output and f"synthesize {6 * n_videos}" in r.output
    assert not WorldHandler.seen and not (tmp_path / "d").exists()


def test_unusable_replies_failing_and_slow_backends_and_a_broken_video(world, tmp_path):
    root, items, url = world
    videos = tmp_path / "videos"
    shutil.copytree(root / "videos", videos)
    (videos / "broken.mp4").write_bytes(os.urandom(2000))
    base = ["data", "build", str(videos), "--vlm", url, "--vlm-model", "w", "--llm", url, "--llm-model", "w",
            "--min-transitions", "0", "--frame-size", "112", "--task", "OU", "--retries", "1"]
    # garbage: every reply is prose; each call is asked twice (the retry quotes the reason), then recorded
    reset(mode="garbage")
    r = run(app, [*base, "--out", str(tmp_path / "g")])
    assert r.exit_code == 0, r.output
    s = json.loads((tmp_path / "g" / "summary.json").read_text())
    n_videos = len({it.video for it in items})
    # one failure per caption window (1 or 2 per video), none later: no synthesis from no captions
    assert s["kept"] == 0 and set(s["failures"]) == {"captions"} and s["failures"]["captions"] >= n_videos
    assert s["calls"]["vlm"]["unusable_replies"] == s["calls"]["vlm"]["calls"] == 2 * s["failures"]["captions"]
    assert s["calls"]["llm"]["calls"] == 0
    failures = [json.loads(line) for line in (tmp_path / "g" / "failures.jsonl").read_text().splitlines()]
    assert "holds no JSON object" in failures[0]["reason"]
    videos_out = {Path(v["video"]).name: v for v in map(json.loads, (tmp_path / "g" / "videos.jsonl").read_text().splitlines())}
    assert not videos_out["broken.mp4"]["kept"] and videos_out["broken.mp4"]["reason"].startswith("cannot decode")
    # HTTP 500: the endpoint is down after its retries; one line, and what was cached is kept
    reset(mode="fail")
    r = run(app, [*base, "--out", str(tmp_path / "f")])
    assert r.exit_code == 2 and "failed after" in r.output and "rerun the same command" in r.output
    assert "Traceback" not in r.output
    # slow: a reply later than --timeout is the same failure
    reset(mode="slow")
    t = time.monotonic()
    r = run(app, [*base, "--out", str(tmp_path / "s"), "--timeout", "0.3"])
    assert r.exit_code == 2 and "ReadTimeout" in r.output and time.monotonic() - t < 60


def test_kill_9_then_rerun_continues_without_repeating_a_call(world, tmp_path):
    root, items, url = world
    reset()
    clean = tmp_path / "clean"
    assert run(app, args(root, url, clean)).exit_code == 0
    n_clean = sum(WorldHandler.seen.values())
    reset()
    out = tmp_path / "killed"
    proc = subprocess.Popen([sys.executable, "-m", "streampro", *args(root, url, out)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while sum(WorldHandler.seen.values()) < n_clean // 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    done = sum(WorldHandler.seen.values())
    assert 0 < done < n_clean and not (out / "items.jsonl").exists()
    r = run(app, args(root, url, out))
    assert r.exit_code == 0, r.output
    # every answered call came from the cache; the only requests sent twice are those in flight at the kill (their
    # replies never reached the killed process): at most one per verification worker (--concurrency 4)
    repeated = [k for k, n in WorldHandler.seen.items() if n > 1]
    assert len(WorldHandler.seen) == n_clean and sum(WorldHandler.seen.values()) - n_clean == len(repeated) <= 4
    assert (out / "items.jsonl").read_text() == (clean / "items.jsonl").read_text().replace(str(clean), str(out))


def test_the_vlm_shot_filter_rejects_videos_with_too_few_transitions(world, tmp_path):
    root, items, url = world
    reset()
    # (the later --min-transitions wins over the one args() gives)
    r = run(app, args(root, url, tmp_path / "v", "--shots", "vlm", "--task", "OU", "--min-transitions", "1"))
    assert r.exit_code == 0, r.output
    rows = [json.loads(line) for line in (tmp_path / "v" / "videos.jsonl").read_text().splitlines()]
    n_videos = len({it.video for it in items})
    # one VLM call per video (frames spread over it), each answering 0 transitions: every video is rejected
    assert WorldHandler.kinds == {"shots": n_videos} and len(rows) == n_videos
    assert all(not r["kept"] and r["reason"] == "too few scene transitions (0 < 1)" for r in rows)
    assert json.loads((tmp_path / "v" / "summary.json").read_text())["videos"]["rejected"] == {"too few scene transitions": n_videos}


def test_replies_are_parsed_validated_and_retried(tmp_path):
    assert parse_reply('Sure!\n```json\n{"transitions": 3, "min_scene_s": 4.5}\n```', Shots).transitions == 3
    for bad, why in (("no json", "no JSON object"), ('{"transitions": -1, "min_scene_s": 1}', "transitions"),
                     ('{"events": [{"start": 1}]}', "events.0")):
        with pytest.raises(ValueError, match=why):
            parse_reply(bad, Shots if "transitions" in bad or bad == "no json" else Captions)

    class Backend:
        ident = "b"
        prompts: list = []

        def __call__(self, prompt, images=()):
            self.prompts.append(prompt)
            return "prose" if len(self.prompts) == 1 else '{"transitions": 1, "min_scene_s": 2}'

    b = Backend()
    c = Caller(b, CallCache(tmp_path / "calls.jsonl"), retries=2)
    assert c.ask("count the cuts", Shots).transitions == 1
    assert "could not be used: the reply holds no JSON object" in b.prompts[1]
    again = Caller(b, CallCache(tmp_path / "calls.jsonl"))
    assert again.ask("count the cuts", Shots).transitions == 1 and len(b.prompts) == 2  # both answers cached


def test_scene_detection_counts_cuts_and_rejects_short_scenes(tmp_path):
    from streampro.data.filtering import FilterSettings, detect_shots, keep_reason
    from streampro.data.video import write_video

    # 3 still scenes x 4 s at 8 fps, each a texture of its own colour (a flat colour has no content to compare)
    rng = np.random.default_rng(0)
    frames = np.concatenate([np.repeat((rng.integers(0, 255, (1, 64, 64, 3)) // 3 + np.array(c) // 2).astype(np.uint8),
                                       32, 0) for c in ((200, 30, 30), (30, 200, 30), (30, 30, 200))])
    write_video(tmp_path / "cuts.mp4", frames, 8)
    stats = detect_shots(tmp_path / "cuts.mp4", 12.0)
    assert stats.transitions == 2 and stats.min_scene_s == pytest.approx(4.0, abs=0.2)
    assert keep_reason(stats, FilterSettings(min_transitions=2, min_scene_s=3)) is None
    assert keep_reason(stats, FilterSettings(min_transitions=3)).startswith("too few scene transitions")
    assert keep_reason(stats, FilterSettings(min_transitions=1, min_scene_s=5)).startswith("a scene is too short")
