"""Bad inputs from ../shared/reliability-cases.md run through the real CLI (a subprocess, as a user runs it):
each gets exit status 2 and one line saying what, where and how to fix — or a correct result — and nothing
written earlier is lost. The case numbers are the file's."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import typer

from streampro.cli_common import run_cli


def cli(*args, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    env.pop("STREAMPRO_DEBUG", None)
    return subprocess.run([sys.executable, "-m", "streampro", *map(str, args)], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=300)


def one_line_error(r: subprocess.CompletedProcess, *expect: str) -> str:
    assert r.returncode == 2, (r.returncode, r.stdout[-2000:], r.stderr[-2000:])
    # a progress bar may share the error's line (tqdm ends without a newline): take the text from "error: "
    errors = ["error: " + part.split("\n")[0] for part in r.stderr.split("error: ")[1:]]
    assert len(errors) == 1 and "Traceback" not in r.stderr, r.stderr[-3000:]
    for e in expect:
        assert e in errors[0], errors[0]
    return errors[0]


@pytest.fixture(scope="module")
def g14(tmp_path_factory):
    """The reliability cases' scratch folder: a 14-question world split and an oracle eval of it."""
    root = tmp_path_factory.mktemp("g14")
    assert cli("generate", "--n-items", "14", "--out", "g14", cwd=root).returncode == 0
    r = cli("eval", "--model", "oracle", "--bench", "g14/items.jsonl", "--out", "e1", "--no-report", cwd=root)
    assert r.returncode == 0, r.stderr[-2000:]
    return root


def test_score_never_overwrites_another_runs_predictions(g14):  # case 2.19: data loss
    root = g14
    before = (root / "e1/predictions.jsonl").read_text()
    (root / "other.jsonl").write_text("".join(before.splitlines(keepends=True)[:5]))
    r = cli("score", "--bench", "g14/items.jsonl", "--predictions", "other.jsonl", "--out", "e1", cwd=root)
    one_line_error(r, "already holds another run's predictions", "--overwrite")
    assert (root / "e1/predictions.jsonl").read_text() == before
    # rescoring the run's own predictions in place is fine
    r = cli("score", "--bench", "g14/items.jsonl", "--predictions", "e1/predictions.jsonl", "--out", "e1", "--no-report",
            cwd=root)
    assert r.returncode == 0 and (root / "e1/predictions.jsonl").read_text() == before


def test_an_eval_folder_belongs_to_one_model(g14, tmp_path):  # case 1.42: silent scored 100 from oracle's run
    root = g14
    shutil.copytree(root / "e1", tmp_path / "e2")
    r = cli("eval", "--model", "silent", "--bench", "g14/items.jsonl", "--out", tmp_path / "e2", "--no-report", cwd=root)
    one_line_error(r, 'model: "oracle" -> "silent"', "--overwrite")
    assert (tmp_path / "e2/predictions.jsonl").read_text() == (root / "e1/predictions.jsonl").read_text()
    r = cli("eval", "--model", "silent", "--bench", "g14/items.jsonl", "--out", tmp_path / "e2", "--no-report",
            "--overwrite", cwd=root)
    assert r.returncode == 0, r.stderr[-2000:]
    assert json.loads((tmp_path / "e2/summary.json").read_text())["f1"]["wavg"] == 0.0
    # the same settings resume (nothing to stream, same numbers)
    r = cli("eval", "--model", "silent", "--bench", "g14/items.jsonl", "--out", tmp_path / "e2", "--no-report", cwd=root)
    assert r.returncode == 0 and json.loads((tmp_path / "e2/run.json").read_text())["settings"]["model"] == "silent"


def test_duplicate_prediction_ids_are_refused_with_their_lines(g14):  # case 2.14: last line won silently
    root = g14
    lines = (root / "e1/predictions.jsonl").read_text().splitlines(keepends=True)
    (root / "dup.jsonl").write_text("".join(lines + lines[:1]))
    r = cli("score", "--bench", "g14/items.jsonl", "--predictions", "dup.jsonl", "--out", "s_dup", cwd=root)
    one_line_error(r, f"dup.jsonl:{len(lines) + 1}", "dup.jsonl:1", "one line per question")


