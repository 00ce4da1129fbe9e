"""The lmms-eval plug-in (runs where lmms-eval is installed; `.ci/run` installs it without its heavy deps)."""

import pytest
from conftest import Scripted

pytest.importorskip("lmms_eval")


def test_plugin_is_registered_streams_the_clip_then_answers(small_items):
    from lmms_eval.api.instance import Instance
    from lmms_eval.models import get_model

    from streampro.data.video import decode_video
    from streampro.integrations.lmms_eval import StreamProLMM

    assert get_model("streampro") is StreamProLMM  # found through the `lmms_eval.models` entry point
    lm = StreamProLMM.create_from_arg_string("model=random,fps=1", {"batch_size": 1, "device": None})
    video = small_items[0].video
    lm.model = Scripted({"demo-test-0": "B"})
    lm.task_dict = {"demo": {"test": [{"video": video}]}}
    prompt = "Question: How many objects are on screen now?\nOptions: A. 1; B. 2\nAnswer with the letter."
    meta = {"task": "demo", "doc_id": 0, "repeats": 1}
    req = Instance("generate_until", (prompt, {"until": ["\n"]}, lambda doc: [doc["video"]], 0, "demo", "test"), 0, meta)
    assert lm.generate_until([req]) == ["B"]
    last_seen, _, got_prompt = lm.model.seen["demo-test-0"]
    frames, fps = decode_video(video, fps=1)
    assert last_seen == pytest.approx(len(frames) - 1) and got_prompt == prompt  # the whole clip, the task's prompt
    lm.task_dict = {"demo": {"test": [{"video": None}]}}
    with pytest.raises(ValueError, match="needs a video path"):
        lm.generate_until([Instance("generate_until", (prompt, {}, lambda doc: [], 0, "demo", "test"), 0, meta)])
    with pytest.raises(NotImplementedError, match="loglikelihood"):
        lm.loglikelihood([req])


def test_lmms_eval_cli_runs_a_tiny_offline_task_with_the_streampro_model(small_items, tmp_path):
    """lmms-eval as its users run it (`pip install -e ".[lmms]"`): its own CLI, a local task shipped with the
    tests (tests/lmms_tasks/streampro_tiny), the streampro model found through the entry point, and the task's
    generation settings (max_new_tokens, until) reaching the model."""
    import json
    import os
    import subprocess
    import sys
    from pathlib import Path

    pytest.importorskip("datasets", reason='the lmms-eval CLI needs its dependencies: pip install -e ".[lmms]"')
    tasks = Path(__file__).parent / "lmms_tasks"
    docs = [{"video": it.video, "question": "Which object appears first?", "options": ["a circle", "a square"],
             "answer": "A"} for it in small_items[:3]]
    (tmp_path / "streampro_tiny.jsonl").write_text("".join(json.dumps(d) + "\n" for d in docs))
    env = {**os.environ, "HF_DATASETS_OFFLINE": "1", "HF_HUB_OFFLINE": "1", "OMP_NUM_THREADS": "1"}
    r = subprocess.run([sys.executable, "-m", "lmms_eval", "--model", "streampro", "--model_args",
                        "model=random,fps=1", "--tasks", "streampro_tiny", "--include_path", str(tasks),
                        "--batch_size", "1", "--output_path", str(tmp_path / "out"), "--log_samples"],
                       cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, (r.stdout[-3000:], r.stderr[-5000:])
    results = [json.loads(p.read_text()) for p in (tmp_path / "out").rglob("*results*.json")]
    assert results, list((tmp_path / "out").rglob("*"))
    acc = results[0]["results"]["streampro_tiny"]
    assert any(k.startswith("accuracy") for k in acc) and 0.0 <= acc[next(k for k in acc if k.startswith("accuracy"))] <= 1.0


def test_generation_settings_reach_the_model():
    from streampro.integrations.lmms_eval import _max_new_tokens, cut_at

    assert cut_at("B\nbecause", ["\n"]) == "B" and cut_at("B. fine", ".") == "B" and cut_at("B", None) == "B"

    class Model:
        class cfg:  # noqa: N801 - a config object, as the HF adapter has
            max_new_tokens = 16

    m = Model()
    with _max_new_tokens(m, 4):
        assert m.cfg.max_new_tokens == 4
    assert m.cfg.max_new_tokens == 16
