import json

import pytest
from conftest import Scripted

from streampro.bench.benchmarks.ovo import evaluate_ovo
from streampro.data.fixtures import make_ovo_fixture
from streampro.data.formats.ovobench import CATEGORIES, load_ovo
from streampro.data.schema import SchemaError


@pytest.fixture(scope="module")
def ovo(tmp_path_factory):
    root = tmp_path_factory.mktemp("ovo")
    return make_ovo_fixture(root), root / "src_videos"


def _wrong_letter(letter):
    return {"A": "B", "B": "C", "C": "D", "D": "A"}[letter]


def test_ovo_fixture_scores_hand_checked(ovo, tmp_path):
    path, videos = ovo
    qs = load_ovo(path, videos)
    by_task = {t: [q for q in qs if q.task == t] for t in ("EPM", "ATR", "REC", "SSR", "CRR")}
    assert [len(v) for v in by_task.values()] == [2, 2, 8, 8, 8]
    assert {q.answer for q in by_task["SSR"] + by_task["CRR"]} == {"Yes", "No"}  # both kinds of probe occur
    replies = {}
    epm, atr = by_task["EPM"], by_task["ATR"]
    replies[epm[0].qid] = epm[0].answer  # right
    replies[epm[1].qid] = _wrong_letter(epm[1].answer)  # wrong
    for q in atr:  # right: OVO-Bench only asks that the letter occurs in the reply
        replies[q.qid] = f"The answer is {q.answer}."
    for i, q in enumerate(by_task["REC"]):  # digits are joined: "1 0" reads as 10; one probe wrong
        replies[q.qid] = f"count: {q.answer}" if i else str(int(q.answer) + 1)
    for i, q in enumerate(by_task["SSR"]):  # "Y"/"N" exactly, or containing Yes/No; one probe wrong
        short = q.answer[0]
        replies[q.qid] = [short, f"{q.answer}.", {"Y": "N", "N": "Y"}[short], q.answer][i % 4] if i < 4 else q.answer
    for q in by_task["CRR"]:
        replies[q.qid] = q.answer
    model = Scripted(replies)
    s = evaluate_ovo(qs, model, tmp_path / "run", fps=2.0, progress=False)
    assert s["tasks"] == pytest.approx({"EPM": 50.0, "ATR": 100.0, "REC": 87.5, "SSR": 87.5, "CRR": 100.0})
    assert s["categories"] == pytest.approx({"backward": 50.0, "realtime": 100.0, "forward": 275 / 3})
    assert s["overall"] == pytest.approx((50 + 100 + 275 / 3) / 3)
    assert s["n"] == {"EPM": 2, "ATR": 2, "REC": 8, "SSR": 8, "CRR": 8}
    for q in qs:  # each probe saw exactly the stream up to its time, with the benchmark's prompt
        last, t, prompt = model.seen[q.qid]
        assert last == pytest.approx(t) and prompt == q.prompt
    assert "How many times did they bounce off a wall?" in by_task["REC"][0].prompt
    # the benchmark's own result layout, with every forward probe's response in place
    official = json.loads((tmp_path / "run" / "ovo_results.json").read_text())
    assert len(official["backward"]) == 2 and len(official["forward"]) == 6
    for entry in official["forward"]:
        for j, probe in enumerate(entry["test_info"]):
            assert probe["response"] == replies[f"{entry['id']}-{j}"]
    # resumable: nothing is asked again
    again = Scripted({})
    assert evaluate_ovo(qs, again, tmp_path / "run", fps=2.0, progress=False)["overall"] == s["overall"]
    assert again.seen == {}