def test_bench_files_that_are_not_utf8_or_not_files(g14):  # cases 1.18, 1.19, 1.20, 1.25
    root = g14
    good = (root / "g14/items.jsonl").read_text().splitlines(keepends=True)
    (root / "g14/binary.jsonl").write_bytes(bytes(range(128, 256)) * 32)
    one_line_error(cli("eval", "--bench", "g14/binary.jsonl", "--out", "x1", cwd=root), "not UTF-8", "binary.jsonl:1")
    one_line_error(cli("eval", "--bench", "g14/binary.jsonl", "--out", "x1", "--skip-bad", cwd=root), "no items")
    latin = good[0].replace('"question": "', '"question": "caf\u00e9 ').encode("latin-1") + "".join(good[1:]).encode()
    (root / "g14/latin1.jsonl").write_bytes(latin)
    one_line_error(cli("eval", "--bench", "g14/latin1.jsonl", "--out", "x2", cwd=root), "latin1.jsonl:1", "not UTF-8")
    r = cli("eval", "--bench", "g14/latin1.jsonl", "--out", "x2", "--skip-bad", "--no-report", cwd=root)
    assert r.returncode == 0 and "skipped: " in r.stderr
    assert json.loads((root / "x2/summary.json").read_text())["f1"]["n"] == len(good) - 1
    (root / "g14/bom.jsonl").write_bytes(b"\xef\xbb\xbf" + "".join(good).encode())
    r = cli("eval", "--bench", "g14/bom.jsonl", "--out", "x3", "--no-report", "--matching", "best", cwd=root)
    assert r.returncode == 0 and json.loads((root / "x3/summary.json").read_text())["f1"]["wavg"] == 100.0
    one_line_error(cli("eval", "--bench", "g14", "--out", "x4", cwd=root), "is a folder", "g14/items.jsonl")
    (root / "afile").write_text("x")
    one_line_error(cli("eval", "--bench", "g14/items.jsonl", "--out", "afile", cwd=root), "--out afile", "is a file")


def test_training_configs_are_validated_and_a_run_folder_keeps_its_settings(g14):  # cases 6.1-6.19, 3.14
    root = g14
    cfg = root / "cfg"
    cfg.mkdir(exist_ok=True)
    (cfg / "typo.yaml").write_text("train: g14/items.jsonl\nlearning_rate: 0.1\n")
    one_line_error(cli("train", "sft", "--config", cfg / "typo.yaml", cwd=root), "unknown SFTConfig field 'learning_rate'",
                   "did you mean 'lr'")
    (cfg / "type.yaml").write_text('train: g14/items.jsonl\nlr: "fast"\n')
    one_line_error(cli("train", "sft", "--config", cfg / "type.yaml", cwd=root), "field 'lr' must be float", "'fast'")
    (cfg / "bad.yaml").write_text("train: [g14/items.jsonl\n")
    one_line_error(cli("train", "sft", "--config", cfg / "bad.yaml", cwd=root), "not valid YAML")
    (cfg / "list.yaml").write_text("- 1\n- 2\n")
    one_line_error(cli("train", "sft", "--config", cfg / "list.yaml", cwd=root), "expected a mapping")
    one_line_error(cli("train", "sft", "--config", cfg / "missing.yaml", cwd=root), "no such file")
    one_line_error(cli("train", "grpo", "--config", cfg / "typo.yaml", cwd=root), "unknown GRPOConfig field")

    small = ["--train", "g14/items.jsonl", "--out", "s1", "--steps", "2", "--batch-size", "2"]
    r = cli("train", "sft", *small, "--loss", "cb", cwd=root)
    assert r.returncode == 0, r.stderr[-2000:]
    weights = sorted((root / "s1/final").iterdir())
    before = {p.name: p.read_bytes() for p in weights if p.is_file()}
    log = (root / "s1/log.jsonl").read_text()
    r = cli("train", "sft", *small, "--loss", "cb", cwd=root)  # the same finished run again: nothing redone
    assert r.returncode == 0 and "already holds this run's trained model" in r.stdout, r.stderr[-2000:]
    assert (root / "s1/log.jsonl").read_text() == log
    assert {p.name: p.read_bytes() for p in weights if p.is_file()} == before
    r = cli("train", "sft", *small, "--loss", "cb", "--overwrite", cwd=root)  # asked for: trained again, from 0
    assert r.returncode == 0 and "saved" in r.stdout, r.stderr[-2000:]
    steps = [json.loads(line)["step"] for line in (root / "s1/log.jsonl").read_text().splitlines() if '"loss"' in line]
    assert steps == sorted(set(steps)) and steps[0] == 0, steps  # one fresh log, not the old one appended to
    one_line_error(cli("train", "sft", *small, "--loss", "ce", cwd=root), 'loss: "cb" -> "ce"', "--overwrite")
    assert {p.name: p.read_bytes() for p in weights if p.is_file()} == before
    r = cli("train", "sft", *small, "--loss", "ce", "--overwrite", cwd=root)
    assert r.returncode == 0, r.stderr[-2000:]
    assert json.loads((root / "s1/run.json").read_text())["config"]["loss"] == "ce"


