"""Live captioning in the procedural world: training data only, never a benchmark question.

The paper's SFT data is "real-time streaming and proactive data (event/action captioning, EU, OU, TP, TG)";
its base model (Qwen2.5-VL / Qwen3-VL) can already say "a man fell" before any StreamPro training. Our
StreamPro-Small starts from nothing, so without captioning data the paper's task split leaves words it
needs in RL untrained: Anomaly Alert (RL only) asks for "vanished", "froze", "jumped", "split" — never an
SFT target — and GRPO cannot sample a word whose logit SFT has pushed down. A CAP item narrates every
event of a scene as it happens (an object appears, changes colour, or shows one of the world's anomalies),
in the same words the tasks use, with no question-specific selection: which events to report, and how
early, is what the benchmark's questions (and RL) ask for. docs/training.md, "Captioning data".

ACT (action captioning) narrates an agent's actions: the white circle walks to coloured squares and each arrival is
said as it happens ("in the red square"). Its scenes are drawn as Goal Planning's are (no goal is stated),
so it teaches the moment GP answers are due and the words "the red square" — not GP's content, the *next*
square of a stated plan, which stays for RL (issue 18, round 16; docs/training.md).

TRK (plan tracking, issue 18 round 20) is ACT with GP's stated plan: the same scenes and arrival answers ("in the red
square"), asked as GP asks but for the step just completed ("... tell me the step."). A pretrained VLM can already
follow a stated plan through a video; StreamPro-Small cannot, and round 20 found GRPO answering GP with one fixed
colour per stream instead of following the plan. TRK teaches following it; naming the *next* square stays for RL
(which, measured, does not learn it from there: docs/results.md, round 20).

RCT (plan recital, issue 18 round 21) is GP's content without GP's video: the plan stated as GP states it, and at each
cue — a white shape appearing; the scene shows nothing else — GP's answer ("next, go to the blue square", then "the
goal is complete"). A pretrained VLM can recite a stated list one step at a time; StreamPro-Small has no such prior,
and the greedy answers it gives GP after GRPO repeat one colour (round 20). Since an answer stays in the context
(models/small/modeling.py's layout), each step's square is the plan's square after the one the last answer named:
a text pattern, which RCT teaches with timing cues that say nothing about the plan. Ours, outside the paper's split.
"""

from __future__ import annotations

import numpy as np

from ..core.vocab import ANOMALIES
from ..world.config import WorldConfig
from ..world.scene import COLORS, SHAPES, Body, Scene
from ..world.timing import lead_in, span
from .world_tasks import (
    ItemSpec,
    _pick,
    _spec,
    _spread_points,
    _wanderer,
    enact_anomaly,
    next_step_answers,
    plan_question,
    require_moving_before,
    visit_scene,
)

CAPTION_QUESTION = "Describe what happens to the objects, as it happens."


def make_cap(rng: np.random.Generator, cfg: WorldConfig, seed: int) -> tuple[Scene, list[ItemSpec]]:
    """Three wandering objects; two or three of them change colour or show an anomaly (one event each,
    half and half), and with probability 1/2 a fourth object appears; every event is one answer at the
    first frame that shows it."""
    size = cfg.size
    palette = [c for c in COLORS if c != "white"]
    bodies = [_wanderer(rng, size, s, c, speed=(2.5, 4.0))
              for s, c in zip(_pick(rng, SHAPES, 4), _pick(rng, palette, 4), strict=True)]
    events = [(v, "turned" if rng.random() < 0.5 else ANOMALIES[int(rng.integers(len(ANOMALIES)))])
              for v in _pick(rng, [0, 1, 2], int(rng.integers(2, 4)))]
    if rng.random() < 0.5:
        events.append((3, "appears"))
    else:
        bodies.pop()
    events = [events[i] for i in rng.permutation(len(events))]
    q = int(rng.integers(1, 4))
    frames = _event_frames(rng, cfg, q, len(events))
    if len(bodies) == 4:
        bodies[3].appear = frames[[v for v, _ in events].index(3)]
    scene = Scene(seed, cfg.fps, frames[-1] + 7, size, bodies)
    answers = []
    for (v, kind), f in zip(events, frames, strict=True):
        b = bodies[v]
        if kind == "appears":
            answers.append({"text": f"the {b.name} appears", "time": scene.t(f), "slots": {"object": b.name}})
        elif kind == "turned":
            c = [c for c in palette if c != b.color][int(rng.integers(len(palette) - 1))]
            b.color_changes = [(f, c)]
            answers.append({"text": f"the {b.shape} turned {c}", "time": scene.t(f),
                            "slots": {"object": b.shape, "color": c}})
        else:
            answers.append(enact_anomaly(rng, scene, v, kind, f))
    require_moving_before(scene, [(v, f) for (v, kind), f in zip(events, frames, strict=True) if kind in ANOMALIES])
    return scene, [_spec("CAP", "perception", q, scene, CAPTION_QUESTION, answers)]


