"""What do the paper's reward and StreamPro-F1 each prefer from a model that cannot see Temporal Grounding's
movement? (issue 18, round 6.) StreamPro-Small answers TG as "from (t-5)s to (t-1)s" at a time t that does not
depend on the video (correlation with the movement's end: 0.06 on val350). For such a blind answer at a fixed
time c, this prints, over the TG questions of an items file, the mean reward (the paper's weights, each part) and
the mean StreamPro-F1: if the two peak at different c, GRPO moves a blind guesser to where the reward peaks,
whatever the metric says.

    python docs/measured/tg-blind/blind_guess.py ITEMS.jsonl [--tau 8]
"""

import argparse

import numpy as np

from streampro.bench.judges import RuleJudge
from streampro.core.types import Response
from streampro.data.schema import load_items
from streampro.train.rewards import RewardSettings, compute_rewards, rollout_f1, world_rubric
from streampro.train.trajectory import item_frames

S, R, E = 1, 2, 3  # decision / eos ids for the format reward: every blind rollout is well formed


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("items")
    ap.add_argument("--tau", type=float, default=8.0)
    args = ap.parse_args()
    items = [it for it in load_items(args.items) if it.task == "TG"]
    judge, settings = RuleJudge(), RewardSettings(args.tau)
    ends = np.array([it.answers[0].span[1] for it in items])
    print(f"{len(items)} TG questions; movement end mean {ends.mean():.1f} s, median {np.median(ends):.1f}, sd {ends.std():.1f}")
    print(" c (s) | reward  format  turn   traj  (not_premature) | F1 x100")
    for c in range(4, 25):
        rows = []
        for it in items:
            resp = [Response(it.id, f"from {max(0, c - 5)}s to {c - 1}s", float(c))]
            q, last = item_frames(it)  # the frames a stream decides after, as GRPO lays them out
            steps = [[R, 9, E] if k == round(c * it.fps) else [S] for k in range(q, last + 1)]
            total, parts = compute_rewards(it, resp, steps, (S, R, E), judge=judge, settings=settings)
            premature = dict((n, f()) for n, f in world_rubric(it, resp, judge))["not_premature"]
            rows.append((total, parts["format"], parts["turn"], parts["traj"], premature, rollout_f1(it, resp, judge)))
        m = np.mean(rows, 0)
        print(f"{c:6d} | {m[0]:.3f}   {m[1]:.2f}   {m[2]:.3f}  {m[3]:.3f}  ({m[4]:.2f})         | {100 * m[5]:.1f}")


if __name__ == "__main__":
    main()
