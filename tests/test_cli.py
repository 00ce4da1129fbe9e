"""The command line: `score` on another harness's predictions, `eval`, and clear errors."""

import json

from typer.testing import CliRunner

from streampro.cli import app

run = CliRunner().invoke


def test_score_external_predictions_and_eval_agree(small_bench, small_items, tmp_path):
    r = run(app, ["eval", "--bench", str(small_bench), "--model", "oracle", "--out", str(tmp_path / "ev"), "--judge", "exact"])
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
                  "--judge", "exact", "--no-report"])
    assert r.exit_code == 0, r.output
    sc = [json.loads(line) for line in (tmp_path / "sc" / "scores.jsonl").read_text().splitlines()]
    by = {s["id"]: s for s in sc}
    assert by[preds[0]["id"]]["f1"] == 0 and by[preds[1]["id"]]["f1"] < 1
    assert all(s["f1"] == 1 for s in sc if s["id"] not in (preds[0]["id"], preds[1]["id"]))


def test_score_rejects_malformed_predictions(small_bench, tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "test-200000000-0", "responses": [{"t": "soon", "text": "x"}]}\n')
    r = run(app, ["score", "--bench", str(small_bench), "--predictions", str(bad), "--out", str(tmp_path / "o")])
    assert r.exit_code == 2 and "bad.jsonl:1 (id 'test-200000000-0'): responses[0] needs a number 't'" in r.output
    bad.write_text('{"id": "nope", "responses": []}\n')
    r = run(app, ["score", "--bench", str(small_bench), "--predictions", str(bad), "--out", str(tmp_path / "o")])
    assert r.exit_code == 2 and "not in the benchmark" in r.output


def test_probe_benchmarks_say_when_every_question_was_skipped(tmp_path):
    r = run(app, ["fixture", "rtvu", "--out", str(tmp_path)])
    assert r.exit_code == 0, r.output
    r = run(app, ["rtvu", "--questions", str(tmp_path / "rtvu" / "questions_real.json"), "--videos", str(tmp_path / "wrong"),
                  "--model", "random", "--out", str(tmp_path / "o"), "--skip-bad"])
    assert r.exit_code == 2 and "no question was answered" in r.output and "TypeError" not in r.output
