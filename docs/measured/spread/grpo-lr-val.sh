#!/bin/bash
# issue 18, round 13, val only, seed 0: GRPO's policy barely moves at lr 1e-4 (KL to the SFT model 0.05-0.26 over
# the epoch, training reward 0.766 -> 0.784), and the lr was chosen in round 2 on the 70-question val split from a
# weaker SFT model. Here the round-12 GRPO epoch (the paper's rewards, 150 steps x 8 questions x G 8, RL tasks
# EU OU AA TP TG GP) from seed 0's 1,875-step grounding SFT, with LR = 3e-4 or 1e-3 (nothing else changed), scored
# on val350 beside round 12's lr 1e-4 run (runs/w9/val/grpo-grounding-aux0.3-1875). Never the test split.
# One process per LR (LRS="3e-4 1e-3" by default), OMP_NUM_THREADS=1. Skips what exists.
set -e
OUT=runs/w9
for lr in ${LRS:-3e-4 1e-3}; do
  name=grpo-grounding-aux0.3-1875-lr$lr
  streampro train grpo --init $OUT/seed0/sft-grounding-aux0.3-1875/final --train $OUT/data/train0/items.jsonl \
    --out $OUT/seed0/$name --steps 150 --items-per-step 8 --lr $lr --freeze-encoder --seed 0 \
    --save-every 25 --task EU --task OU --task AA --task TP --task TG --task GP
  [ -f $OUT/val/$name/summary.json ] || \
    streampro eval --model small:$OUT/seed0/$name/final --bench $OUT/data/val350/items.jsonl --out $OUT/val/$name
done
