#!/bin/bash
# issue 18, round 14, val only, seed 0: the RL data mix as a lever on the proactive dimension. Round 2 (the first
# world) found RL on Goal Planning alone lifted GP from 8.3 to 19.4 on val in 40 steps, while in the six-task epoch a
# step holds ~1.3 GP questions. Here round 12's GRPO epoch unchanged (the paper's rewards and RL tasks, 150 steps x
# 8 questions x G 8, lr 1e-4) except `task_weights: {GP: W}` (W in WEIGHTS, default 3: GP 3/8 of each step's
# questions), from seed 0's grounding SFT of FROM steps (3000: sft3000-three-seeds.sh's, little GP headroom; 1875:
# round 12's, more), scored on val350. Compare with the unweighted epoch from the same SFT. One process per run,
# OMP_NUM_THREADS=1. Skips what exists; resumes from the last checkpoint. Figures: round14_stats.py
set -e
OUT=runs/w9
for from in ${FROM:-3000}; do
  sft=sft-grounding-aux0.3-$from; [ $from = 3000 ] && sft=$sft-trainseed0
  for w in ${WEIGHTS:-3}; do
    name=${sft/sft-/grpo-}-gp$w
    printf 'task_weights: {GP: %s}\n' $w > /tmp/w9-gp$w.yaml
    streampro train grpo --config /tmp/w9-gp$w.yaml --init $OUT/seed0/$sft/final --train $OUT/data/train0/items.jsonl \
      --out $OUT/seed0/$name --steps 150 --items-per-step 8 --lr 1e-4 --freeze-encoder --seed 0 --save-every 25 \
      --task EU --task OU --task AA --task TP --task TG --task GP
    [ -f $OUT/val/$name-seed0/summary.json ] || streampro eval --model small:$OUT/seed0/$name/final \
      --bench $OUT/data/val350/items.jsonl --out $OUT/val/$name-seed0
  done
done
