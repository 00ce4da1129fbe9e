"""How much of a StreamPro-Small model's speak/stay-silent decision comes from the video, per task.

Each question is laid out as its teacher trajectory (the ground-truth answers at their frames, as in SFT) and
P(</Response>) is read at every decision. AUC = how well P(respond) ranks the frames where the teacher speaks
above those where it is silent. The same is done with the frames of *another* question's video of the same
task under the same query and answers: a model that times its answers from the video loses AUC there, one
that times them from the query and its own past answers (a clock) keeps it.

    python docs/measured/tg-probe/decision_auc.py MODEL_DIR ITEMS.jsonl [--task TG ...]
"""

from __future__ import annotations

import argparse
from collections import defaultdict

import numpy as np
import torch
from scipy.stats import mannwhitneyu

from streampro.data.schema import load_items
from streampro.models.small.modeling import StreamProSmall
from streampro.train.trajectory import KIND_DECISION, collate, load_frames, sft_trajectory


def respond_probabilities(model: StreamProSmall, traj) -> tuple[np.ndarray, np.ndarray]:
    """P(</Response>) against P(</Silence>) at each decision of a laid-out trajectory (one teacher-forced pass),
    and whether the trajectory's own action there is </Response>."""
    cfg = model.cfg
    b = collate(cfg, [traj])
    with torch.no_grad():
        logits = model(b.tokens, b.is_visual, b.frames)[0]
    at = (b.kind[0] == KIND_DECISION).nonzero().squeeze(1)
    p = logits[at][:, [cfg.silence_id, cfg.respond_id]].softmax(-1)[:, 1].numpy()
    return p, (b.labels[0][at] == cfg.respond_id).numpy()


def decisions(model: StreamProSmall, item, frames: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """P(respond) and the teacher's label (1 = speaks) at each decision of the item's teacher trajectory."""
    return respond_probabilities(model, sft_trajectory(model.cfg, model.tokenizer, item, frames))


def auc(p: list[float], y: list[bool]) -> float:
    p, y = np.asarray(p), np.asarray(y, bool)
    return float(mannwhitneyu(p[y], p[~y]).statistic / (y.sum() * (~y).sum()))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("model")
    ap.add_argument("items")
    ap.add_argument("--task", action="append", default=[])
    args = ap.parse_args()
    model = StreamProSmall.from_pretrained(args.model)
    items = [it for it in load_items(args.items) if not args.task or it.task in args.task]
    frames = load_frames(items, model.cfg.image_size)
    by_task = defaultdict(list)
    for it in items:
        by_task[it.task].append(it)
    print(f"{args.model} on {args.items}: AUC of P(respond), teacher's speak frames vs its silent ones")
    print("| task | questions | own video | another video's frames | difference |")
    print("|---|---|---|---|---|")
    for task, its in sorted(by_task.items()):
        own_p, own_y, sw_p, sw_y = [], [], [], []
        for i, it in enumerate(its):
            mine = frames[it.video]
            other = frames[its[(i + len(its) // 2) % len(its)].video]
            other = np.concatenate([other, np.repeat(other[-1:], max(0, len(mine) - len(other)), 0)])[: len(mine)]
            for (p, y), ps, ys in ((decisions(model, it, mine), own_p, own_y), (decisions(model, it, other), sw_p, sw_y)):
                ps += list(p)
                ys += list(y)
        a, b = auc(own_p, own_y), auc(sw_p, sw_y)
        print(f"| {task} | {len(its)} | {a:.3f} | {b:.3f} | {a - b:+.3f} |")


if __name__ == "__main__":
    main()
