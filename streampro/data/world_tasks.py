"""The seven StreamPro-Bench tasks in the procedural world, with answers read off the simulation.

Each builder draws a scene from a seeded generator and returns it with question specs (dicts of the
item fields). Times are frame times (``k / fps``). The answer-time conventions, also in docs/format.md:

* EU (steps of one object's movement): an answer per step, over the frames that *show* the step —
  from the first frame whose displacement reveals the new heading to the frame where the step ends.
* OU (colour changes of a named object): the first frame showing the new colour.
* AA (vanish / freeze / jump / split): the first frame showing the anomaly.
* TP (objects that appear after a target object): an answer per later object, over its visible frames.
* TG (one movement step, named by its direction): the first frame showing that the step has ended;
  ``span`` is the step's [start, end] in seconds.
* GP (visit coloured squares in a stated order): at each arrival, the next step; the arrival frame is
  the first frame in which the agent touches the square — visible by the best time.
* RF (an agent walks over hazards): a warning at the first frame where the straight-line time to
  contact, computed from the position and displacement shown so far, is <= 3 s; advice is to steer
  away from the side the hazard lies on. Computed from observed frames only (no future), so the
  warning is always decidable at its best time, and it precedes the contact it warns about.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..core.items import TIME_EPS
from ..core.vocab import ANOMALIES
from ..core.vocab import DIRECTIONS as DIRECTION_NAMES
from ..world.config import WorldConfig
from ..world.scene import COLORS, SHAPES, Body, Scene, time_to_contact
from ..world.timing import lead_in, span

ItemSpec = dict[str, Any]
DIRECTIONS = dict(zip(DIRECTION_NAMES, ((0.0, -1.0), (0.0, 1.0), (-1.0, 0.0), (1.0, 0.0)), strict=True))
RF_WARN_SECONDS = 3.0


class GenerationFailed(RuntimeError):
    """A sampled scene does not meet a task's constraints; the caller draws another seed."""


def _pick(rng: np.random.Generator, seq, n: int) -> list:
    return [seq[i] for i in rng.choice(len(seq), n, replace=False)]


def _fmt(t: float) -> str:
    return f"{t:g}"


def _spec(task: str, dim: str, q: int, scene: Scene, question: str, answers: list[dict], **meta) -> ItemSpec:
    return {"dimension": dim, "task": task, "query_time": scene.t(q), "question": question, "answers": answers,
            "meta": {"query_frame": q, **meta}}


def _wanderer(rng: np.random.Generator, size: int, shape: str, color: str, speed=(1.5, 3.0)) -> Body:
    r = float(rng.uniform(0.07, 0.09) * size)
    x, y = rng.uniform(r, size - r, 2)
    s, ang = rng.uniform(*speed), rng.uniform(0, 2 * np.pi)
    return Body(shape, color, r, float(x), float(y), s * np.cos(ang), s * np.sin(ang))


# ----------------------------------------------------------------------------------------------
# EU + TG: one object moves in steps (up/down/left/right/stops)


def steps_scene(rng: np.random.Generator, cfg: WorldConfig, seed: int) -> tuple[Scene, list[tuple[str, int, int]], int]:
    """Returns the scene, its steps ``(direction, a, b)`` — the body is at ``pos[a]`` when the step
    starts and at ``pos[b]`` when it ends (``b`` is the next step's ``a``) — and the question's frame."""
    size = cfg.size
    shapes, colors = _pick(rng, SHAPES, 2), _pick(rng, [c for c in COLORS if c != "white"], 2)
    r = 0.08 * size
    main = Body(shapes[0], colors[0], r, float(rng.uniform(0.3, 0.7) * size), float(rng.uniform(0.3, 0.7) * size))
    lead = lead_in(rng, cfg)  # still frames between the question and the first step beyond the original one
    a = span(rng, cfg, 2, 5) + lead  # still before the first step
    x, y = main.x, main.y
    steps: list[tuple[str, int, int]] = []
    prev = "stop"
    for _ in range(int(rng.integers(3, 6))):
        length = int(rng.integers(3, 7))
        speed = float(rng.uniform(2.5, 4.0))
        room = [d for d, (dx, dy) in DIRECTIONS.items() if d != prev
                and r + 1 <= x + dx * speed * length <= size - r - 1 and r + 1 <= y + dy * speed * length <= size - r - 1]
        options = room + ([] if prev == "stop" or not steps else ["stop"])
        if not options:
            break
        d = options[int(rng.integers(len(options)))]
        if d == "stop" and cfg.timing_spread != 1:  # a pause needs no room: only its length is spread
            length = span(rng, cfg, 3, 7)
        dx, dy = DIRECTIONS.get(d, (0.0, 0.0))
        main.kicks[a] = (dx * speed, dy * speed)
        x, y = x + dx * speed * length, y + dy * speed * length
        steps.append((d, a, a + length))
        a, prev = a + length, d
    if len(steps) < 2:
        raise GenerationFailed("too few steps")
    main.kicks[a] = (0.0, 0.0)
    other = _wanderer(rng, size, shapes[1], colors[1])
    scene = Scene(seed, cfg.fps, a + 5, size, [other, main])
    return scene, steps, steps[0][1] - 1 - lead


