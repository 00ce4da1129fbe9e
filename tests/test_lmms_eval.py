"""The lmms-eval plug-in (runs where lmms-eval is installed; `.ci/run` installs it without its heavy deps)."""

import pytest
from conftest import Scripted

pytest.importorskip("lmms_eval")


def test_plugin_is_registered_streams_the_clip_then_answers(small_items):
    from lmms_eval.api.instance import Instance
    from lmms_eval.models import get_model

    from streampro.bench.video import decode_video
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
