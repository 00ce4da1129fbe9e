"""The LLM trajectory rubric (paper Eq. 7 for real data): designed and graded by an LLM over real HTTP on
loopback, cached; and a GRPO step that takes its content judge and rubric from that endpoint."""

import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from streampro.bench.judges import JudgeError, RuleJudge
from streampro.core.types import Response
from streampro.llm.chat import OpenAIChat
from streampro.train.rewards import compute_rewards, r_traj
from streampro.train.rubric import LLMRubric, WorldRubric, build_rubric, parse_checks, parse_verdicts


def _section(prompt: str, head: str) -> list[str]:
    """The lines after ``head`` up to the next blank line."""
    lines = prompt.split(head, 1)[1].splitlines()[1:]
    out = []
    for ln in lines:
        if not ln.strip():
            break
        out.append(ln)
    return out


def fake_model(prompt: str) -> str:
    """A deterministic 'LLM' that really reads the prompts: the designer writes one check per reference
    answer plus two general ones; the grader checks them against the transcript; the judge compares."""
    if "binary checks" in prompt:
        refs = [ln.split(": ", 1)[1] for ln in _section(prompt, "Reference answers:")]
        return "```json\n" + json.dumps([f'Reports "{r}"' for r in refs] + ["Responds at least once",
                                         "Says nothing beyond the reference answers"]) + "\n```"
    if "Rubric:" in prompt:
        refs = {ln.split(": ", 1)[1] for ln in _section(prompt, "Reference answers:")}
        said = [ln.split(": ", 1)[1] for ln in _section(prompt, "(time in seconds: text):") if ": " in ln]
        verdicts = []
        for ln in _section(prompt, "Rubric:"):
            num, _, check = ln.partition(". ")
            m = re.fullmatch(r'Reports "(.*)"', check)
            ok = (m.group(1) in said) if m else bool(said) if check.startswith("Responds") else set(said) <= refs
            verdicts.append(f"{num}: {'yes' if ok else 'no'}")
        return "\n".join(verdicts)
    line = {k: v for k, _, v in (ln.partition(": ") for ln in prompt.splitlines())}
    return f"Score: {5 if line['Assistant response'] == line['Reference answer'] else 1}"


class Chat(BaseHTTPRequestHandler):
    calls = 0
    reply = staticmethod(fake_model)

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).calls += 1
        text = type(self).reply(body["messages"][0]["content"])
        out = json.dumps({"choices": [{"message": {"role": "assistant", "content": text}}]}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(out)

    def log_message(self, *a):
        pass


@pytest.fixture
def llm():
    Chat.calls, Chat.reply = 0, staticmethod(fake_model)
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Chat)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{srv.server_address[1]}/v1"
    srv.shutdown()
    srv.server_close()


def _multi(items):
    return next(i for i in items if len(i.answers) >= 2)


def test_designer_replies_in_the_papers_object_form_or_unusably():
    objs = json.dumps([{"check": "Reports the red square", "dimension": "coverage"},
                       {"check": "Answers in order", "dimension": "sequencing"}])
    assert parse_checks(f"```json\n{objs}\n```", 10) == ["Reports the red square", "Answers in order"]
    assert parse_checks('[{"check": "A", "dimension": "x"},]', 10) == []  # broken JSON objects: no checks, not "[", "]"
    assert parse_checks("[\n  1,\n  2\n]", 10) == []


def test_parsers():
    assert parse_checks('Sure:\n```json\n["a", "b"]\n```', 10) == ["a", "b"]
    assert parse_checks("1. first check\n2) second\n- third", 2) == ["first check", "second"]
    assert parse_checks('["a", "a", " b "]', 10) == ["a", "b"]
    assert parse_verdicts("1: yes\n2: No\n3. pass", 3) == [True, False, True]
    with pytest.raises(JudgeError, match=r"check\(s\) \[2\]"):
        parse_verdicts("1: yes\n3: no", 3)


