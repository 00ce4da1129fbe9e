"""Converters from external benchmark layouts to StreamPro items, on hand-written files."""

import json

import pytest

from streampro.bench.convert import convert
from streampro.bench.evaluate import evaluate
from streampro.bench.judges import RuleJudge
from streampro.bench.schema import SchemaError
from streampro.models.registry import build_model


def test_ovo_forward_to_items(tmp_path):
    entries = [
        {"id": 9, "task": "REC", "video": "a.mp4", "activity": "jump",
         "test_info": [{"realtime": 5, "count": 1}, {"realtime": 9, "count": 1}, {"realtime": 14, "count": 3}]},
        {"id": 7, "task": "SSR", "video": "a.mp4",
         "test_info": [{"realtime": 3, "step": "crack eggs", "type": 0}, {"realtime": 6, "step": "crack eggs", "type": 1},
                       {"realtime": 8, "step": "crack eggs", "type": 1}, {"realtime": 12, "step": "whisk", "type": 1}]},
        {"id": 3, "task": "CRR", "video": "a.mp4", "question": "What does he pick up?", "answer": "a knife",
         "ask_time": 2, "clue_time": 11, "test_info": [{"realtime": 4, "type": 0}, {"realtime": 12, "type": 1}]},
        {"id": 4, "task": "CRR", "video": "a.mp4", "question": "Will it rain?", "test_info": [{"realtime": 4, "type": 0}]},
    ]
    f = tmp_path / "ovo.json"
    f.write_text(json.dumps(entries))
    items, dropped = convert("ovo-forward", f, tmp_path)
    by = {it.id: it for it in items}
    assert [(a.text, a.time, a.slots) for a in by["ovo-9"].answers] == [("1", 5, {"count": 1}), ("3", 14, {"count": 3})]
    assert by["ovo-9"].question == "Each time they jump again, tell me the total count so far."
    assert [(a.text, a.time) for a in by["ovo-7"].answers] == [("crack eggs", 6), ("whisk", 12)]
    crr = by["ovo-3"]
    assert crr.query_time == 2 and [(a.text, a.time) for a in crr.answers] == [("a knife", 11)]
    assert all(it.dimension == "proactive" and it.duration >= it.answers[-1].time + 1 for it in items)  # no video here
    assert len(dropped) == 1 and "entry id 4" in dropped[0]  # never revealed: nothing to answer
    entries[0]["task"] = "XYZ"
    f.write_text(json.dumps(entries))
    with pytest.raises(SchemaError, match="entry 0: unknown task type 'XYZ'"):
        convert("ovo-forward", f, tmp_path)
    with pytest.raises(SchemaError, match="unknown source layout"):
        convert("charades", f, tmp_path)


def test_po_native_mode_scored_by_f1(tmp_path):
    from streampro.bench.proactive_output import make_po_fixture

    qfile = make_po_fixture(tmp_path, n_videos=2)
    items, dropped = convert("po", qfile, tmp_path)
    raw = json.loads(qfile.read_text())
    assert not dropped and [it.answers[0].text for it in items] == [e["questions"][0]["ground_truth_output"] for e in raw]
    assert items[0].task == "PO" and items[0].window(items[0].answers[0]) == (items[0].answers[0].time - 2,
                                                                             items[0].answers[0].time + 2)
    s = evaluate(items, build_model("oracle", items), tmp_path / "ev", RuleJudge(), progress=False)
    assert s["f1"]["tasks"]["PO"]["f1"] == 100 and s["f1"]["n"] == 2