def _step_text(name: str, d: str) -> str:
    return f"the {name} stops" if d == "stop" else f"the {name} moves {d}"


def make_eu_tg(rng: np.random.Generator, cfg: WorldConfig, seed: int) -> tuple[Scene, list[ItemSpec]]:
    scene, steps, q = steps_scene(rng, cfg, seed)
    main = scene.bodies[1]
    eu = _spec("EU", "perception", q, scene, f"Describe each movement of the {main.name} as it happens.", [
        {"text": _step_text(main.name, d), "start": scene.t(a + 1), "end": scene.t(b),
         "slots": {"object": main.name, "direction": d}} for d, a, b in steps])
    specs = [eu]
    moving = [s for s in steps if s[0] != "stop"]
    unique = [s for s in moving if sum(m[0] == s[0] for m in moving) == 1]
    if unique:
        d, a, b = unique[int(rng.integers(len(unique)))]
        specs.append(_spec("TG", "temporal", q, scene,
                           f"When the {main.name} stops moving {d}, tell me when that movement started and ended.",
                           [{"text": f"from {_fmt(scene.t(a))}s to {_fmt(scene.t(b))}s", "time": scene.t(b + 1),
                             "span": [scene.t(a), scene.t(b)],
                             "slots": {"start": scene.t(a), "end": scene.t(b)}}]))
    return scene, specs


# ----------------------------------------------------------------------------------------------
# OU: a named object changes colour several times


def make_ou(rng: np.random.Generator, cfg: WorldConfig, seed: int) -> tuple[Scene, list[ItemSpec]]:
    size = cfg.size
    n = int(rng.integers(2, 4))
    shapes = _pick(rng, SHAPES, n)
    palette = [c for c in COLORS if c != "white"]
    bodies = [_wanderer(rng, size, s, c) for s, c in zip(shapes, _pick(rng, palette, n), strict=True)]
    target = bodies[0]
    q = int(rng.integers(1, 4))
    k, changes, cur = q, [], target.color
    for _ in range(int(rng.integers(2, 5))):
        k += span(rng, cfg, 4, 8) + (lead_in(rng, cfg) if not changes else 0)
        cur = [c for c in palette if c != cur][int(rng.integers(len(palette) - 1))]
        changes.append((k, cur))
    target.color_changes = changes
    for b in bodies[1:]:  # distractors change colour too, at other times
        if rng.random() < 0.6:
            f = int(rng.integers(q + 1, k + 1))
            b.color_changes = [(f, [c for c in palette if c != b.color][int(rng.integers(len(palette) - 1))])]
    rng.shuffle(bodies)
    scene = Scene(seed, cfg.fps, k + 5, size, bodies)
    spec = _spec("OU", "perception", q, scene, f"Tell me each time the {target.shape} changes colour.", [
        {"text": f"the {target.shape} turned {c}", "time": scene.t(f), "slots": {"object": target.shape, "color": c}}
        for f, c in changes])
    return scene, [spec]


# ----------------------------------------------------------------------------------------------
# AA: sudden anomalies (vanish, freeze, jump, split)


