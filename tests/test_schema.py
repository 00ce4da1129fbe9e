import json

import pytest

from streampro.data.schema import SchemaError, load_items


def rec(**kw):
    base = {"id": "a", "video": "v.mp4", "fps": 1, "duration": 20, "dimension": "perception", "task": "OU",
            "query_time": 1, "question": "Tell me each time the square changes colour.",
            "answers": [{"text": "the square turned red", "time": 5, "slots": {"object": "square", "color": "red"}},
                        {"text": "the square turned blue", "time": 9}]}
    base.update(kw)
    return base


def write(tmp_path, *recs):
    p = tmp_path / "items.jsonl"
    p.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in recs))
    return p


def test_valid_items_load_with_resolved_paths_and_sorted_answers(tmp_path):
    tg = rec(id="b", dimension="temporal", task="TG",
             answers=[{"text": "from 2s to 6s", "time": 7, "span": [2, 6], "window": [-1, 2], "tau": [1, 3]}])
    eu = rec(id="c", task="EU", answers=[{"text": "moves up", "start": 9, "end": 12}, {"text": "moves left", "start": 3, "end": 8}])
    items = load_items(write(tmp_path, rec(), tg, eu))
    assert items[0].video == str(tmp_path / "v.mp4") and len(items[0].answers) == 2
    assert items[1].answers[0].span == (2, 6) and items[1].window(items[1].answers[0]) == (6, 9)
    assert items[1].tau(items[1].answers[0]) == (1, 3)
    assert [a.text for a in items[2].answers] == ["moves left", "moves up"]  # sorted by time
    assert items[2].window(items[2].answers[0]) == (3, 11)  # EU: [start, end + 3]


@pytest.mark.parametrize("change, message", [
    ({"task": "XX"}, "unknown task type 'XX'"),
    ({"dimension": "temporal"}, "belongs to 'perception'"),
    ({"answers": []}, "field 'answers' is empty"),
    ({"answers": [{"text": "x", "start": 2, "end": 4}]}, r"answers\[0\]: task OU answers at a time"),
    ({"task": "EU", "answers": [{"text": "x", "time": 3}]}, r"answers\[0\]: task EU is an interval task"),
    ({"task": "EU", "answers": [{"text": "x", "start": 5, "end": 4}]}, "is after 'end'"),
    ({"dimension": "temporal", "task": "TG", "answers": [{"text": "x", "time": 3}]}, "TG answers need 'span'"),
    ({"answers": [{"text": "x", "time": 0.5}]}, r"answers\[0\]: best time 0.5..0.5 outside"),
    ({"answers": [{"text": "", "time": 3}]}, "'text' must be a non-empty string"),
    ({"answers": [{"text": "x", "time": 3, "tau": -1}]}, "'tau' must be positive"),
    ({"answers": [{"text": "x", "time": 3, "window": [2, 1]}]}, r"window\[0\] <= window\[1\]"),
    ({"answers": [{"text": "x", "time": 3, "colour": "red"}]}, r"unknown field\(s\) \['colour'\]"),
    ({"options": ["a", "b"]}, "multiple-choice 'options'/'answer' items are retired"),
    ({"query_time": 30}, "outside"),
    ({"fps": 0}, "must be positive"),
])
def test_malformed_records_name_file_line_item_and_field(tmp_path, change, message):
    p = write(tmp_path, rec(id="ok"), rec(**change))
    with pytest.raises(SchemaError, match=message) as e:
        load_items(p)
    assert f"{p}:2 (item 'a')" in str(e.value)


def test_skip_bad_reports_and_goes_on(tmp_path):
    errors = []
    items = load_items(write(tmp_path, rec(id="x"), "{not json", rec(id="x"), rec(id="y", task="??")), errors=errors)
    assert [i.id for i in items] == ["x"] and len(errors) == 3
    assert "invalid JSON" in errors[0] and "duplicates 'x'" in errors[1] and "unknown task type" in errors[2]


def test_missing_and_empty_files(tmp_path):
    with pytest.raises(FileNotFoundError):
        load_items(tmp_path / "nope.jsonl")
    with pytest.raises(SchemaError, match="no items"):
        load_items(write(tmp_path))