def test_an_unexpected_error_is_one_line_with_status_3_and_debug_shows_the_traceback(capsys, monkeypatch):
    app = typer.Typer()

    @app.command()
    def boom(n: int = 1) -> None:
        raise RuntimeError(f"something broke {n}")

    @app.command()
    def missing() -> None:
        open("/no/such/streampro/file")

    monkeypatch.delenv("STREAMPRO_DEBUG", raising=False)
    with pytest.raises(SystemExit) as e:
        run_cli(app, ["boom", "--n", "7"])
    assert e.value.code == 3
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "unexpected RuntimeError: something broke 7" in err and "--debug" in err
    with pytest.raises(SystemExit) as e:
        run_cli(app, ["missing"])
    assert e.value.code == 2 and "/no/such/streampro/file: no such file or folder" in capsys.readouterr().err
    with pytest.raises(RuntimeError, match="something broke"):
        run_cli(app, ["boom", "--debug"])


def items_of(path: Path) -> list[dict]:
    return [json.loads(x) for x in path.read_text().splitlines() if x.strip()]


def write_items(path: Path, records: list[dict]) -> None:
    path.write_text("".join(json.dumps(r) + "\n" for r in records))


def test_skipped_questions_are_retried_and_a_torn_skip_file_is_repaired(g14, tmp_path):  # cases 1.40, 3.18, 2.20
    root = g14
    recs = items_of(root / "g14/items.jsonl")
    bench = tmp_path / "b"
    (bench / "videos").mkdir(parents=True)
    for r in recs:
        shutil.copy(root / "g14" / r["video"], bench / "videos")
    write_items(bench / "items.jsonl", recs)
    victim = bench / recs[0]["video"]
    hidden = tmp_path / "hidden.mp4"
    victim.rename(hidden)
    r = cli("eval", "--bench", bench / "items.jsonl", "--out", tmp_path / "run", "--skip-bad", "--no-report", cwd=root)
    assert r.returncode == 0, r.stderr[-2000:]
    summary = json.loads((tmp_path / "run/summary.json").read_text())
    assert summary["skipped"] and summary["f1"]["n"] < len(recs)
    hidden.rename(victim)  # the video is fixed: a rerun answers the skipped questions
    r = cli("eval", "--bench", bench / "items.jsonl", "--out", tmp_path / "run", "--no-report", "--matching", "best",
                cwd=root)
    assert r.returncode == 0, r.stderr[-2000:]
    summary = json.loads((tmp_path / "run/summary.json").read_text())
    assert summary["skipped"] == [] and summary["f1"]["n"] == len(recs) and summary["f1"]["wavg"] == 100.0
    # a torn last line of skipped.jsonl (a crash mid-write) is repaired and counts for nothing
    with (tmp_path / "run/skipped.jsonl").open("a") as f:
        f.write(json.dumps({"id": recs[1]["id"]})[:-1] + ', "rea')
    r = cli("eval", "--bench", bench / "items.jsonl", "--out", tmp_path / "run", "--no-report", "--matching", "best",
                cwd=root)
    assert r.returncode == 0, r.stderr[-2000:]
    summary = json.loads((tmp_path / "run/summary.json").read_text())
    assert summary["skipped"] == [] and summary["f1"]["wavg"] == 100.0
    assert (tmp_path / "run/skipped.jsonl").read_text() == ""