def enact_anomaly(rng: np.random.Generator, scene: Scene, v: int, kind: str, f: int) -> dict:
    """Make body ``v`` of ``scene`` show anomaly ``kind`` (one of ``ANOMALIES``) from frame ``f`` on, and
    return the answer that names it. Anomalies are enacted in time order: each reads the trajectory the
    earlier ones left (a jump goes far from where the body *is* at ``f - 1``)."""
    bodies, size = scene.bodies, scene.size
    b = bodies[v]
    if kind == "vanished":
        b.leave = f
    elif kind == "froze":
        b.kicks[f - 1] = (0.0, 0.0)
    elif kind == "jumped":
        p = scene.traj.pos[f - 1, v]
        far = [(x, y) for x in (0.25 * size, 0.75 * size) for y in (0.25 * size, 0.75 * size)
               if np.hypot(x - p[0], y - p[1]) > 0.4 * size]
        if not far:
            raise GenerationFailed("no far place to jump to")
        b.jumps[f] = far[int(rng.integers(len(far)))]
    else:  # split: the body is replaced by two halves drifting apart
        p, vel = scene.traj.pos[f - 1, v], scene.traj.vel_in[f - 1, v]
        b.leave = f
        perp = np.array([-vel[1], vel[0]]) / (np.hypot(*vel) + 1e-9)
        for sgn in (1, -1):
            c = np.clip(p + vel + sgn * 0.9 * b.radius * perp, b.radius, size - b.radius)
            bodies.append(Body(b.shape, b.color_at(f - 1), 0.7 * b.radius, float(c[0]), float(c[1]),
                               float(vel[0] / 2 + sgn * 2 * perp[0]), float(vel[1] / 2 + sgn * 2 * perp[1]),
                               appear=f))
    scene.invalidate()
    return {"text": f"the {b.name} {'split in two' if kind == 'split' else kind}", "time": scene.t(f),
            "slots": {"object": b.name, "anomaly": kind}}


def require_moving_before(scene: Scene, anomalies: list[tuple[int, int]]) -> None:
    """Refuse the scene unless each ``(body, onset frame)`` was visibly moving just before its anomaly (a
    freeze of a still object shows nothing). Checked after every anomaly is enacted, on the final trajectory."""
    if any(abs(scene.traj.vel_in[f - 1, v]).sum() < 1.0 for v, f in anomalies):
        raise GenerationFailed("an object was not visibly moving before its anomaly")


def make_aa(rng: np.random.Generator, cfg: WorldConfig, seed: int) -> tuple[Scene, list[ItemSpec]]:
    size = cfg.size
    n = 3
    names = list(zip(_pick(rng, SHAPES, n), _pick(rng, [c for c in COLORS if c != "white"], n), strict=True))
    bodies = [_wanderer(rng, size, s, c, speed=(2.5, 4.0)) for s, c in names]
    q = int(rng.integers(1, 4))
    n_anom = int(rng.integers(1, 3))
    victims = _pick(rng, list(range(n)), n_anom)
    kinds = _pick(rng, ANOMALIES, n_anom)
    onset, k = [], q
    for _ in victims:
        k += span(rng, cfg, 3, 9) + (lead_in(rng, cfg) if not onset else 0)
        onset.append(k)
    n_frames = k + 7
    scene = Scene(seed, cfg.fps, n_frames, size, bodies)
    answers = [enact_anomaly(rng, scene, v, kind, f) for v, kind, f in zip(victims, kinds, onset, strict=True)]
    require_moving_before(scene, list(zip(victims, onset, strict=True)))
    spec = _spec("AA", "perception", q, scene, "Alert me immediately if anything unusual happens to an object.",
                 answers)
    return scene, [spec]


# ----------------------------------------------------------------------------------------------
# TP: which objects appear after a target object


def make_tp(rng: np.random.Generator, cfg: WorldConfig, seed: int) -> tuple[Scene, list[ItemSpec]]:
    size = cfg.size
    n_before, n_after = int(rng.integers(1, 3)), int(rng.integers(2, 4))
    n = n_before + 1 + n_after
    pool = [(s, c) for s in SHAPES for c in COLORS if c != "white"]
    names = _pick(rng, pool, n)
    bodies, k = [], int(rng.integers(1, 3)) + lead_in(rng, cfg)
    for i, (s, c) in enumerate(names):
        b = _wanderer(rng, size, s, c, speed=(1.0, 2.0))
        b.appear = k
        if i != n_before:  # the target stays; the others visit for a few seconds
            b.leave = k + int(rng.integers(4, 9))
        bodies.append(b)
        k += span(rng, cfg, 2, 6)
    n_frames = max(b.leave or 0 for b in bodies) + 4
    scene = Scene(seed, cfg.fps, n_frames, size, bodies)
    target = bodies[n_before]
    answers = [{"text": f"the {b.name} appears", "start": scene.t(b.appear), "end": scene.t(b.leave - 1),
                "slots": {"object": b.name}} for b in bodies[n_before + 1:]]
    spec = _spec("TP", "temporal", 0, scene, f"After the {target.name} appears, tell me each object that appears.",
                 answers, target_appears=scene.t(target.appear))
    return scene, [spec]


