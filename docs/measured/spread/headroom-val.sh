#!/bin/bash
# issue 18, round 13, val only, seed 0: how much is there for GRPO to sharpen? `streampro train reward-study` samples
# G rollouts for 140 val350 questions (the draw is the same for every run: --seed 0) and prints, per task, the
# sampled mean F1, the F1 of the rollout the paper's reward ranks first and the best-of-G F1 (table.md).
# Runs: the 1,875-step grounding SFT with G 8 (what GRPO samples) and G 32 (would larger groups find more?), and
# its GRPO epoch (lr 1e-4, round 12) with G 8 (how much of the headroom did the epoch use?); then seeds 1 and 2.
# One process, OMP_NUM_THREADS=1. Skips what exists. Figures: round13_stats.py
set -e
OUT=runs/w9
study() {  # $1: model folder, $2: G, $3: output folder
  [ -f $3/summary.json ] || streampro train reward-study --init $1 --items $OUT/data/val350/items.jsonl \
    --groups 140 --group-size $2 --seed 0 --out $3
}
study $OUT/seed0/sft-grounding-aux0.3-1875/final 8 $OUT/r13-headroom-seed0
study $OUT/seed0/grpo-grounding-aux0.3-1875/final 8 $OUT/r13-headroom-grpo-seed0
study $OUT/seed0/sft-grounding-aux0.3-1875/final 32 $OUT/r13-headroom-g32-seed0
# seeds 1 and 2: the same two G 8 studies (same 140 questions), from their own SFT and GRPO epoch
for s in 1 2; do
  study $OUT/seed$s/sft-grounding-aux0.3-1875/final 8 $OUT/r13-headroom-seed$s
  study $OUT/seed$s/grpo-grounding-aux0.3-1875/final 8 $OUT/r13-headroom-grpo-seed$s
  for stage in sft grpo; do  # the greedy read-out on val350, to set beside the studies (seed 0's exist)
    dest=$OUT/val/$stage-grounding-aux0.3-1875-seed$s
    [ -f $dest/summary.json ] || streampro eval --model small:$OUT/seed$s/$stage-grounding-aux0.3-1875/final \
      --bench $OUT/data/val350/items.jsonl --out $dest
  done
done