def test_items_sharing_a_video_stream_at_their_own_fps_whatever_the_line_order(g14, tmp_path):  # case 1.24
    root = g14
    recs = items_of(root / "g14/items.jsonl")
    video = next(r["video"] for r in recs if r["task"] == "TG")
    pair = [dict(r) for r in recs if r["video"] == video]
    assert sorted(r["task"] for r in pair) == ["EU", "TG"]
    for r in pair:
        r["video"] = str(root / "g14" / r["video"])
        if r["task"] == "TG":
            r["fps"] = 0.25
    results = []
    for name, order in (("a", pair), ("b", pair[::-1])):
        write_items(tmp_path / f"{name}.jsonl", order)
        r = cli("eval", "--model", "reactive", "--bench", tmp_path / f"{name}.jsonl", "--out", tmp_path / f"o{name}",
                "--no-report", cwd=root)
        assert r.returncode == 0, r.stderr[-2000:]
        results.append({x["id"]: x["responses"] for x in items_of(tmp_path / f"o{name}/predictions.jsonl")})
    assert results[0] == results[1]
    tg = next(r["id"] for r in pair if r["task"] == "TG")
    assert results[0][tg] and all(x["t"] % 4 == 0 for x in results[0][tg])  # frames every 4 s at 0.25 fps


def test_a_duration_past_the_videos_end_is_refused(g14, tmp_path):  # cases 1.9, 1.10
    root = g14
    recs = items_of(root / "g14/items.jsonl")
    bad = dict(recs[0], video=str(root / "g14" / recs[0]["video"]), duration=recs[0]["duration"] + 100)
    write_items(tmp_path / "long.jsonl", [bad])
    one_line_error(cli("eval", "--bench", tmp_path / "long.jsonl", "--out", tmp_path / "o", cwd=root),
                   "the video ends at", f"runs to {bad['duration']:.1f} s", "--skip-bad")


def test_degenerate_settings_and_response_times_are_refused(g14, tmp_path):  # cases 6.7, 6.17, 1.27, 2.4-2.7
    root = g14
    one_line_error(cli("train", "sft", "--train", "g14/items.jsonl", "--out", tmp_path / "s", "--steps", "-5", cwd=root),
                   "'steps' must be >= 1")
    one_line_error(cli("train", "grpo", "--init", "x", "--train", "g14/items.jsonl", "--out", tmp_path / "g",
                       "--group-size", "1", cwd=root), "'group_size' must be >= 2", "advantage")
    one_line_error(cli("eval", "--model", "random", "--model-args", "window_frames=0", "--bench", "g14/items.jsonl",
                       "--out", tmp_path / "w", cwd=root), "window_frames=0", ">= 1")
    preds = items_of(root / "e1/predictions.jsonl")
    first = next(p for p in preds if p["responses"])
    for bad in (float("nan"), float("inf"), True, -1):
        broken = [dict(p, responses=[dict(first["responses"][0], t=bad)]) if p is first else p for p in preds]
        (tmp_path / "p.jsonl").write_text("".join(json.dumps(p) + "\n" for p in broken))
        one_line_error(cli("score", "--bench", "g14/items.jsonl", "--predictions", tmp_path / "p.jsonl", "--out",
                           tmp_path / f"sc{bad}", cwd=root), "finite number 't' >= 0", f"t={bad!r}")


def test_a_second_eval_on_a_busy_folder_stops_at_once(g14, tmp_path):  # case 3.4
    from streampro.bench.evaluate import lock_run

    (tmp_path / "busy").mkdir()
    held = lock_run(tmp_path / "busy")
    try:
        one_line_error(cli("eval", "--bench", "g14/items.jsonl", "--out", tmp_path / "busy", "--no-report", cwd=g14),
                       "another streampro process is writing to")
    finally:
        held.close()
    assert cli("eval", "--bench", "g14/items.jsonl", "--out", tmp_path / "busy", "--no-report", cwd=g14).returncode == 0