def make_act(rng: np.random.Generator, cfg: WorldConfig, seed: int) -> tuple[Scene, list[ItemSpec]]:
    """An agent visits 3-4 squares (world_tasks.visit_scene); every arrival is one answer at the first frame in
    which the agent touches the square."""
    scene, _, answers = _arrivals(rng, cfg, seed)
    return scene, [_spec("ACT", "perception", 1, scene, CAPTION_QUESTION, answers)]


def make_trk(rng: np.random.Generator, cfg: WorldConfig, seed: int) -> tuple[Scene, list[ItemSpec]]:
    """ACT's scene and answers under GP's question with the plan stated, asking for the step just completed."""
    scene, named, answers = _arrivals(rng, cfg, seed)
    return scene, [_spec("TRK", "perception", 1, scene, plan_question(named, "tell me the step"), answers)]


def make_rct(rng: np.random.Generator, cfg: WorldConfig, seed: int) -> tuple[Scene, list[ItemSpec]]:
    """A plan of 3-4 squares (drawn as GP's are) recited at cues: white shapes appearing one at a time, spaced as
    CAP's events; the ``j``-th cue's answer is GP's ``j``-th (the plan's square ``j + 1``, then the goal)."""
    size = cfg.size
    n = int(rng.integers(3, 5))
    named = _pick(rng, [c for c in COLORS if c != "white"], n)
    shapes = [s for s in SHAPES if s != "circle"]  # the white circle is GP's agent
    cues = [Body(shapes[int(rng.integers(len(shapes)))], "white", 0.07 * size, float(p[0]), float(p[1]))
            for p in _spread_points(rng, n, 0.15 * size, 0.85 * size, 0.2 * size)]
    q = int(rng.integers(1, 4))
    frames = _event_frames(rng, cfg, q, n)
    for body, k in zip(cues, frames, strict=True):
        body.appear = k
    scene = Scene(seed, cfg.fps, frames[-1] + 4, size, cues)
    question = plan_question(named, "tell me the next step", when="a new shape appears")
    return scene, [_spec("RCT", "perception", q, scene, question, next_step_answers(scene, named, frames))]


def _event_frames(rng: np.random.Generator, cfg: WorldConfig, q: int, count: int) -> list[int]:
    """Frames of ``count`` events after a question at frame ``q``: gaps drawn by ``span(3, 9)``, the first also
    after a lead-in (CAP's events, RCT's cues)."""
    frames, k = [], q
    for _ in range(count):
        k += span(rng, cfg, 3, 9) + (lead_in(rng, cfg) if not frames else 0)
        frames.append(k)
    return frames


def _arrivals(rng: np.random.Generator, cfg: WorldConfig, seed: int) -> tuple[Scene, list[str], list[dict]]:
    """GP's scene (world_tasks.visit_scene), the squares in visiting order, and one answer per arrival."""
    scene, named, arrival = visit_scene(rng, cfg, seed)
    answers = [{"text": f"in the {c} square", "time": scene.t(k), "slots": {"object": f"{c} square"}}
               for c, k in zip(named, arrival, strict=True)]
    return scene, named, answers
