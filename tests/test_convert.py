"""Converters from external benchmark layouts to StreamPro items, on hand-written files."""

import json

import pytest

from streampro.bench.evaluate import evaluate
from streampro.bench.judges import RuleJudge
from streampro.data.convert import convert
from streampro.data.schema import SchemaError
from streampro.models.registry import build_model


def blank_video(path, seconds: int, fps: float = 1.0):
    """A real (tiny) video of ``seconds`` at ``fps``: the converters check answers against its length."""
    import numpy as np

    from streampro.data.video import write_video

    write_video(path, np.zeros((int(seconds * fps), 16, 16, 3), np.uint8), fps)
    return path


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
    blank_video(tmp_path / "a.mp4", 20)
    items, dropped = convert("ovo-forward", f, tmp_path)
    by = {it.id: it for it in items}
    assert [(a.text, a.time, a.slots) for a in by["ovo-9"].answers] == [("1", 5, {"count": 1}), ("3", 14, {"count": 3})]
    assert by["ovo-9"].question == "Each time they jump again, tell me the total count so far."
    assert [(a.text, a.time) for a in by["ovo-7"].answers] == [("crack eggs", 6), ("whisk", 12)]
    crr = by["ovo-3"]
    assert crr.query_time == 2 and [(a.text, a.time) for a in crr.answers] == [("a knife", 11)]
    assert all(it.dimension == "proactive" and it.duration == 20 for it in items)  # the video's real length
    assert len(dropped) == 1 and "entry id 4" in dropped[0]  # never revealed: nothing to answer
    entries[0]["task"] = "XYZ"
    f.write_text(json.dumps(entries))
    with pytest.raises(SchemaError, match="entry 0: unknown task type 'XYZ'"):
        convert("ovo-forward", f, tmp_path)
    with pytest.raises(SchemaError, match="unknown source layout"):
        convert("charades", f, tmp_path)


def test_po_native_mode_scored_by_f1(tmp_path):
    from streampro.data.fixtures import make_po_fixture

    qfile = make_po_fixture(tmp_path, n_videos=2)
    items, dropped = convert("po", qfile, tmp_path)
    raw = json.loads(qfile.read_text())
    assert not dropped and [it.answers[0].text for it in items] == [e["questions"][0]["ground_truth_output"] for e in raw]
    assert items[0].task == "PO" and items[0].window(items[0].answers[0]) == (items[0].answers[0].time - 2,
                                                                             items[0].answers[0].time + 2)
    s = evaluate(items, build_model("oracle", items), tmp_path / "ev", RuleJudge(), progress=False)
    assert s["f1"]["tasks"]["PO"]["f1"] == 100 and s["f1"]["n"] == 2
    assert s["po_official_rule"] == {"n": 2, "time_accuracy": 100.0, "answer_accuracy": 100.0}
    # the reactive model speaks at the same best time; "eager" speaks at every frame from the query: its
    # first response is too early for the +-2 s rule unless the answer is due within 2 s of the query
    e = evaluate(items, build_model("eager", items), tmp_path / "eager", RuleJudge(), progress=False)
    early = sum(it.answers[0].time - it.query_time > 2 for it in items)
    assert e["po_official_rule"]["time_accuracy"] == 100 * (2 - early) / 2


