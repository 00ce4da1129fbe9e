"""The command line: `score` on another harness's predictions, `eval`, and clear errors."""

import json
from pathlib import Path

from typer.testing import CliRunner

from streampro.cli import app

run = CliRunner().invoke


def test_score_external_predictions_and_eval_agree(small_bench, small_items, tmp_path):
    r = run(app, ["eval", "--bench", str(small_bench), "--model", "oracle", "--out", str(tmp_path / "ev"), "--judge", "exact",
                  "--matching", "best"])
    assert r.exit_code == 0, r.output
    ev = json.loads((tmp_path / "ev" / "summary.json").read_text())
    assert set(ev["f1"]) >= {"tasks", "dimensions", "avg", "wavg"} and ev["f1"]["wavg"] == 100
    assert set(ev["f1"]["tasks"]["EU"]) >= {"time", "acc", "precision", "recall", "f1", "n"}
    assert (tmp_path / "ev" / "report.html").read_text().count("<img") >= 7
    # another harness's file: the same responses, one question silent, one answer text wrong
    preds = [json.loads(line) for line in (tmp_path / "ev" / "predictions.jsonl").read_text().splitlines()]
    preds[0]["responses"] = []
    preds[1]["responses"][0]["text"] = "no idea"
    ext = tmp_path / "other.jsonl"
    ext.write_text("".join(json.dumps(p) + "\n" for p in preds))
    r = run(app, ["score", "--bench", str(small_bench), "--predictions", str(ext), "--out", str(tmp_path / "sc"),
                  "--judge", "exact", "--no-report", "--matching", "best"])
    assert r.exit_code == 0, r.output
    sc = [json.loads(line) for line in (tmp_path / "sc" / "scores.jsonl").read_text().splitlines()]
    by = {s["id"]: s for s in sc}
    assert by[preds[0]["id"]]["f1"] == 0 and by[preds[1]["id"]]["f1"] < 1
    assert all(s["f1"] == 1 for s in sc if s["id"] not in (preds[0]["id"], preds[1]["id"]))


def test_score_rejects_malformed_predictions(small_bench, tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "test-200000000-0", "responses": [{"t": "soon", "text": "x"}]}\n')
    r = run(app, ["score", "--bench", str(small_bench), "--predictions", str(bad), "--out", str(tmp_path / "o")])
    assert r.exit_code == 2 and "bad.jsonl:1 (id 'test-200000000-0'): responses[0] needs a finite number 't' >= 0" in r.output
    bad.write_text('{"id": "nope", "responses": []}\n')
    r = run(app, ["score", "--bench", str(small_bench), "--predictions", str(bad), "--out", str(tmp_path / "o")])
    assert r.exit_code == 2 and "not in the benchmark" in r.output


def test_probe_benchmarks_say_when_every_question_was_skipped(tmp_path):
    r = run(app, ["fixture", "rtvu", "--out", str(tmp_path)])
    assert r.exit_code == 0, r.output
    r = run(app, ["rtvu", "--questions", str(tmp_path / "rtvu" / "questions_real.json"), "--videos", str(tmp_path / "wrong"),
                  "--model", "random", "--out", str(tmp_path / "o"), "--skip-bad"])
    assert r.exit_code == 2 and "no question was answered" in r.output and "TypeError" not in r.output


def test_data_stats_and_preview(small_bench, small_items, tmp_path):
    r = run(app, ["data", "stats", str(small_bench)])
    assert r.exit_code == 0, r.output
    stats = json.loads(r.output)
    assert stats["questions"] == len(small_items) and stats["tasks"]["GP"]["questions"] == 6
    assert stats["answers"] == sum(len(i.answers) for i in small_items)
    assert stats["tasks"]["EU"]["answers_per_question"]["min"] >= 2
    assert stats["unstreamable"] == 0 and stats["problems"] == {}
    r = run(app, ["data", "preview", str(small_bench), "--out", str(tmp_path / "pv"), "--per-task", "1"])
    assert r.exit_code == 0, r.output
    page = (tmp_path / "pv" / "preview.html").read_text()
    assert page.count("<figure>") == 7 and "When answers are due" in page


