import json

import pytest

from streampro.bench.schema import SchemaError, load_items

GOOD = {"id": "x1", "video": "v.mp4", "fps": 2, "duration": 10, "dimension": "proactive", "task": "race_winner",
        "query_time": 0.5, "question": "Which?", "options": ["a", "b"], "answer": "a",
        "decidable_time": 3.0, "outcome_time": 6.0}


def write(tmp_path, recs):
    p = tmp_path / "items.jsonl"
    p.write_text("\n".join(r if isinstance(r, str) else json.dumps(r) for r in recs) + "\n")
    return p


def test_good_record_loads_and_resolves_video(tmp_path):
    items = load_items(write(tmp_path, [GOOD]))
    assert items[0].answer_index == 0 and items[0].video == str(tmp_path / "v.mp4")


@pytest.mark.parametrize("patch,needle", [
    ({"task": "teleport"}, "unknown task type 'teleport'"),
    ({"answer": "c"}, "field 'answer'"),
    ({"options": ["a"]}, "field 'options'"),
    ({"dimension": "perception"}, "belongs to 'proactive'"),
    ({"decidable_time": 7.0}, "decidable_time"),
    ({"fps": "fast"}, "field 'fps'"),
    ({"outcome_time": None}, "need 'decidable_time' and 'outcome_time'"),
    ({"bogus": 1}, "unknown field"),
])
def test_bad_records_name_file_line_field(tmp_path, patch, needle):
    rec = {**GOOD, **patch}
    rec = {k: v for k, v in rec.items() if v is not None}
    path = write(tmp_path, [GOOD | {"id": "ok"}, rec])
    with pytest.raises(SchemaError) as e:
        load_items(path)
    assert f"{path}:2" in str(e.value) and needle in str(e.value)


def test_invalid_json_and_skip_bad(tmp_path):
    path = write(tmp_path, [GOOD, "{not json", GOOD | {"id": "x2"}])
    with pytest.raises(SchemaError, match=r":2: invalid JSON"):
        load_items(path)
    errors: list[str] = []
    items = load_items(path, errors=errors)
    assert [i.id for i in items] == ["x1", "x2"] and len(errors) == 1


def test_duplicate_ids_rejected(tmp_path):
    with pytest.raises(SchemaError, match="duplicates"):
        load_items(write(tmp_path, [GOOD, GOOD]))
