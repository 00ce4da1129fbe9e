"""Task generators: build a scene for a task and read exact answers and timings off its simulation.

Perception and temporal items are answerable at their query time (``decidable_time = query_time``)
and their answer stays unchanged until ``deadline``. Proactive items carry an ``outcome_time`` (the
frame the predicted event is on screen) and a ``decidable_time``: the earliest frame from which the
observable state (positions and the last displacement) extrapolated under the world's motion model,
*robustly to velocity noise*, always points at the true outcome.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from .scene import COLORS, QUADRANTS, SHAPES, Blinker, Body, Scene, earliest_stable_frame, extrapolate_contact

ItemSpec = dict[str, Any]


@dataclass
class WorldConfig:
    size: int = 64
    fps: float = 2.0
    min_seconds: float = 10.0
    max_seconds: float = 30.0
    answer_window_s: float = 3.0  # perception/temporal: the answer stays valid this long after the query
    min_lead_s: float = 1.0  # proactive: decidable at least this long before the outcome

    def frames(self, seconds: float) -> int:
        return int(round(seconds * self.fps))


class GenerationFailed(RuntimeError):
    pass


def _pick(rng: np.random.Generator, seq, n: int) -> list:
    return [seq[i] for i in rng.choice(len(seq), n, replace=False)]


def _options(rng: np.random.Generator, answer: str, pool: list[str], n: int = 4) -> list[str]:
    opts = [answer] + _pick(rng, [p for p in pool if p != answer], n - 1)
    rng.shuffle(opts)
    return opts


def _spec(scene: Scene, task: str, dim: str, q: int, question: str, options: list[str], answer: str,
          cfg: WorldConfig, decidable: int | None = None, outcome: int | None = None) -> ItemSpec:
    spec: ItemSpec = {
        "dimension": dim, "task": task, "query_time": scene.t(q), "question": question,
        "options": list(options), "answer": answer,
        "meta": {"query_frame": q},
    }
    if dim == "proactive":
        spec.update(decidable_time=scene.t(decidable), outcome_time=scene.t(outcome))
        spec["meta"].update(decidable_frame=decidable, outcome_frame=outcome)
    else:
        w = cfg.frames(cfg.answer_window_s)
        spec.update(decidable_time=scene.t(q), deadline=scene.t(q + w))
    return spec


# ----------------------------------------------------------------------------------------------
# "movers": bodies appear, move, bounce, change colour, leave  -> perception + temporal tasks


def movers_scene(rng: np.random.Generator, cfg: WorldConfig, seed: int) -> Scene:
    size = cfg.size
    n_frames = int(rng.integers(cfg.frames(cfg.min_seconds), cfg.frames(cfg.max_seconds) + 1))
    n = int(rng.integers(2, 5))
    colors, shapes = _pick(rng, list(COLORS), n), _pick(rng, SHAPES, n)
    bodies, appear = [], int(rng.integers(0, 3))
    for i in range(n):
        if i > 0:
            appear = min(appear + int(rng.integers(2, 8)), n_frames - 8)
        r = float(rng.uniform(0.08, 0.11) * size)
        x, y = rng.uniform(r, size - r, 2)
        speed, ang = rng.uniform(0.025, 0.06) * size, rng.uniform(0, 2 * np.pi)
        leave = appear + int(rng.integers(10, 40)) if rng.random() < 0.3 else None
        bodies.append(Body(shapes[i], colors[i], r, float(x), float(y), speed * np.cos(ang), speed * np.sin(ang),
                           appear=appear, leave=leave if leave is not None and leave < n_frames else None))
    if rng.random() < 0.7:
        j = int(rng.integers(n))
        c = bodies[j].appear + int(rng.integers(3, 16))
        unused = [k for k in COLORS if k not in colors]
        if c < n_frames - 6:
            bodies[j].color_change = (c, unused[int(rng.integers(len(unused)))])
    return Scene(seed, cfg.fps, n_frames, size, bodies)


def _stable(frames: range, fn: Callable[[int], Any]) -> Any:
    vals = {fn(k) for k in frames}
    return vals.pop() if len(vals) == 1 else None


def appear_color(scene: Scene, rng: np.random.Generator, cfg: WorldConfig) -> ItemSpec | None:
    w = cfg.frames(cfg.answer_window_s)
    cands = []
    for i, b in enumerate(scene.bodies):
        q = b.appear
        if q < 1 or q + w >= scene.n_frames:
            continue
        if any(j != i and q - 2 <= o.appear <= q + w for j, o in enumerate(scene.bodies)):
            continue
        if all(b.visible(k) for k in range(q, q + w + 1)) and _stable(range(q, q + w + 1), b.color_at):
            cands.append(i)
    if not cands:
        return None
    b = scene.bodies[cands[int(rng.integers(len(cands)))]]
    return _spec(scene, "appear_color", "perception", b.appear, "What colour is the object that just appeared?",
                 _options(rng, b.color, list(COLORS)), b.color, cfg)


def count_on_screen(scene: Scene, rng: np.random.Generator, cfg: WorldConfig) -> ItemSpec | None:
    w = cfg.frames(cfg.answer_window_s)
    cands = [q for q in range(2, scene.n_frames - w)
             if _stable(range(q, q + w + 1), lambda k: len(scene.visible_bodies(k)))]
    if not cands:
        return None
    q = cands[int(rng.integers(len(cands)))]
    n = len(scene.visible_bodies(q))
    return _spec(scene, "count_on_screen", "perception", q, "How many objects are on screen now?",
                 ["1", "2", "3", "4"], str(n), cfg)


def _relation(scene: Scene, k: int, a: int, b: int) -> str | None:
    (xa, ya), (xb, yb) = scene.traj.pos[k, a], scene.traj.pos[k, b]
    dx, dy, gap = xa - xb, ya - yb, 0.15 * scene.size
    if abs(dx) >= 2 * abs(dy) and abs(dx) >= gap:
        return "left" if dx < 0 else "right"
    if abs(dy) >= 2 * abs(dx) and abs(dy) >= gap:
        return "above" if dy < 0 else "below"
    return None


def spatial_relation(scene: Scene, rng: np.random.Generator, cfg: WorldConfig) -> ItemSpec | None:
    w = 1  # relations change quickly; the answer must hold for the frame after the query too
    cands = []
    for q in range(1, scene.n_frames - w):
        vis = scene.visible_bodies(q)
        for a in vis:
            for b in vis:
                if a != b and all(scene.bodies[a].visible(k) and scene.bodies[b].visible(k) for k in range(q, q + w + 1)):
                    rel = _stable(range(q, q + w + 1), lambda k, a=a, b=b: _relation(scene, k, a, b))
                    col = _stable(range(q, q + w + 1), lambda k, a=a, b=b: (scene.bodies[a].color_at(k), scene.bodies[b].color_at(k)))
                    if rel and col:
                        cands.append((q, a, b, rel))
    if not cands:
        return None
    q, a, b, rel = cands[int(rng.integers(len(cands)))]
    A, B = scene.bodies[a], scene.bodies[b]
    question = f"Where is the {A.color_at(q)} {A.shape} relative to the {B.color_at(q)} {B.shape} now?"
    spec = _spec(scene, "spatial_relation", "perception", q, question, ["left", "right", "above", "below"], rel, cfg)
    spec["deadline"] = scene.t(q + w)
    return spec


def _fake_names(scene: Scene, rng: np.random.Generator, n: int) -> list[str]:
    real = {b.name for b in scene.bodies}
    pool = [f"{c} {s}" for c in COLORS for s in SHAPES if f"{c} {s}" not in real]
    return _pick(rng, pool, n)


def appear_order(scene: Scene, rng: np.random.Generator, cfg: WorldConfig) -> ItemSpec | None:
    last = max(b.appear for b in scene.bodies)
    q = last + int(rng.integers(1, 5))
    if q >= scene.n_frames:
        return None
    which = "first" if rng.random() < 0.5 else "last"
    order = sorted(range(len(scene.bodies)), key=lambda i: scene.bodies[i].appear)
    target = scene.bodies[order[0] if which == "first" else order[-1]]
    if target.color_change and target.color_change[0] <= q + cfg.frames(cfg.answer_window_s):
        return None  # its name would be ambiguous
    opts = [b.name for b in scene.bodies] + _fake_names(scene, rng, 4 - len(scene.bodies))
    rng.shuffle(opts)
    return _spec(scene, "appear_order", "temporal", q, f"Which object appeared {which}?", opts, target.name, cfg)


def bounce_count(scene: Scene, rng: np.random.Generator, cfg: WorldConfig) -> ItemSpec | None:
    w = cfg.frames(cfg.answer_window_s)
    tr = scene.traj
    cands = []
    for i, b in enumerate(scene.bodies):
        if b.color_change:
            continue
        for q in range(b.appear + 4, scene.n_frames - w):
            if all(b.visible(k) for k in range(b.appear, q + w + 1)):
                n = _stable(range(q, q + w + 1), lambda k, i=i: int(tr.bounces[k, i]))
                if n is not None and n <= 3:
                    cands.append((q, i, n))
    if not cands:
        return None
    q, i, n = cands[int(rng.integers(len(cands)))]
    return _spec(scene, "bounce_count", "temporal", q,
                 f"How many times has the {scene.bodies[i].name} bounced off a wall so far?",
                 ["0", "1", "2", "3"], str(n), cfg)


def color_before(scene: Scene, rng: np.random.Generator, cfg: WorldConfig) -> ItemSpec | None:
    w = cfg.frames(cfg.answer_window_s)
    for b in scene.bodies:
        if not b.color_change:
            continue
        c, new = b.color_change
        q = c + int(rng.integers(1, 5))
        if q + w < scene.n_frames and all(b.visible(k) for k in range(b.appear, q + w + 1)):
            pool = [k for k in COLORS if k not in (b.color, new)]
            opts = [b.color, new] + _pick(rng, pool, 2)
            rng.shuffle(opts)
            return _spec(scene, "color_before", "temporal", q, f"What colour was the {b.shape} before it changed?",
                         opts, b.color, cfg)
    return None


MOVERS_TASKS: dict[str, Callable[..., ItemSpec | None]] = {
    "appear_color": appear_color,
    "count_on_screen": count_on_screen,
    "spatial_relation": spatial_relation,
    "appear_order": appear_order,
    "bounce_count": bounce_count,
    "color_before": color_before,
}


# ----------------------------------------------------------------------------------------------
# proactive scenes


def _pad(scene: Scene, cfg: WorldConfig, last_event: int, rng: np.random.Generator) -> None:
    scene.n_frames = max(last_event + int(rng.integers(2, 7)), cfg.frames(cfg.min_seconds))
    scene._traj = None


def collision_first(rng: np.random.Generator, cfg: WorldConfig, seed: int) -> tuple[Scene, ItemSpec] | None:
    size, max_frames = cfg.size, cfg.frames(cfg.max_seconds)
    colors = _pick(rng, list(COLORS), 5)
    ball = Body("circle", colors[0], 0.08 * size, *rng.uniform(0.2 * size, 0.8 * size, 2))
    speed, ang = rng.uniform(0.03, 0.055) * size, rng.uniform(0, 2 * np.pi)
    ball.vx, ball.vy = speed * np.cos(ang), speed * np.sin(ang)
    for _ in range(int(rng.integers(1, 3))):
        a = rng.uniform(0, 2 * np.pi)
        ball.kicks[int(rng.integers(3, 16))] = (speed * np.cos(a), speed * np.sin(a))
    targets: list[Body] = []
    while len(targets) < 4:
        r = 0.09 * size
        x, y = rng.uniform(r, size - r, 2)
        if np.hypot(x - ball.x, y - ball.y) < 0.3 * size or any(np.hypot(x - t.x, y - t.y) < 0.28 * size for t in targets):
            continue
        targets.append(Body(str(rng.choice(["square", "triangle", "diamond"])), colors[len(targets) + 1], r, float(x), float(y)))
    scene = Scene(seed, cfg.fps, max_frames, size, [ball, *targets], stop_on_contact=(0,))
    if 0 not in scene.traj.contact:
        return None
    outcome, hit = scene.traj.contact[0]
    q = 1
    if outcome < 6 or outcome > max_frames - 3:
        return None
    noise = [(1.0, 0.0), (0.9, 0.0), (1.1, 0.0), (1.0, 0.08), (1.0, -0.08)]

    def predict(k: int) -> int | None:
        preds = {extrapolate_contact(scene, k, 0, s, a) for s, a in noise}
        return preds.pop() if len(preds) == 1 else None

    decidable = earliest_stable_frame(predict, hit, q, outcome)
    if decidable > outcome - cfg.frames(cfg.min_lead_s):
        return None
    _pad(scene, cfg, outcome, rng)
    names = [t.name for t in targets]
    rng.shuffle(names)
    spec = _spec(scene, "collision_first", "proactive", q, f"Which object will the {ball.name} hit first?",
                 names, scene.bodies[hit].name, cfg, decidable, outcome)
    return scene, spec


def race_winner(rng: np.random.Generator, cfg: WorldConfig, seed: int) -> tuple[Scene, ItemSpec] | None:
    size, max_frames = cfg.size, cfg.frames(cfg.max_seconds)
    finish = size - 0.12 * size
    colors, shapes = _pick(rng, list(COLORS), 4), list(rng.choice(SHAPES, 4))
    runners = []
    for i in range(4):
        r = 0.07 * size
        b = Body(shapes[i], colors[i], r, r + 1, size * (0.14 + 0.24 * i), float(rng.uniform(0.012, 0.032) * size), 0.0,
                 stop_at_finish=finish)
        for _ in range(int(rng.integers(0, 3))):
            b.kicks[int(rng.integers(3, 26))] = (float(rng.uniform(0.008, 0.04) * size), 0.0)
        runners.append(b)
    if len({b.name for b in runners}) < 4:
        return None
    scene = Scene(seed, cfg.fps, max_frames, size, runners, finish_x=finish)
    tr = scene.traj
    arrive = []
    for i, b in enumerate(runners):
        ks = np.nonzero(tr.pos[:, i, 0] + b.radius >= finish)[0]
        arrive.append(int(ks[0]) if len(ks) else 10**9)
    order = np.argsort(arrive)
    winner, outcome = int(order[0]), arrive[int(order[0])]
    if outcome >= max_frames - 2 or arrive[int(order[1])] == outcome or outcome < 8:
        return None
    q = 1

    def predict(k: int) -> int | None:
        eta = []
        for i, b in enumerate(runners):
            vx = tr.vel_in[k, i, 0]
            eta.append((finish - b.radius - tr.pos[k, i, 0]) / vx if vx > 1e-9 else np.inf)
        w = int(np.argmin(eta))
        slow_w = eta[w] / 0.9  # worst case under 10% speed noise
        fast_others = min((e * 0.9 for j, e in enumerate(eta) if j != w), default=np.inf)
        return w if slow_w < fast_others else None

    decidable = earliest_stable_frame(predict, winner, q, outcome)
    if decidable > outcome - cfg.frames(cfg.min_lead_s):
        return None
    _pad(scene, cfg, outcome, rng)
    names = [b.name for b in runners]
    rng.shuffle(names)
    spec = _spec(scene, "race_winner", "proactive", q, "Which object will cross the finish line first?",
                 names, runners[winner].name, cfg, decidable, outcome)
    return scene, spec


def blink_next(rng: np.random.Generator, cfg: WorldConfig, seed: int) -> tuple[Scene, ItemSpec] | None:
    """Cycles of length 2 or 3 over distinct quadrants: the third flash reveals the cycle length
    (back to the first quadrant, or a new one), which fixes the sixth flash."""
    L = int(rng.choice([2, 3]))
    blinker = Blinker(first=int(rng.integers(1, 4)), period=int(rng.integers(2, 5)), cycle=_pick(rng, list(range(4)), L))
    scene = Scene(seed, cfg.fps, cfg.frames(cfg.max_seconds), cfg.size, [], blinker=blinker)
    flashes = blinker.flash_frames(10**6)
    decidable, outcome = flashes[2], flashes[5]
    _pad(scene, cfg, outcome, rng)
    answer = QUADRANTS[blinker.quadrant_of_flash(5)]
    return scene, _spec(scene, "blink_next", "proactive", 0, "Where will the light flash for the sixth time?",
                        list(QUADRANTS), answer, cfg, decidable, outcome)


PROACTIVE_TASKS: dict[str, Callable[..., tuple[Scene, ItemSpec] | None]] = {
    "collision_first": collision_first,
    "race_winner": race_winner,
    "blink_next": blink_next,
}
ALL_TASKS = (*MOVERS_TASKS, *PROACTIVE_TASKS)


def make_scene_items(task: str, seed: int, cfg: WorldConfig, extra_questions: int = 2,
                     max_tries: int = 500) -> tuple[Scene, list[ItemSpec]]:
    """Build one scene whose first item is of ``task``; movers scenes add up to ``extra_questions``
    further perception/temporal questions about the same video (served by one streaming pass)."""
    rng = np.random.default_rng(seed)
    for _ in range(max_tries):
        if task in PROACTIVE_TASKS:
            out = PROACTIVE_TASKS[task](rng, cfg, seed)
            if out is not None:
                return out[0], [out[1]]
        elif task in MOVERS_TASKS:
            scene = movers_scene(rng, cfg, seed)
            first = MOVERS_TASKS[task](scene, rng, cfg)
            if first is None:
                continue
            specs = [first]
            others = [t for t in MOVERS_TASKS if t != task]
            for t in _pick(rng, others, int(rng.integers(0, extra_questions + 1))):
                s = MOVERS_TASKS[t](scene, rng, cfg)
                if s is not None:
                    specs.append(s)
            return scene, specs
        else:
            raise KeyError(f"unknown task {task!r}; known: {list(ALL_TASKS)}")
    raise GenerationFailed(f"could not generate a {task!r} scene from seed {seed} in {max_tries} tries")