def test_dense_captions_activitynet_and_youcook2(tmp_path):
    anet = {"v_a": {"duration": 60.0, "timestamps": [[0.5, 10.0], [12.0, 30.0], [8.0, 11.0]],
                    "sentences": ["A man enters.", "He cooks eggs.", "He waves."]},
            "v_b": {"duration": 20.0, "timestamps": [[0, 5]], "sentences": []}}
    f = tmp_path / "anet.json"
    f.write_text(json.dumps(anet))
    blank_video(tmp_path / "v_a.mp4", 60)
    blank_video(tmp_path / "x1.mp4", 40)
    items, dropped = convert("dense-captions", f, tmp_path)
    eu, tp = items
    assert eu.task == "EU" and [(a.text, a.start, a.end) for a in eu.answers] == [
        ("A man enters.", 0.5, 10.0), ("He waves.", 8.0, 11.0), ("He cooks eggs.", 12.0, 30.0)]
    assert tp.task == "TP" and [a.text for a in tp.answers] == ["He cooks eggs."]  # starts after the first ends
    assert eu.video == str(tmp_path / "v_a.mp4") and "v_b" in dropped[0]
    yc = {"database": {"x1": {"duration": 40, "annotations": [{"segment": [2, 9], "sentence": "cut onions"},
                                                              {"segment": [10, 20], "sentence": "fry them"}]}}}
    f.write_text(json.dumps(yc))
    items, _ = convert("dense-captions", f, tmp_path)
    assert [a.text for a in items[0].answers] == ["cut onions", "fry them"] and items[1].answers[0].start == 10


def test_charades_sta_and_csv(tmp_path):
    f = tmp_path / "sta.txt"
    blank_video(tmp_path / "AO8RW.mp4", 25)
    blank_video(tmp_path / "clip.mp4", 30)
    f.write_text("AO8RW 0.0 6.9##a person is putting a book on a shelf.\nBAD 3 1##x\nAO8RW 12.5 20##person opens the door\n")
    items, dropped = convert("charades-sta", f, tmp_path)
    assert [(it.task, it.answers[0].time, it.answers[0].span) for it in items] == [("TG", 6.9, (0.0, 6.9)),
                                                                                   ("TG", 20.0, (12.5, 20.0))]
    assert items[0].answers[0].text == "from 0s to 6.9s" and "sta.txt:2" in dropped[0]
    c = tmp_path / "ann.csv"
    c.write_text("video,task,query_time,question,text,time,start,end,duration\n"
                 "clip.mp4,OU,0,Tell me each time the light changes.,now red,4,,,30\n"
                 "clip.mp4,OU,0,Tell me each time the light changes.,now green,12,,,30\n"
                 "clip.mp4,EU,0,Describe the steps.,mix,,2,8,30\n"
                 "clip.mp4,XX,0,?,x,1,,,30\n")
    items, dropped = convert("csv", c, tmp_path)
    assert [(it.task, [a.text for a in it.answers]) for it in items] == [("OU", ["now red", "now green"]), ("EU", ["mix"])]
    assert items[0].duration == 30 and "unknown task type 'XX'" in dropped[0] and "ann.csv:5" in dropped[0]


