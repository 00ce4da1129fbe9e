import json

import pytest
from conftest import Scripted

from streampro.bench.benchmarks.rtvu import evaluate_rtvu, extract_answer
from streampro.data.fixtures import make_rtvu_fixture
from streampro.data.formats.streamingbench import RTVU_PROMPT, load_rtvu, parse_timestamp
from streampro.data.schema import SchemaError


def test_extract_answer_matches_streamingbench_rules():
    assert extract_answer("The best answer is B.") == "B"
    assert extract_answer("  (C) because...") == "C"
    assert extract_answer("the objects are moving quickly across the screen from left to right side") == ""
    assert extract_answer("no letter") == ""
    assert parse_timestamp("00:01:52") == 112 and parse_timestamp("01:05") == 65


def test_rtvu_fixture_scores_hand_checked(tmp_path):
    qfile = make_rtvu_fixture(tmp_path)
    qs = load_rtvu(qfile, tmp_path)
    assert len(qs) == 6 and all(q.task == "Counting" for q in qs)
    wrong = {"A": "B", "B": "C", "C": "D", "D": "A"}
    # right on the first 4 questions (in various answer styles), wrong on the last 2
    styles = ["{}", "The best answer is {}", "{}. that one", "Best option: ({})"]
    replies = {q.qid: styles[i % 4].format(q.answer) if i < 4 else wrong[q.answer] for i, q in enumerate(qs)}
    model = Scripted(replies)
    s = evaluate_rtvu(qs, model, tmp_path / "run", fps=2.0, progress=False, rule="extract", context_seconds=None)
    assert s["n"] == 6 and s["overall"] == pytest.approx(100 * 4 / 6) and s["tasks"]["Counting"] == pytest.approx(100 * 4 / 6)
    assert s["rule"] == "extract" and s["context_seconds"] is None
    for q in qs:  # the model had seen exactly the stream up to the time stamp, and got the benchmark's prompt
        last, t, prompt = model.seen[q.qid]
        assert last == pytest.approx(t) and prompt == RTVU_PROMPT.format(q.question, "\n".join(q.options))
    # resume: a rerun asks nothing again
    again = Scripted({})
    assert evaluate_rtvu(qs, again, tmp_path / "run", fps=2.0, progress=False, rule="extract",
                         context_seconds=None)["overall"] == s["overall"]
    assert again.seen == {}


def test_rtvu_official_rule_and_context_window(tmp_path):
    """count.py's rule by hand: the first character of the reply; empty replies are not counted."""
    qfile = make_rtvu_fixture(tmp_path)
    qs = load_rtvu(qfile, tmp_path)
    a = [q.answer for q in qs]
    other = {"A": "B", "B": "C", "C": "D", "D": "A"}
    replies = [a[0], f"{a[1]}. because", f"The best answer is {a[2]}", "", f" {a[4]}", other[a[5]]]
    # official: right, right, wrong ('T'), not counted, wrong (' '), wrong -> 2 of 5 counted
    model = Scripted({q.qid: r for q, r in zip(qs, replies, strict=True)})
    s = evaluate_rtvu(qs, model, tmp_path / "off", fps=2.0, progress=False, context_seconds=3.0)
    assert s["rule"] == "official" and s["n"] == 5 and s["n_empty"] == 1 and s["overall"] == pytest.approx(40.0)
    ex = evaluate_rtvu(qs, Scripted({q.qid: r for q, r in zip(qs, replies, strict=True)}), tmp_path / "ex", fps=2.0,
                       progress=False, rule="extract", context_seconds=3.0)
    assert ex["n"] == 6 and ex["overall"] == pytest.approx(100 * 4 / 6)  # 'The best answer is X' and ' X' count
    for q in qs:  # each question saw only its own clip: frames in [t - 3, t]
        last, t, _ = model.seen[q.qid]
        assert last == pytest.approx(t)
    recs = [json.loads(line) for line in (tmp_path / "off" / "predictions.jsonl").read_text().splitlines()]
    assert all(r["seen_from"] == pytest.approx(max(0.0, r["time"] - 3.0)) for r in recs)
    # the official result layout: the questions file with each reply under the model's name
    from streampro.bench.benchmarks.rtvu import write_rtvu_official

    path = write_rtvu_official(qfile, recs, "MyModel", tmp_path / "off")
    data = json.loads(path.read_text())
    got = [q["MyModel"] for e in data for q in e["questions"]]
    assert got == replies


def test_rtvu_bad_input(tmp_path):
    qfile = make_rtvu_fixture(tmp_path)
    data = json.loads(qfile.read_text())
    data[1]["questions"][0]["answer"] = "E"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data))
    with pytest.raises(SchemaError, match="entry 1, question 0: field 'answer'"):
        load_rtvu(bad, tmp_path)
    data[1]["questions"][0]["answer"] = "A"
    data[1]["video_path"] = "./videos/missing.mp4"
    bad.write_text(json.dumps(data))
    qs = load_rtvu(bad, tmp_path)
    s = evaluate_rtvu(qs, Scripted({q.qid: "A" for q in qs}), tmp_path / "skip", fps=2.0, skip_bad=True, progress=False,
                      context_seconds=None)
    assert s["n"] == 3 and len(s["skipped"]) == 3 and "missing.mp4" in s["skipped"][0]["reason"]


def test_small_model_answers_lettered_options_with_a_letter(tmp_path):
    from streampro.models.small import SmallConfig, SmallStreamer, StreamProSmall
    from streampro.models.tokenizer import build_tokenizer, world_vocabulary

    tok = build_tokenizer(world_vocabulary())
    model = StreamProSmall(SmallConfig(vocab_size=tok.get_vocab_size(), d_model=32, n_layers=1, n_heads=2), tok)
    qs = load_rtvu(make_rtvu_fixture(tmp_path), tmp_path)
    s = evaluate_rtvu(qs, SmallStreamer(model), tmp_path / "run", fps=2.0, progress=False, rule="extract")
    preds = [json.loads(line) for line in (tmp_path / "run" / "predictions.jsonl").read_text().splitlines()]
    assert s["n"] == 6 and all(p["response"] in ("A", "B", "C", "D") or p["pred"] == "" for p in preds)
