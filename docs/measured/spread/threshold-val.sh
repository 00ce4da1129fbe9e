#!/bin/bash
# issue 18, round 13, val only, seed 0: the reward study shows GRPO's epoch lifting the *sampled* policy (mean F1 of
# G 8 rollouts 19.2 -> 22.0, TG 3.0 -> 9.8) while the greedy read-out the benchmark scores stays put (25.2 on the same
# questions). Does a different decision threshold (`respond_threshold`, a read-out setting; 0.5 by default) show
# more of it? The 1,875-step grounding SFT and its GRPO epoch (lr 1e-4, round 12) on val350 at THRESHOLDS
# (default 0.3 0.4 0.6). One process, OMP_NUM_THREADS=1. Skips what exists. Figures: round13_stats.py
set -e
OUT=runs/w9
for th in ${THRESHOLDS:-0.3 0.4 0.6}; do
  for stage in sft grpo; do
    dest=$OUT/val/$stage-grounding-aux0.3-1875-th$th
    [ -f $dest/summary.json ] || streampro eval --model small:$OUT/seed0/$stage-grounding-aux0.3-1875/final \
      --model-args respond_threshold=$th --bench $OUT/data/val350/items.jsonl --out $dest
  done
done