# ----------------------------------------------------------------------------------------------
# GP and RF: an agent (the white circle) walks straight legs


def _spread_points(rng: np.random.Generator, n: int, lo: float, hi: float, min_dist: float,
                   tries: int = 200) -> list[np.ndarray]:
    """``n`` points in the square [lo, hi]^2 at least ``min_dist`` apart (bounded rejection sampling)."""
    pts: list[np.ndarray] = []
    for _ in range(tries):
        p = rng.uniform(lo, hi, 2)
        if all(np.hypot(*(p - o)) > min_dist for o in pts):
            pts.append(p)
            if len(pts) == n:
                return pts
    raise GenerationFailed(f"could not place {n} points {min_dist:.0f} px apart")


def _walk(agent: Body, start: int, legs: list[tuple[np.ndarray, float, int]]) -> int:
    """Kick ``agent`` along ``legs`` of (target point, speed, pause frames); returns the last frame."""
    p, k = np.array([agent.x, agent.y]), start
    for target, speed, pause in legs:
        d = target - p
        n = max(1, int(np.ceil(np.hypot(*d) / speed)))
        agent.kicks[k] = tuple(d / n)
        p, k = target, k + n
        agent.kicks[k] = (0.0, 0.0)
        k += pause
    return k


def visit_scene(rng: np.random.Generator, cfg: WorldConfig, seed: int) -> tuple[Scene, list[str], list[int]]:
    """The white circle (the last body) walks to 3-4 coloured squares in a random order, touching no other
    square on the way: the scene, the squares' colours in visiting order and the arrival frames (the first
    frame in which the agent touches each). GP asks for the next step at each arrival; action captioning
    (world_captions.make_act) narrates the arrivals themselves."""
    size = cfg.size
    n = int(rng.integers(3, 5))
    colors = _pick(rng, [c for c in COLORS if c != "white"], n)
    pts = _spread_points(rng, n + 1, 0.15 * size, 0.85 * size, 0.25 * size)
    targets = [Body("square", c, 0.08 * size, float(p[0]), float(p[1])) for c, p in zip(colors, pts[1:], strict=True)]
    agent = Body("circle", "white", 0.07 * size, float(pts[0][0]), float(pts[0][1]))
    order = [int(i) for i in rng.permutation(n)]
    reach = agent.radius + targets[0].radius
    legs = []
    for i in order:  # to the centre of each square (it touches it on the way in)
        p = np.array([targets[i].x, targets[i].y])
        legs.append((p, float(rng.uniform(3.0, 4.5)), span(rng, cfg, 1, 3)))
    last = _walk(agent, 2 + lead_in(rng, cfg), legs)
    scene = Scene(seed, cfg.fps, last + 3, size, [*targets, agent])
    pos = scene.traj.pos
    arrival = []
    for i in order:
        dist = np.hypot(*(pos[:, n] - pos[:, i]).T)
        touching = [k for k in range(scene.n_frames) if dist[k] <= reach and (not arrival or k > arrival[-1])]
        if not touching:
            raise GenerationFailed("the agent never reached a square")
        arrival.append(touching[0])
    for j, i in enumerate(order):  # on the way to a square, the agent touches no other one
        lo = arrival[j - 1] + 1 if j else 0
        for o in range(n):
            if o != i and (not j or o != order[j - 1]) and (np.hypot(*(pos[lo:arrival[j] + 1, n] - pos[lo:arrival[j] + 1, o]).T) <= reach).any():
                raise GenerationFailed("the path crosses another square")
    return scene, [colors[i] for i in order], arrival


def make_gp(rng: np.random.Generator, cfg: WorldConfig, seed: int) -> tuple[Scene, list[ItemSpec]]:
    scene, named, arrival = visit_scene(rng, cfg, seed)
    return scene, [_spec("GP", "proactive", 1, scene, plan_question(named, "tell me the next step"),
                         next_step_answers(scene, named, arrival))]


def next_step_answers(scene: Scene, named: list[str], cues: list[int]) -> list[dict]:
    """GP's answers: at the ``j``-th cue frame (GP: the arrival at the plan's ``j``-th square) the plan's next
    square, and "the goal is complete" at the last; plan recital (world_captions.make_rct) says the same words."""
    n = len(named)
    return [{"text": f"next, go to the {named[j + 1]} square" if j + 1 < n else "the goal is complete",
             "time": scene.t(k), "slots": {"next": named[j + 1] if j + 1 < n else "done"},
             "outcome_time": scene.t(cues[j + 1]) if j + 1 < n else scene.t(k)} for j, k in enumerate(cues)]