def test_a_judge_that_never_answers_fails_fast_and_keeps_the_predictions(g14, tmp_path):  # case 5.10
    import socket
    import threading
    import time

    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(64)
    port = srv.getsockname()[1]
    held, stop = [], threading.Event()

    def accept():  # accepts connections and never answers
        srv.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(srv.accept()[0])
            except OSError:
                continue

    t = threading.Thread(target=accept, daemon=True)
    t.start()
    try:
        start = time.monotonic()
        r = cli("eval", "--bench", "g14/items.jsonl", "--out", tmp_path / "j", "--judge", "llm", "--judge-url",
                f"http://127.0.0.1:{port}/v1", "--judge-model", "m", "--judge-timeout", "0.5", "--judge-retries", "1",
                cwd=g14)
        elapsed = time.monotonic() - start
    finally:
        stop.set()
        t.join()
        for c in held:
            c.close()
        srv.close()
    one_line_error(r, "judge endpoint", "failed after 2 attempt(s)", "--llm-timeout")
    assert elapsed < 60, elapsed
    assert len(items_of(tmp_path / "j/predictions.jsonl")) == 14  # the streamed answers are kept for a rerun


def test_settings_that_crashed_or_trained_nothing_are_refused_in_one_line(g14, tmp_path):  # 6.8-6.22, 7.3, 7.5
    root = g14
    cfg = tmp_path / "cfg"
    cfg.mkdir()
    cases = {
        "temp0.yaml": ("init: x\ntemperature: 0\n", "grpo", "'temperature' must be > 0"),
        "reward.yaml": ("init: x\nreward_weights: {format: 0.1, trajectory: 0.9}\n", "grpo", "unknown reward(s) ['trajectory']"),
        "nanw.yaml": ("init: x\nreward_weights: {format: .nan, turn: 0.5, traj: 0.5}\n", "grpo",
                      "reward weight 'format' must be a finite number"),
        "taskw.yaml": ("init: x\ntask_weights: {GP: 3, XX: 1}\n", "grpo", "unknown task(s) ['XX'] in 'task_weights'"),
        "negw.yaml": ("init: x\ntask_weights: {GP: -1}\n", "grpo", "task weight 'GP' must be a finite number >= 0"),
        "turn.yaml": ("init: x\nturn_score: max\n", "grpo", "'turn_score' must be one of ('sum', 'product')"),
        "credit.yaml": ("init: x\ncredit: response\nresponse_credit: -1\n", "grpo", "'response_credit' must be >= 0"),
        "groupsize.yaml": ("init: x\ngroupsize: 4\n", "grpo", "did you mean 'group_size'"),
        "heads.yaml": ("train: g14/items.jsonl\nmodel: {d_model: 32, n_heads: 3}\n", "sft",
                       "model.d_model (32) must be a multiple of model.n_heads (3)"),
        "bogus.yaml": ("train: g14/items.jsonl\nmodel: {bogus: 1}\n", "sft", "unknown SmallConfig field 'bogus'"),
        "seed.yaml": ('train: g14/items.jsonl\nseed: "abc"\n', "sft", "field 'seed' must be int"),
        "save0.yaml": ("train: g14/items.jsonl\nsave_every: 0\n", "sft", "'save_every' must be >= 1"),
        "bs.yaml": ("train: g14/items.jsonl\nbatch_size: 1000\nsteps: 1\n", "sft", "batch_size 1000 exceeds the 14 training"),
    }
    for name, (text, kind, expect) in cases.items():
        (cfg / name).write_text(text)
        one_line_error(cli("train", kind, "--config", cfg / name, "--out", tmp_path / name, cwd=root), expect)
    for args, expect in ((["--n-items", "0"], "--n-items must be >= 1"), (["--fps", "0"], "--fps must be in"),
                         (["--size", "1"], "--size must be in"), (["--timing-spread", "0.5"], "timing_spread must be >= 1")):
        one_line_error(cli("generate", *args, "--out", tmp_path / "gen", cwd=root), expect)
    (tmp_path / "afile").write_text("keep me")
    for args in (["generate", "--n-items", "7"], ["score", "--bench", "g14/items.jsonl", "--predictions",
                                                  "e1/predictions.jsonl"], ["train", "sft", "--train", "g14/items.jsonl"]):
        r = cli(*args, "--out", tmp_path / "afile", cwd=root)
        one_line_error(r, "afile")
    assert (tmp_path / "afile").read_text() == "keep me"
    (tmp_path / "badrun").mkdir()
    (tmp_path / "badrun/summary.json").write_text("{not json")
    one_line_error(cli("report", tmp_path / "badrun", "--bench", "g14/items.jsonl", "--out", tmp_path / "rep", cwd=root),
                   "badrun/summary.json: not a scored run's summary", "streampro score")
    (tmp_path / "braces.txt").write_text('Reply as JSON {"score": n}. {question} {reference} -> {prediction}')
    (tmp_path / "unknown.txt").write_text("{answer} vs {prediction}")
    one_line_error(cli("score", "--bench", "g14/items.jsonl", "--predictions", "e1/predictions.jsonl", "--out",
                       tmp_path / "sj", "--judge", "llm", "--judge-url", "http://127.0.0.1:9/v1", "--judge-model", "m",
                       "--judge-prompt", tmp_path / "unknown.txt", cwd=root), "unknown placeholder(s) {answer}")
    from streampro.bench.judges import JudgeRequest, LLMJudge

    class Backend:
        ident = "fake"

        def __call__(self, prompt):
            return "Score: 5"

    j = LLMJudge(Backend(), tmp_path / "braces.txt")
    assert j.prompt(JudgeRequest("OU", "q?", "red", "red")) == 'Reply as JSON {"score": n}. q? red -> red'