def test_converters_check_what_they_write_against_the_videos(tmp_path):
    """Reliability cases 4.1-4.31: missing videos, answers past the real end, spreadsheet CSVs (BOM, short rows,
    a span without its end, Latin-1), YouCook2 without a sentence, OVO counts that are not numbers and ids
    shared by two tasks: each dropped with its reason, or refused in one line; durations are the videos'."""
    vids = tmp_path / "vids"
    vids.mkdir()
    blank_video(vids / "clip.mp4", 27)
    c = tmp_path / "rows.csv"
    c.write_bytes(("\ufeffvideo,task,query_time,question,text,time,span_start\n"  # a BOM, as Excel writes it
                   "clip.mp4,OU,0,Tell me each change.,red,4,\n"
                   "clip.mp4,OU,0,Tell me each change.,green,500,\n"  # past the 27 s video: the question goes
                   "ghost.mp4,OU,0,q,x,3,\n"  # no such video
                   "clip.mp4,GP,0\n"  # a short row
                   "clip.mp4,TG,0,When?,from 1 to 2,2,1\n").encode())  # span_start without span_end
    items, dropped = convert("csv", c, vids)
    text = "\n".join(dropped)
    assert items == [] or all(it.video.endswith("clip.mp4") for it in items)
    assert "past the end of clip.mp4 (27.0 s)" in text and "video file not found" in text and "ghost.mp4" in text
    assert "rows.csv:5: expected 7 fields" in text and "span_start needs span_end" in text
    c.write_text("video,task,query_time,question,text,time\nclip.mp4,OU,0,Tell me each change.,red,4\n")
    items, dropped = convert("csv", c, vids)
    assert len(items) == 1 and items[0].duration == 27.0 and not dropped  # the video's length, not last answer + 1
    c.write_bytes("video,task,query_time,question,text,time\nclip.mp4,OU,0,caf\xe9?,red,4\n".encode("latin-1"))
    with pytest.raises(SchemaError, match="not UTF-8"):
        convert("csv", c, vids)
    yc = {"database": {"clip": {"duration": 27, "annotations": [{"segment": [2, 9], "sentence": "cut"},
                                                                {"segment": [10, 20]}]}}}
    f = tmp_path / "yc.json"
    f.write_text(json.dumps(yc))
    items, dropped = convert("dense-captions", f, vids)
    assert [a.text for a in items[0].answers] == ["cut"] and "without a segment or sentence" in dropped[0]
    ovo = [{"id": 1, "task": "REC", "video": "clip.mp4", "activity": "jump",
            "test_info": [{"realtime": 5, "count": "three"}]},
           {"id": 2, "task": "REC", "video": "clip.mp4", "activity": "jump", "test_info": [{"realtime": 5, "count": 1}]},
           {"id": 2, "task": "SSR", "video": "clip.mp4", "test_info": [{"realtime": 3, "step": "x", "type": 1}]}]
    f.write_text(json.dumps(ovo))
    items, dropped = convert("ovo-forward", f, vids)
    assert items == [] and "entry id 1: malformed (invalid literal for int()" in dropped[0]
    assert "entry id 2: the id is shared by ['REC', 'SSR'] entries" in dropped[1]
    with pytest.raises(SchemaError, match="no such folder"):
        convert("csv", c, tmp_path / "nowhere")


def test_convert_writes_video_paths_that_resolve_from_the_output_file(tmp_path):
    """Issue: the README's own-data recipe wrote paths relative to the working folder; every loader reads them
    relative to the JSONL file. Converted from one folder, evaluated from another, nothing is lost."""
    import os

    from typer.testing import CliRunner

    from streampro.cli import app

    (tmp_path / "my_videos").mkdir()
    blank_video(tmp_path / "my_videos" / "vidA.mp4", 20)
    (tmp_path / "a.csv").write_text("video,task,query_time,question,text,time\nvidA.mp4,GP,3,q,Fill the kettle.,12\n")
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        r = CliRunner().invoke(app, ["data", "convert", "csv", "--input", "a.csv", "--videos", "my_videos/",
                                     "--out", "my/train.jsonl"])
    finally:
        os.chdir(cwd)
    assert r.exit_code == 0, r.output
    rec = json.loads((tmp_path / "my/train.jsonl").read_text())
    assert rec["video"] == "../my_videos/vidA.mp4" and rec["duration"] == 20.0
    r = CliRunner().invoke(app, ["eval", "--model", "oracle", "--bench", str(tmp_path / "my/train.jsonl"), "--out",
                                 str(tmp_path / "ev"), "--no-report"])
    assert r.exit_code == 0, r.output
    assert json.loads((tmp_path / "ev/summary.json").read_text())["f1"]["wavg"] == 100.0


def test_csv_slots_column_feeds_the_rule_judge(tmp_path):
    blank_video(tmp_path / "clip.mp4", 20)
    c = tmp_path / "s.csv"
    c.write_text('video,task,query_time,question,text,time,slots\n'
                 'clip.mp4,OU,0,Tell me each change.,it turned red,4,"{""color"": ""red""}"\n'
                 'clip.mp4,AA,0,Warn me.,fell,5,"{not json"\n')
    items, dropped = convert("csv", c, tmp_path)
    assert items[0].answers[0].slots == {"color": "red"}
    assert len(items) == 1 and "slots must be a JSON object" in dropped[0]