def test_ovo_task_filter_and_bad_input(ovo, tmp_path):
    path, videos = ovo
    assert {q.task for q in load_ovo(path, videos, tasks=["forward"])} == set(CATEGORIES["forward"])
    assert {q.task for q in load_ovo(path, videos, tasks=["EPM", "CRR"])} == {"EPM", "CRR"}
    with pytest.raises(SchemaError, match="unknown OVO-Bench task"):
        load_ovo(path, videos, tasks=["XYZ"])
    data = json.loads(path.read_text())
    for mutate, message in [
        (lambda d: d[0].update(task="ZZZ"), "entry 0: unknown task type 'ZZZ'"),
        (lambda d: d[0].update(gt=9), "entry 0: field 'gt' 9"),
        (lambda d: d[2].pop("test_info"), "entry 2: missing field 'test_info'"),
        (lambda d: d[3]["test_info"][1].update(type=2), "entry 3, test_info 1: field 'type' 2"),
        (lambda d: d[4]["test_info"][0].update(realtime="soon"), "entry 4, test_info 0: field 'realtime'"),
    ]:
        bad = json.loads(json.dumps(data))
        mutate(bad)
        (tmp_path / "bad.json").write_text(json.dumps(bad))
        with pytest.raises(SchemaError, match=message):
            load_ovo(tmp_path / "bad.json", videos)
    (tmp_path / "broken.json").write_text(path.read_text()[:-10])
    with pytest.raises(SchemaError, match="invalid JSON"):
        load_ovo(tmp_path / "broken.json", videos)
    # a missing video is skipped and reported with --skip-bad, and the rest is scored
    data[0]["video"] = data[1]["video"] = "procedural/missing.mp4"
    (tmp_path / "miss.json").write_text(json.dumps(data))
    qs = load_ovo(tmp_path / "miss.json", videos, tasks=["backward", "realtime"])
    s = evaluate_ovo(qs, Scripted({q.qid: q.answer for q in qs}), tmp_path / "skip", fps=2.0, skip_bad=True,
                     progress=False)
    assert len(s["skipped"]) == 2 and "missing.mp4" in s["skipped"][0]["reason"]
    assert s["n"] == {"EPM": 1, "ATR": 1} and s["overall"] == 100.0


def test_cli_fixture_then_ovo_and_rtvu(tmp_path):
    from typer.testing import CliRunner

    from streampro.cli import app

    runner = CliRunner()
    for kind in ("ovo", "rtvu"):
        r = runner.invoke(app, ["fixture", kind, "--out", str(tmp_path), "--n-videos", "1"])
        assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["ovo", "--annotations", str(tmp_path / "ovo" / "ovo_bench_new.json"), "--videos",
                            str(tmp_path / "ovo" / "src_videos"), "--model", "random", "--out", str(tmp_path / "o"),
                            "--task", "forward", "--fps", "2"])
    assert r.exit_code == 0, r.output
    s = json.loads((tmp_path / "o" / "summary.json").read_text())
    assert set(s["tasks"]) == {"REC", "SSR", "CRR"} and s["tasks"]["REC"] == 0.0  # random abstains on counts
    assert f"| **total** | avg of categories | | {s['overall']:.1f} |" in r.output
    r = runner.invoke(app, ["rtvu", "--questions", str(tmp_path / "rtvu" / "questions_real.json"), "--videos",
                            str(tmp_path / "rtvu"), "--model", "oracle", "--out", str(tmp_path / "r")])
    assert r.exit_code == 2 and "external benchmarks need a real model" in r.output
    r = runner.invoke(app, ["fixture", "nope", "--out", str(tmp_path)])
    assert r.exit_code == 2 and "unknown fixture" in r.output


def test_forward_average_per_probe_or_per_question(tmp_path):
    """Entry 1: one probe, right; entry 2: three probes, all wrong -> per probe 25 %, per question 50 %."""
    from streampro.bench.benchmarks.ovo import summarize_ovo

    recs = [{"id": i, "task": "REC", "category": "forward", "correct": c, "video_rel": "v.mp4", "response": "",
             "test_info": {"realtime": k}} for i, c, k in [(1, True, 1), (2, False, 1), (2, False, 2), (2, False, 3)]]
    assert summarize_ovo(recs, tmp_path)["tasks"]["REC"] == pytest.approx(25.0)
    s = summarize_ovo(recs, tmp_path, average="question")
    assert s["tasks"]["REC"] == pytest.approx(50.0) and s["average"] == "question"
