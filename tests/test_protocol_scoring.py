import json

import pytest

from streampro.bench.evaluate import evaluate
from streampro.bench.protocol import StreamQuery, run_stream
from streampro.bench.schema import Item
from streampro.bench.scoring import aggregate, parse_choice, proactive_credit, score_item
from streampro.bench.video import VideoError
from streampro.models.base import Query, Response, StreamingModel
from streampro.models.registry import build_model


class Spy(StreamingModel):
    """Records what it is given; speaks every frame."""

    def __init__(self):
        self.log = []

    def add_query(self, q):
        super().add_query(q)
        self.log.append(("query", q.id, q.time))

    def step(self, frame):
        self.log.append(("frame", frame.index, frame.time))
        return [Response(qid, "x") for qid in self.queries]


def test_runner_never_peeks_and_posts_queries_before_their_frame(small_items):
    its = [i for i in small_items if i.video == small_items[0].video]
    spy = Spy()
    qs = [StreamQuery(Query(i.id, i.question, tuple(i.options), i.query_time), i.close_time) for i in its]
    resp = run_stream(spy, its[0].video, its[0].fps, its[0].duration, qs)
    times = [t for kind, _, t in spy.log if kind == "frame"]
    assert times == sorted(times) and times == [k / its[0].fps for k in range(len(times))]
    for i in its:
        qpos = spy.log.index(("query", i.id, i.query_time))
        frames_before = [e for e in spy.log[:qpos] if e[0] == "frame"]
        assert all(t < i.query_time for _, _, t in frames_before)  # posted before its own frame
        assert all(i.query_time <= r.time <= i.close_time for r in resp[i.id])  # stamped by the clock
    assert times[-1] <= max(i.close_time for i in its) + 1e-9  # stops once every query is closed


def test_parse_choice():
    opts = ["red circle", "blue square", "left", "3"]
    assert parse_choice("Red circle.", opts) == 0
    assert parse_choice("B", opts) == 1 and parse_choice("(C)", opts) == 2 and parse_choice("D. 3", opts) == 3
    assert parse_choice("I think it is the blue square", opts) == 1
    assert parse_choice("purple", opts) is None and parse_choice("red circle or blue square", opts) is None


def _item(**kw):
    base = dict(id="p", video="v", fps=2, duration=20, dimension="proactive", task="race_winner", query_time=1.0,
                question="q", options=["a", "b", "c", "d"], answer="b", decidable_time=4.0, outcome_time=10.0)
    return Item(**(base | kw))


@pytest.mark.parametrize("t,text,credit,timing", [
    (2.0, "b", 1.0, "early"), (4.0, "b", 1.0, "on_time"), (7.0, "b", 0.5, "on_time"), (8.5, "b", 0.25, "on_time"),
    (10.0, "b", 0.0, "late"), (5.0, "a", 0.0, "on_time"),
])
def test_proactive_credit_hand_computed(t, text, credit, timing):
    s = score_item(_item(), [Response("p", "b", t + 0.5), Response("p", text, t)])  # order-independent
    assert s.credit == pytest.approx(credit) and s.timing == timing and s.n_responses == 2
    assert proactive_credit(7.0, 4.0, 10.0) == pytest.approx(0.5)


def test_perception_window_and_first_answer_only():
    it = _item(dimension="perception", task="count_on_screen", decidable_time=1.0, outcome_time=None, deadline=4.0)
    assert score_item(it, [Response("p", "b", 1.0)]).credit == 1.0
    assert score_item(it, [Response("p", "b", 4.5)]).credit == 0.0  # after the deadline
    assert score_item(it, [Response("p", "a", 1.0), Response("p", "b", 1.5)]).credit == 0.0  # first answer counts
    assert score_item(it, []).timing == "missed"


def test_chance_correction_and_overall():
    scores = [dict(task="race_winner", dimension="proactive", credit=c, chance=0.25, correct=c > 0, answered=True,
                   timing="on_time", delay=0.0, n_responses=1) for c in (1, 0, 0, 0)]  # raw 25% = chance
    agg = aggregate(scores)
    assert agg["tasks"]["race_winner"]["chance_corrected"] == pytest.approx(0.0)
    scores += [dict(task="count_on_screen", dimension="perception", credit=1.0, chance=0.25, correct=True, answered=True,
                    timing="on_time", delay=0.0, n_responses=1)]
    agg = aggregate(scores)
    assert agg["overall"] == pytest.approx((100 + 0) / 2)


def test_reference_models_anchor_the_scale(small_items, tmp_path):
    got = {}
    for name in ("oracle", "reactive", "random", "silent"):
        s = evaluate(small_items, build_model(name, small_items), tmp_path / name, progress=False)
        got[name] = {d: v["score"] for d, v in s["dimensions"].items()} | {"overall": s["overall"]}
    assert got["oracle"] == pytest.approx({"perception": 100, "temporal": 100, "proactive": 100, "overall": 100})
    assert got["reactive"]["perception"] == 100 and got["reactive"]["temporal"] == 100
    assert got["reactive"]["proactive"] == 0
    assert 5 <= got["random"]["perception"] <= 55 and 5 <= got["random"]["temporal"] <= 55
    assert got["random"]["proactive"] <= 20
    assert got["silent"]["overall"] == 0


def test_resume_after_interruption(small_items, tmp_path):
    class Boom(RuntimeError):
        pass

    def die(n):
        if n == 2:
            raise Boom

    model = build_model("oracle", small_items)
    with pytest.raises(Boom):
        evaluate(small_items, model, tmp_path, progress=False, on_video=die)
    pred = tmp_path / "predictions.jsonl"
    kept = [json.loads(line)["id"] for line in pred.read_text().splitlines()]
    assert 0 < len(kept) < len(small_items)
    with pred.open("a") as f:
        f.write('{"id": "torn')  # a write cut off mid-line
    seen = []
    s = evaluate(small_items, model, tmp_path, progress=False, on_video=seen.append)
    ids = [json.loads(line)["id"] for line in pred.read_text().splitlines()]
    assert ids[: len(kept)] == kept and sorted(ids) == sorted(i.id for i in small_items)
    assert s["complete"] and s["overall"] == pytest.approx(100)
    assert len(seen) < len({i.video for i in small_items})  # finished videos were not re-streamed


def test_bad_video_clear_error_and_skip(small_items, tmp_path):
    its = [i for i in small_items[:6]]
    broken = tmp_path / "broken.mp4"
    broken.write_bytes(b"\x00\x00\x00 ftypisom garbage" * 10)
    its[0] = Item(**{**its[0].__dict__, "video": str(broken)})
    its[1] = Item(**{**its[1].__dict__, "id": its[1].id + "-missing", "video": str(tmp_path / "nope.mp4")})
    model = build_model("oracle", its)
    with pytest.raises(VideoError, match="broken.mp4"):
        evaluate(its, model, tmp_path / "a", progress=False)
    s = evaluate(its, model, tmp_path / "b", progress=False, skip_bad=True)
    skipped = {r["id"] for r in s["skipped"]}
    assert its[0].id in skipped and its[1].id in skipped
    assert s["complete"] and s["n_items"] == len(its) - len(skipped)
