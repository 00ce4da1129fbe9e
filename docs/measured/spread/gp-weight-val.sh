#!/bin/bash
# issue 18, round 14, val only, seed 0: the RL data mix as a lever on the proactive dimension. Round 2 (the first
# world) found RL on Goal Planning alone lifted GP from 8.3 to 19.4 on val in 40 steps, while in the six-task epoch a
# step holds ~1.3 GP questions. Here round 12's GRPO epoch unchanged (the paper's rewards and RL tasks, 150 steps x
# 8 questions x G 8, lr 1e-4) from seed 0's 3,000-step grounding SFT, except `task_weights: {GP: W}` (W = WEIGHTS,
# default 3: GP 3/8 of each step's questions), scored on val350. Compare with the unweighted epoch from the same SFT
# (sft3000-three-seeds.sh's seed 0 GRPO, scored on val350 by headroom-3000-val.sh). One process per weight,
# OMP_NUM_THREADS=1. Skips what exists; resumes from the last checkpoint. Figures: round14_stats.py
set -e
OUT=runs/w9
for w in ${WEIGHTS:-3}; do
  name=grpo-grounding-aux0.3-3000-trainseed0-gp$w
  printf 'task_weights: {GP: %s}\n' $w > /tmp/w9-gp$w.yaml
  streampro train grpo --config /tmp/w9-gp$w.yaml --init $OUT/seed0/sft-grounding-aux0.3-3000-trainseed0/final \
    --train $OUT/data/train0/items.jsonl --out $OUT/seed0/$name --steps 150 --items-per-step 8 --lr 1e-4 \
    --freeze-encoder --seed 0 --save-every 25 --task EU --task OU --task AA --task TP --task TG --task GP
  [ -f $OUT/val/$name-seed0/summary.json ] || streampro eval --model small:$OUT/seed0/$name/final \
    --bench $OUT/data/val350/items.jsonl --out $OUT/val/$name-seed0
done