def test_data_merge_mixes_item_files_and_refuses_clashes(small_bench, small_items, tmp_path):
    cap = tmp_path / "cap"
    r = run(app, ["generate", "--split", "train", "--task", "CAP", "--n-items", "3", "--seed", "50", "--out", str(cap)])
    assert r.exit_code == 0, r.output
    out = tmp_path / "mix" / "items.jsonl"
    r = run(app, ["data", "merge", str(small_bench), str(cap / "items.jsonl"), "--out", str(out)])
    assert r.exit_code == 0, r.output
    from streampro.data.schema import load_items

    mixed = load_items(out)  # video paths were rewritten relative to the new file, and resolve
    assert [it.id for it in mixed] == [it.id for it in small_items] + [it.id for it in load_items(cap / "items.jsonl")]
    assert all(Path(it.video).exists() for it in mixed) and [it.task for it in mixed][-3:] == ["CAP"] * 3
    r = run(app, ["data", "merge", str(small_bench), str(small_bench), "--out", str(tmp_path / "twice.jsonl")])
    assert r.exit_code == 2 and "is also in" in r.output and not (tmp_path / "twice.jsonl").exists()
    before = out.read_text()
    r = run(app, ["data", "merge", str(small_bench), "--out", str(out)])
    assert r.exit_code == 2 and "exists" in r.output and out.read_text() == before


def test_models_list_and_make_tiny(tmp_path, small_bench):
    r = run(app, ["models"])
    assert r.exit_code == 0 and "hf-offline" in r.output.split() and "eager" in r.output.split()
    r = run(app, ["models", "make-tiny", "--out", str(tmp_path / "tiny")])
    assert r.exit_code == 0, r.output
    r = run(app, ["eval", "--bench", str(small_bench), "--model", f"hf:{tmp_path / 'tiny'}", "--model-args",
                  "frame_size=56,max_new_tokens=2", "--out", str(tmp_path / "ev"), "--no-report"])
    assert r.exit_code == 0, r.output
    assert json.loads((tmp_path / "ev" / "summary.json").read_text())["f1"]["n"] == 42
    r = run(app, ["models", "make-tiny", "--out", str(tmp_path / "t3"), "--arch", "qwen3_vl"])
    assert r.exit_code == 0 and "frame_size=64" in r.output
    assert json.loads((tmp_path / "t3" / "config.json").read_text())["model_type"] == "qwen3_vl"
    r = run(app, ["models", "make-tiny", "--out", str(tmp_path / "t4"), "--arch", "llava"])
    assert r.exit_code == 2 and "qwen2_5_vl, qwen3_vl" in r.output


def test_every_command_has_help():
    """`--help` works on every command and subcommand, and each one says what it does."""
    import typer

    def walk(cmd, path):
        yield path, cmd
        if hasattr(cmd, "commands"):  # a group (typer vendors its own click)
            for name, sub in cmd.commands.items():
                yield from walk(sub, [*path, name])

    commands = list(walk(typer.main.get_command(app), []))
    assert {"serve", "watch", "eval", "reproduce"} <= {p[0] for p, _ in commands if p}
    for path, cmd in commands:
        r = run(app, [*path, "--help"])
        assert r.exit_code == 0 and "Usage" in r.output, path
        assert cmd.help or hasattr(cmd, "commands"), f"{' '.join(path)} has no description"


