import json

import pytest
from conftest import Scripted

from streampro.bench.schema import SchemaError
from streampro.bench.streamingbench import (
    PROMPT,
    evaluate_rtvu,
    extract_answer,
    load_rtvu,
    make_rtvu_fixture,
    parse_timestamp,
)


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
    s = evaluate_rtvu(qs, model, tmp_path / "run", fps=2.0, progress=False)
    assert s["n"] == 6 and s["overall"] == pytest.approx(100 * 4 / 6) and s["tasks"]["Counting"] == pytest.approx(100 * 4 / 6)
    for q in qs:  # the model had seen exactly the stream up to the time stamp, and got the benchmark's prompt
        last, t, prompt = model.seen[q.qid]
        assert last == pytest.approx(t) and prompt == PROMPT.format(q.question, "\n".join(q.options))
    # resume: a rerun asks nothing again
    again = Scripted({})
    assert evaluate_rtvu(qs, again, tmp_path / "run", fps=2.0, progress=False)["overall"] == s["overall"]
    assert again.seen == {}


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
    s = evaluate_rtvu(qs, Scripted({q.qid: "A" for q in qs}), tmp_path / "skip", fps=2.0, skip_bad=True, progress=False)
    assert s["n"] == 3 and len(s["skipped"]) == 3 and "missing.mp4" in s["skipped"][0]["reason"]


def test_small_model_answers_lettered_options_with_a_letter(tmp_path):
    from streampro.models.small import SmallConfig, SmallStreamer, StreamProSmall
    from streampro.models.tokenizer import build_tokenizer, world_vocabulary

    tok = build_tokenizer(world_vocabulary())
    model = StreamProSmall(SmallConfig(vocab_size=tok.get_vocab_size(), d_model=32, n_layers=1, n_heads=2), tok)
    qs = load_rtvu(make_rtvu_fixture(tmp_path), tmp_path)
    s = evaluate_rtvu(qs, SmallStreamer(model), tmp_path / "run", fps=2.0, progress=False)
    preds = [json.loads(line) for line in (tmp_path / "run" / "predictions.jsonl").read_text().splitlines()]
    assert s["n"] == 6 and all(p["response"] in ("A", "B", "C", "D") or p["pred"] == "" for p in preds)
