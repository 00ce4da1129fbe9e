"""StreamingBench Proactive Output, by the official polling protocol and count.py's rule (hand-checked)."""

import json

import pytest
from conftest import Scripted
from typer.testing import CliRunner

from streampro.bench.benchmarks.po import evaluate_po
from streampro.cli import app
from streampro.data.fixtures import make_po_fixture
from streampro.data.formats.streamingbench import load_po
from streampro.data.schema import SchemaError


class Timed(Scripted):
    """Says "yes" once it has seen the frame at ``say_at[qid]``; then answers ``text[qid]``."""

    def __init__(self, say_at, text):
        super().__init__({})
        self.say_at, self.text, self.polls = say_at, text, []

    def answer_now(self, q):
        qid = q.id.split("@")[0]
        if "Is it the right time" in q.prompt:
            self.polls.append((qid, q.time, self.last))
            return "Yes." if self.last >= self.say_at[qid] else "no"
        return self.text[qid]


def test_po_protocol_and_count_rule_hand_checked(tmp_path):
    qfile = make_po_fixture(tmp_path, n_videos=2)
    qs = load_po(qfile, tmp_path)
    a, b = qs
    # a: says yes exactly at the ground truth, right text -> time and answer correct
    # b: says yes 3 s late (outside +-2) -> neither
    m = Timed({a.qid: a.truth, b.qid: b.truth + 3}, {a.qid: f"It is {a.output} now", b.qid: b.output})
    s = evaluate_po(qs, m, tmp_path / "run", fps=2.0, progress=False)
    assert s["n"] == 2 and s["time_accuracy"] == 50.0 and s["answer_accuracy"] == 50.0
    polls_a = [t for qid, t, _ in m.polls if qid == a.qid]
    assert polls_a == list(range(a.start + 1, a.truth + 1))  # once per second from time_stamp + 1 until "yes"
    assert all(seen <= t + 1e-6 for _, t, seen in m.polls)  # never a frame after the poll time
    polls_b = [t for qid, t, _ in m.polls if qid == b.qid]
    assert polls_b[-1] == b.truth + 3
    rec = {r["qid"]: r for r in map(json.loads, (tmp_path / "run" / "predictions.jsonl").read_text().splitlines())}
    assert rec[a.qid]["answered"] == a.truth and rec[a.qid]["dialog_history"][-1]["content"] == f"It is {a.output} now"
    # never "yes": polling ends at ground truth + 4, the last turn is a "no" at that time -> wrong
    never = Timed({a.qid: 1e9, b.qid: 1e9}, {})
    s2 = evaluate_po(qs, never, tmp_path / "never", fps=2.0, progress=False)
    assert s2["time_accuracy"] == 0 and max(t for _, t, _ in never.polls) == max(q.truth + 4 for q in qs)
    # resume: nothing is asked again
    again = Timed({}, {})
    assert evaluate_po(qs, again, tmp_path / "run", fps=2.0, progress=False)["answer_accuracy"] == 50.0
    assert again.polls == []


def test_po_cli_writes_the_official_layout_and_rejects_bad_files(tmp_path):
    qfile = make_po_fixture(tmp_path / "fx", n_videos=2)
    r = CliRunner().invoke(app, ["po", "--questions", str(qfile), "--videos", str(tmp_path / "fx"), "--model", "random",
                                 "--out", str(tmp_path / "o"), "--fps", "2"])
    assert r.exit_code == 0, r.output
    data = json.loads((tmp_path / "o" / "official_results.json").read_text())
    got = data[0]["questions"][0]["random"]
    assert set(got) == {"answered", "dialog_history"} and got["dialog_history"][0]["role"] == "user"
    bad = json.loads(qfile.read_text())
    del bad[1]["questions"][0]["ground_truth_output"]
    (tmp_path / "bad.json").write_text(json.dumps(bad))
    with pytest.raises(SchemaError, match="entry 1, question 0: missing or non-string field 'ground_truth_output'"):
        load_po(tmp_path / "bad.json", tmp_path / "fx")