def plan_question(named: list[str], ask: str, when: str = "it completes a step") -> str:
    """A stated plan and what to say at each step: GP's question (``ask`` "tell me the next step"), plan
    tracking's (world_captions.make_trk, "tell me the step") and plan recital's (make_rct, ``when`` a new shape
    appears)."""
    return (f"Goal: the white circle visits the {', '.join(named[:-1])} and {named[-1]} squares in that order. "
            f"Each time {when}, {ask}.")


def rf_warnings(pos: np.ndarray, vel_in: np.ndarray, hazards: list[np.ndarray], reach: float, fps: float,
                start: int, warn_s: float = RF_WARN_SECONDS) -> list[tuple[int, int, str]]:
    """``(frame, hazard, advice)`` for each warning: the first frame of every run of frames in which the
    straight-line time to contact with a hazard, from the agent's shown position and displacement, is
    ``<= warn_s``. Only ``pos[:k+1]``/``vel_in[:k+1]`` are read for frame ``k`` (no look-ahead)."""
    out: list[tuple[int, int, str]] = []
    active: set[int] = set()
    for k in range(max(1, start), len(pos)):
        now = set()
        for h, c in enumerate(hazards):
            v = vel_in[k]
            ttc = time_to_contact(pos[k], v, c, reach) / fps
            if ttc <= warn_s + TIME_EPS and np.hypot(*v) > 1e-6:  # 1e-6: pixels per frame, not time
                now.add(h)
                if h not in active:
                    cross = v[0] * (c[1] - pos[k][1]) - v[1] * (c[0] - pos[k][0])  # > 0: hazard on the right (y down)
                    out.append((k, h, "left" if cross > 0 else "right"))
        active = now
    return out


def make_rf(rng: np.random.Generator, cfg: WorldConfig, seed: int) -> tuple[Scene, list[ItemSpec]]:
    size = cfg.size
    n = int(rng.integers(2, 4))
    colors = _pick(rng, [c for c in COLORS if c != "white"], n)
    hz = _spread_points(rng, n, 0.2 * size, 0.8 * size, 0.3 * size)
    hazards = [Body("triangle", c, 0.08 * size, float(p[0]), float(p[1])) for c, p in zip(colors, hz, strict=True)]
    agent = Body("circle", "white", 0.06 * size, float(rng.uniform(0.1, 0.9) * size), float(rng.choice([0.08, 0.92]) * size))
    legs, p = [], np.array([agent.x, agent.y])
    for _ in range(int(rng.integers(2, 4))):
        if rng.random() < 0.6:  # straight over a hazard and a little beyond
            c = hz[int(rng.integers(n))]
            d = (c - p) / (np.hypot(*(c - p)) + 1e-9)
            target = np.clip(c + d * 0.15 * size, 0.08 * size, 0.92 * size)
        else:
            target = rng.uniform(0.08 * size, 0.92 * size, 2)
        legs.append((target, float(rng.uniform(2.0, 3.5)), span(rng, cfg, 0, 2)))
        p = target
    last = _walk(agent, 2 + lead_in(rng, cfg), legs)
    scene = Scene(seed, cfg.fps, last + 5, size, [*hazards, agent])
    tr = scene.traj
    reach = agent.radius + hazards[0].radius
    q = 1
    warns = rf_warnings(tr.pos[:, n], tr.vel_in[:, n], hz, reach, cfg.fps, start=q)
    if not warns:
        raise GenerationFailed("no hazard is ever approached")
    answers = []
    for k, h, advice in warns:
        dist = np.hypot(*(tr.pos[k:, n] - hz[h]).T)
        hit = [k + j for j in range(len(dist)) if dist[j] <= reach]
        a = {"text": f"warning: {colors[h]} triangle ahead, steer {advice}", "time": scene.t(k),
             "slots": {"hazard": f"{colors[h]} triangle", "advice": advice}}
        if hit:
            if hit[0] <= k:
                raise GenerationFailed("a warning would come no earlier than the contact it warns about")
            a["outcome_time"] = scene.t(hit[0])
        answers.append(a)
    question = "I am the white circle. Warn me about 3 seconds before I would hit a triangle, and tell me how to avoid it."
    return scene, [_spec("RF", "proactive", q, scene, question, answers)]