def test_reproduce_keeps_its_sizes(g14, tmp_path):  # case 3.13
    from streampro.core.runs import write_manifest

    out = tmp_path / "rp"
    write_manifest(out, "config", {"n_train": 42, "n_test": 28, "sft_steps": 60, "grpo_steps": 4, "batch_size": 16,
                                   "perception_steps": 0, "n_val": 70})
    (out / "results.json").write_text("{}")
    one_line_error(cli("reproduce", "--out", out, cwd=g14), "n_train: 42 -> 1400", "--overwrite")
    assert (out / "results.json").read_text() == "{}"
    one_line_error(cli("reproduce", "--out", out, "--n-train", "3", cwd=g14), "--n-train must be >= 16")
    # a manifest from before the world's timing setting ran the original world: another spread is another run
    one_line_error(cli("reproduce", "--out", out, "--n-train", "42", "--n-test", "28", "--sft-steps", "60",
                       "--grpo-steps", "4", "--perception-steps", "0", "--timing-spread", "3", cwd=g14),
                   "timing_spread: 1.0 -> 3.0")


def test_damaged_checkpoints_fall_back_and_half_written_models_are_named(g14, tmp_path):  # cases 3.8-3.10
    root = g14
    args = ["train", "sft", "--train", "g14/items.jsonl", "--out", tmp_path / "s", "--steps", "3", "--batch-size", "2"]
    (tmp_path / "c.yaml").write_text("save_every: 1\n")
    r = cli(*args, "--config", tmp_path / "c.yaml", cwd=root)
    assert r.returncode == 0, r.stderr[-2000:]
    cks = sorted((tmp_path / "s").glob("checkpoint-*"))
    assert [c.name for c in cks] == ["checkpoint-1", "checkpoint-2"]
    (cks[1] / "trainer_state.json").write_text("")  # a torn write of the newest checkpoint
    final = tmp_path / "kept"
    (tmp_path / "s/final").rename(final)  # as if the run had stopped before its end: it resumes
    r = cli(*args, "--config", tmp_path / "c.yaml", cwd=root)
    assert r.returncode == 0 and "checkpoint-2 is damaged" in r.stderr and "resuming from checkpoint-1" in r.stderr
    shutil.rmtree(tmp_path / "s/final")
    for ck in (tmp_path / "s").glob("checkpoint-*"):
        weights = ck / "model.safetensors"
        weights.write_bytes(weights.read_bytes()[:100])  # cut in half: no checkpoint loads any more
        (ck / "trainer_state.json").write_text('{"step": 1}')
    one_line_error(cli(*args, "--config", tmp_path / "c.yaml", cwd=root), "is damaged", "no checkpoint in", "--overwrite")
    (final / "tokenizer.json").unlink()
    one_line_error(cli("eval", "--model", f"small:{final}", "--bench", "g14/items.jsonl", "--out", tmp_path / "ev",
                       cwd=root), "incomplete StreamPro-Small checkpoint, no tokenizer.json")


