"""Which builder makes which task's scenes, and the one entry point that draws a scene from a seed.

``ALL_TASKS`` are StreamPro-Bench's seven (the default of every generated split); ``TRAINING_TASKS`` are
world tasks that only feed training (live event and action captioning, the paper's SFT captioning data;
plan tracking and plan recital, ours) and are generated only when asked for by name
(``streampro generate --task CAP --task ACT --task TRK --task RCT``).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..core.items import PAPER_TASKS
from ..world.config import WorldConfig
from ..world.scene import Scene
from .world_captions import make_act, make_cap, make_rct, make_trk
from .world_tasks import GenerationFailed, ItemSpec, make_aa, make_eu_tg, make_gp, make_ou, make_rf, make_tp

BUILDERS: dict[str, Callable[[np.random.Generator, WorldConfig, int], tuple[Scene, list[ItemSpec]]]] = {
    "EU": make_eu_tg, "OU": make_ou, "AA": make_aa, "TP": make_tp, "TG": make_eu_tg, "GP": make_gp, "RF": make_rf,
    "CAP": make_cap, "ACT": make_act, "TRK": make_trk, "RCT": make_rct,
}
ALL_TASKS = PAPER_TASKS
WORLD_TASKS = tuple(BUILDERS)
TRAINING_TASKS = tuple(t for t in WORLD_TASKS if t not in ALL_TASKS)


def make_scene_items(task: str, seed: int, cfg: WorldConfig, max_tries: int = 50) -> tuple[Scene, list[ItemSpec]]:
    """A scene for ``task`` and its question specs (the requested task's first). Deterministic in
    ``seed``; a scene that misses the task's constraints is redrawn from the same seed's stream."""
    if task not in BUILDERS:
        raise KeyError(f"unknown task {task!r}; world tasks: {list(BUILDERS)}")
    rng = np.random.default_rng(seed)
    for _ in range(max_tries):
        try:
            scene, specs = BUILDERS[task](rng, cfg, seed)
        except GenerationFailed:
            continue
        specs.sort(key=lambda s: s["task"] != task)
        if specs[0]["task"] == task:
            return scene, specs
    raise GenerationFailed(f"could not build a {task} scene from seed {seed} in {max_tries} tries")
