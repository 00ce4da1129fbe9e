"""Behaviour unchanged across refactors: the public commands reproduce the recorded golden outputs
(``tests/golden/capture.py``: bench, generate, eval/score, rtvu/po/ovo on their fixtures, a short SFT +
GRPO run down to per-tensor weight sums)."""

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent / "golden"))

from capture import GOLDEN, capture  # noqa: E402


def test_outputs_equal_the_recorded_golden(tmp_path):
    want = json.loads(GOLDEN.read_text())
    got = json.loads(json.dumps(capture(tmp_path)))  # tuples -> lists, as stored
    assert sorted(got) == sorted(want)
    for key in sorted(want):
        assert got[key] == want[key], f"{key} differs from tests/golden/outputs.json"
