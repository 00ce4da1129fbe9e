"""Content judges. The LLM judge's HTTP path runs against a real OpenAI-compatible server on loopback."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from streampro.bench.judges import (
    ExactJudge,
    JudgeError,
    JudgeRequest,
    LLMJudge,
    RuleJudge,
    build_judge,
    parse_score,
)
from streampro.llm.chat import OpenAIChat
from streampro.llm.settings import LLMSettings


def req(pred, ref="the red square moves up", slots=(("direction", "up"), ("object", "red square"))):
    return JudgeRequest("EU", "Describe each movement of the red square.", ref, pred, slots)


def test_exact_judge():
    assert ExactJudge().score_one(req("The red square moves up.")) == 5
    assert ExactJudge().score_one(req("the red square moves down")) == 0


def test_rule_judge_reads_slots_from_free_text():
    j = RuleJudge()
    assert j.score_one(req("I see the red square moving up now")) == 5
    assert j.score_one(req("the red square moves down")) == 3  # object right, direction wrong
    assert j.score_one(req("the blue square moves up")) == 3  # wrong colour: object slot fails
    assert j.score_one(req("the red or blue square moves up")) == 3  # hedging between colours is wrong
    assert j.score_one(req("something happened")) == 1  # an attempt, factually wrong
    assert j.score_one(req("")) == 0  # no attempt
    stop = req("the red square is still", slots=(("direction", "stop"),))
    assert j.score_one(stop) == 5  # synonyms of a slot value count
    assert j.score_one(req("the red square moves up", slots=())) == 5  # no slots: token F1
    assert j.score_one(req("red square", slots=())) == 1 + round(4 * 2 * 2 / (2 + 4))


def test_parse_score():
    assert parse_score("Score: 4") == 4 and parse_score("score=0") == 0 and parse_score(" 3 ") == 3
    assert parse_score("I would say 7/10") is None
    # the paper's JSON reply, in or out of a code fence, braces in the explanation, the score as a string
    assert parse_score('{"explanation": "close enough", "score": 4}') == 4
    assert parse_score('```json\n{"explanation": "says {red}", "score": "2"}\n```') == 2
    assert parse_score('{"explanation": "great", "score": 9}') is None  # outside 0-5: no score
    assert parse_score('{"explanation": "x", "score": true}') is None


def test_llm_judge_reads_the_papers_json_reply_with_room_for_the_explanation(server, tmp_path):
    FakeLLM.paper_json = True
    j = build_judge("llm", LLMSettings(llm_url=server, llm_model="tiny"), cache=tmp_path / "c.jsonl")
    assert j.score([req("the red square moves up"), req("the red square moves left")]) == [5, 1]
    assert set(FakeLLM.max_tokens_seen) == {256}  # not 16: the explanation comes before the score
    prompt = j.prompt(req("x"))
    for anchor in ("5 = accurate and complete", "4 = correct and sufficiently informative", "3 = partially relevant",
                   "2 = tangential or speculative", "1 = factually wrong", "0 = no attempt", "Be lenient",
                   '{"explanation": "<one sentence>", "score": <0-5>}'):
        assert anchor in prompt, anchor
    short = build_judge("llm", LLMSettings(llm_url=server, llm_model="tiny", llm_max_tokens=32))
    short.score([req("the red square moves up")])
    assert FakeLLM.max_tokens_seen[-1] == 32


class FakeLLM(BaseHTTPRequestHandler):
    """An OpenAI-compatible /v1/chat/completions: a deterministic local 'model' that gives 5 when the
    response line equals the reference line, else 1. ``fail_first`` requests get HTTP 503."""

    calls = 0
    fail_first = 0
    garbage = False
    paper_json = False  # reply as the paper's judge does: {"explanation": ..., "score": n}
    max_tokens_seen: list = []

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).calls += 1
        if type(self).calls <= type(self).fail_first:
            self.send_response(503)
            self.end_headers()
            return
        prompt = body["messages"][0]["content"]
        line = {k: v for k, _, v in (ln.partition(": ") for ln in prompt.splitlines())}
        score = 5 if line["Assistant response"] == line["Reference answer"] else 1
        type(self).max_tokens_seen.append(body.get("max_tokens"))
        text = ("no idea" if self.garbage else
                "```json\n" + json.dumps({"explanation": "The response {matches} the reference.", "score": score}) + "\n```"
                if self.paper_json else f"Score: {score}")
        out = json.dumps({"choices": [{"message": {"role": "assistant", "content": text}}], "model": body["model"]})
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(out.encode())

    def log_message(self, *a):
        pass


@pytest.fixture
def server():
    FakeLLM.calls, FakeLLM.fail_first, FakeLLM.garbage, FakeLLM.paper_json = 0, 0, False, False
    FakeLLM.max_tokens_seen = []
    srv = ThreadingHTTPServer(("127.0.0.1", 0), FakeLLM)
    th = threading.Thread(target=srv.serve_forever, daemon=True)
    th.start()
    yield f"http://127.0.0.1:{srv.server_address[1]}/v1"
    srv.shutdown()
    srv.server_close()


def test_llm_judge_over_http_with_cache(server, tmp_path):
    cache = tmp_path / "cache.jsonl"
    j = build_judge("llm", LLMSettings(llm_url=server, llm_model="tiny", llm_concurrency=4), cache=cache)
    reqs = [req("the red square moves up"), req("the red square moves left"), req("")]
    assert j.score(reqs) == [5, 1, 0]  # an empty response is "no attempt" without a call
    assert FakeLLM.calls == 2 and j.stats == {"calls": 2, "cache_hits": 0}
    again = build_judge("llm", LLMSettings(llm_url=server, llm_model="tiny"), cache=cache)  # a rerun: every score from disk
    assert again.score(reqs) == [5, 1, 0] and FakeLLM.calls == 2 and again.stats["cache_hits"] == 2
    other = build_judge("llm", LLMSettings(llm_url=server, llm_model="other-judge"), cache=cache)  # the key includes the judge
    other.score(reqs[:1])
    assert FakeLLM.calls == 3


def test_llm_judge_retries_then_succeeds_and_fails_clearly(server, tmp_path):
    FakeLLM.fail_first = 2
    j = LLMJudge(OpenAIChat(server, "tiny", max_retries=3, backoff=0.01), cache=None)
    assert j.score_one(req("the red square moves up")) == 5 and FakeLLM.calls == 3
    FakeLLM.calls, FakeLLM.fail_first = 0, 99
    j = LLMJudge(OpenAIChat(server, "tiny", max_retries=1, backoff=0.01), cache=None)
    with pytest.raises(JudgeError, match="failed after 2 attempt"):
        j.score_one(req("x"))
    FakeLLM.fail_first, FakeLLM.garbage = 0, True
    with pytest.raises(JudgeError, match="without a 0-5 score"):
        LLMJudge(OpenAIChat(server, "tiny", backoff=0.01), cache=None).score_one(req("x"))


def test_llm_judge_unreachable_endpoint_and_custom_prompt(tmp_path):
    j = LLMJudge(OpenAIChat("http://127.0.0.1:9/v1", "tiny", timeout=0.5, max_retries=1, backoff=0.01))
    with pytest.raises(JudgeError, match="127.0.0.1:9"):
        j.score_one(req("x"))
    tpl = tmp_path / "p.txt"
    tpl.write_text("Q={question} R={reference} P={prediction}")
    j = LLMJudge(OpenAIChat("http://127.0.0.1:9/v1", "tiny"), prompt_file=tpl)
    assert j.prompt(req("hi")) == "Q=Describe each movement of the red square. R=the red square moves up P=hi"
    with pytest.raises(ValueError, match="needs --llm-model"):
        build_judge("llm", LLMSettings(llm_url="http://127.0.0.1:9/v1"))
    with pytest.raises(ValueError, match="unknown judge"):
        build_judge("nope")