def test_llm_rubric_designs_once_grades_and_caches(llm, small_items, tmp_path):
    it = _multi(small_items)
    n = len({a.text for a in it.answers})  # the designer writes one check per distinct answer
    rubric = build_rubric("llm", OpenAIChat(llm, "tiny", max_tokens=512), cache=tmp_path / "c.jsonl")
    perfect = [Response(it.id, a.text, a.best[0]) for a in it.answers]
    s, checks = r_traj(it, perfect, None, rubric)
    assert s == 1.0 and len(checks) == n + 2 and Chat.calls == 2  # one design, one grading
    s, checks = r_traj(it, [], None, rubric)  # silent: only "nothing beyond the references" holds
    assert s == pytest.approx(1 / (n + 2)) and Chat.calls == 3  # the design came from the cache
    wrong = [Response(it.id, "a green triangle exploded", it.answers[0].best[0])]
    assert r_traj(it, wrong, None, rubric)[0] == pytest.approx(1 / (n + 2))  # responds, but hallucinates
    assert rubric.stats == {"calls": 4, "cache_hits": 2}
    again = LLMRubric(OpenAIChat(llm, "tiny"), cache=tmp_path / "c.jsonl")  # a rerun: all from disk
    assert r_traj(it, perfect, None, again)[0] == 1.0 and Chat.calls == 4
    # the world rubric needs no LLM and agrees on the extremes
    j = RuleJudge()
    assert r_traj(it, perfect, j, WorldRubric())[0] > r_traj(it, [], j, WorldRubric())[0]


def test_llm_rubric_bad_replies_fail_clearly_and_are_not_cached(llm, small_items, tmp_path):
    it = _multi(small_items)
    Chat.reply = staticmethod(lambda p: "I cannot help with that." if "Rubric:" in p else fake_model(p))
    rubric = LLMRubric(OpenAIChat(llm, "tiny", max_retries=0), cache=tmp_path / "c.jsonl")
    with pytest.raises(JudgeError, match="no yes/no"):
        r_traj(it, [], None, rubric)
    Chat.reply = staticmethod(fake_model)
    assert r_traj(it, [], None, LLMRubric(OpenAIChat(llm, "tiny"), cache=tmp_path / "c.jsonl"))[0] < 1
    with pytest.raises(ValueError, match="needs an LLM"):
        build_rubric("llm")
    with pytest.raises(ValueError, match="unknown rubric"):
        build_rubric("nope")


def test_weight_zero_llm_rubric_makes_no_call(llm, small_items):
    it = _multi(small_items)
    rubric = LLMRubric(OpenAIChat(llm, "tiny"))
    total, parts = compute_rewards(it, [], [[4]], (4, 5, 3), {"format": 0.1, "turn": 0.9, "traj": 0.0}, rubric=rubric)
    assert parts["traj"] == 0.0 and Chat.calls == 0 and total == pytest.approx(0.1)
    # the free world rubric is still computed (and logged) at weight 0
    _, parts = compute_rewards(it, [], [[4]], (4, 5, 3), {"format": 0.1, "turn": 0.9, "traj": 0.0}, rubric=WorldRubric())
    assert parts["traj"] > 0


@pytest.mark.slow
def test_grpo_with_llm_judge_and_rubric(llm, small_bench, tmp_path):
    """Two GRPO steps whose turn reward is judged and whose rubric is written and graded by the HTTP LLM."""
    from streampro.train.grpo import GRPOConfig, train_grpo
    from streampro.train.sft import SFTConfig, train_sft

    init = train_sft(SFTConfig(train=str(small_bench), out=str(tmp_path / "sft"), steps=1, batch_size=2,
                               model={"d_model": 32, "n_layers": 1, "n_heads": 2}), progress=False)
    cfg = GRPOConfig(init=str(init), train=str(small_bench), out=str(tmp_path / "grpo"), steps=2, items_per_step=2,
                     group_size=3, judge="llm", rubric="llm", llm_url=llm, llm_model="tiny")
    train_grpo(cfg, progress=False)
    log = [json.loads(line) for line in (tmp_path / "grpo" / "log.jsonl").read_text().splitlines()]
    assert len(log) == 2 and log[-1]["rubric/calls"] >= 2 and "reward/traj" in log[0]
    cache = [json.loads(line) for line in (tmp_path / "grpo" / "llm_cache.jsonl").read_text().splitlines()]
    assert any(isinstance(rec["score"], list) and isinstance(rec["score"][0], str) for rec in cache)  # designs
    assert Chat.calls == log[-1]["rubric/calls"] + log[-1].get("judge/calls", 0)