def test_streampro_small_streams_a_long_video_within_its_positions(tmp_path):  # case 1.39
    """A stream far longer than the model's learned positions: the default window keeps it inside them
    (before, the whole eval stopped with 'stream longer than max_positions')."""
    import numpy as np
    import torch

    from streampro.data.video import write_video
    from streampro.models.small import SmallConfig, StreamProSmall
    from streampro.models.tokenizer import build_tokenizer, world_vocabulary

    tok = build_tokenizer(world_vocabulary())
    torch.manual_seed(0)
    StreamProSmall(SmallConfig(vocab_size=tok.get_vocab_size(), d_model=32, n_layers=1, n_heads=2),
                   tok).save_pretrained(tmp_path / "small")
    write_video(tmp_path / "long.mp4", np.zeros((3000, 16, 16, 3), np.uint8), 1.0)  # the case's 3,000 frames
    item = {"id": "long-0", "video": "long.mp4", "fps": 1.0, "duration": 3000.0, "dimension": "perception",
            "task": "OU", "query_time": 0.0, "question": "Tell me each time the square changes colour.",
            "answers": [{"text": "red", "time": 1500.0}]}
    (tmp_path / "long.jsonl").write_text(json.dumps(item) + "\n")
    r = cli("eval", "--model", f"small:{tmp_path / 'small'}", "--bench", tmp_path / "long.jsonl", "--out",
            tmp_path / "ev", "--no-report", cwd=tmp_path)
    assert r.returncode == 0, r.stderr[-2000:]
    from streampro.models.registry import SMALL_WINDOW

    assert SMALL_WINDOW == 200  # the default when --model-args gives none


def test_os_errors_at_the_cli_are_one_line_with_the_path(capsys, monkeypatch):  # cases 7.2-7.4, 3.17
    import errno

    app = typer.Typer()

    @app.command()
    def write(kind: str) -> None:
        if kind == "perm":
            raise PermissionError(errno.EPERM, "Operation not permitted", "ro2/items.jsonl")
        raise OSError(errno.ENOSPC, "No space left on device", "full/e/predictions.jsonl")

    monkeypatch.delenv("STREAMPRO_DEBUG", raising=False)
    for kind, expect in (("perm", "ro2/items.jsonl: permission denied"),
                         ("full", "full/e/predictions.jsonl: no space left on the device")):
        with pytest.raises(SystemExit) as e:
            run_cli(app, [kind])
        err = capsys.readouterr().err
        assert e.value.code == 2 and expect in err and err.count("\n") == 1, err


def test_training_on_a_subset_of_tasks(g14, tmp_path):  # issue 17 item 13: the paper's SFT / RL task splits
    r = cli("train", "sft", "--train", "g14/items.jsonl", "--out", tmp_path / "s", "--steps", "1", "--batch-size", "2",
            "--task", "EU", "--task", "OU", cwd=g14)
    assert r.returncode == 0, r.stderr[-2000:]
    info = json.loads((tmp_path / "s/run.json").read_text())
    tasks = [json.loads(x)["task"] for x in (g14 / "g14/items.jsonl").read_text().splitlines()]
    assert info["n_items"] == tasks.count("EU") + tasks.count("OU") and info["config"]["tasks"] == ["EU", "OU"]
    one_line_error(cli("train", "sft", "--train", "g14/items.jsonl", "--out", tmp_path / "s2", "--task", "XX", cwd=g14),
                   "unknown task(s) ['XX']")