def test_report_groups_seeds_and_computes_t_intervals():
    import pytest

    from streampro.bench.report_figures import never_spoke, seed_groups
    from streampro.core.stats import mean_ci

    assert seed_groups(["sft-cb-seed0", "sft-cb_seed1", "oracle", "sft-cb-seed2"]) == {
        "sft-cb": ["sft-cb-seed0", "sft-cb_seed1", "sft-cb-seed2"], "oracle": ["oracle"]}
    mean, half = mean_ci([1.0, 2.0, 3.0])
    assert mean == 2.0 and half == pytest.approx(4.302653 * 1.0 / 3 ** 0.5, rel=1e-5)  # t(0.975, 2) * sd / sqrt(n)
    assert mean_ci([5.0]) == (5.0, 0.0)
    # twelve seeds: t(0.975, 11) = 2.200985, not the normal 1.96 (reproduce's own table fell back to it past 10)
    twelve = [float(k % 2) for k in range(12)]  # sd = sqrt(12/44)
    assert mean_ci(twelve)[1] == pytest.approx(2.200985 * (12 / 44) ** 0.5 / 12 ** 0.5, rel=1e-5)
    assert never_spoke({"f1": {"tasks": {"OU": {"responses_per_question": 0.0}, "EU": {"responses_per_question": 0}}}})
    assert not never_spoke({"f1": {"tasks": {"OU": {"responses_per_question": 0.5}}}})


def test_first_hour_frictions(small_bench, tmp_path):
    """Issue 20's small frictions, each checked where a user meets it."""
    import typer

    def options(*path):
        cmd = typer.main.get_command(app)
        for p in path:
            cmd = cmd.commands[p]
        return {o for prm in cmd.params for o in getattr(prm, "opts", [])}

    for bench in ("rtvu", "po", "ovo"):  # one frame size: the model's (--model-args frame_size=...)
        assert "--frame-size" not in options(bench) and "--model-args" in options(bench)
    sft_help = run(app, ["train", "sft", "--help"], terminal_width=200).output
    assert "32" in sft_help and "Qwen3-VL" in sft_help  # Qwen3-VL's patches need a multiple of 32
    r = run(app, ["fixture", "po", "--out", str(tmp_path / "fx"), "--n-videos", "1"])
    assert r.exit_code == 0 and f"streampro po --questions {tmp_path / 'fx' / 'po'}" in r.output
    assert f"--videos {tmp_path / 'fx' / 'po'} " in r.output
    r = run(app, ["models", "make-tiny", "--out", str(tmp_path / "tiny")])
    assert r.exit_code == 0 and "streampro generate --n-items 7 --out data/tiny-bench" in r.output
    assert "--bench data/tiny-bench/items.jsonl" in r.output  # the hint works in a fresh folder
    # the world rubric needs world items: refused on other data before any model loads
    recs = [json.loads(x) for x in small_bench.read_text().splitlines()]
    for rec in recs:
        rec["meta"] = {}
        rec["video"] = str((small_bench.parent / rec["video"]).resolve())
    (tmp_path / "own.jsonl").write_text("".join(json.dumps(r) + "\n" for r in recs))
    r = run(app, ["train", "grpo", "--init", str(tmp_path / "nowhere"), "--train", str(tmp_path / "own.jsonl"),
                  "--out", str(tmp_path / "g")])
    assert r.exit_code == 2 and "rubric 'world'" in r.output and "--rubric llm" in r.output


def test_every_registered_benchmark_makes_a_fixture_its_command_runs(tmp_path):
    """The benchmark registry is found by scanning bench/benchmarks/; `fixture NAME` serves each, and the
    command it prints runs on what it wrote (the StreamPro-Bench fixture here; the public ones in test_golden)."""
    from streampro.bench.benchmarks import registry

    assert set(registry()) >= {"streampro", "rtvu", "po", "ovo"}
    r = run(app, ["fixture", "streampro", "--out", str(tmp_path / "fx"), "--n-videos", "2"])
    assert r.exit_code == 0, r.output
    command = r.output.strip().splitlines()[-1].split()
    assert command[:2] == ["streampro", "eval"]
    args = [*command[1:], "--no-report"]
    args[args.index("--out") + 1] = str(tmp_path / "eval")
    r = run(app, args)
    assert r.exit_code == 0, r.output
    summary = json.loads((tmp_path / "eval" / "summary.json").read_text())
    assert summary["f1"]["n"] == 14 and summary["complete"]  # 7 tasks x 2 videos' worth of questions
    r = run(app, ["fixture", "nope", "--out", str(tmp_path / "fx")])
    assert r.exit_code == 2 and "choose from" in r.output
