#!/bin/bash
# issue 18: GRPO for one epoch of the RL split (150 steps x 8 questions x G 8 = 9,600 rollouts), lr 1e-4 (chosen on
# val: docs/measured/grpo-val-2/epoch.yaml), the paper's rewards, from each seed's SFT-CB of runs/r3 (made by
# `streampro reproduce --out runs/r3 --seed 0 --seed 1 --seed 2 --no-group-by-length`); then scored on the test split.
# Run from the repository root with the environment active.
set -e
for s in 0 1 2; do
  streampro train grpo --init runs/r3/seed$s/sft-cb/final --train runs/r3/data/train$s/items.jsonl --out runs/g18/seed$s \
    --steps 150 --items-per-step 8 --lr 1e-4 --freeze-encoder --seed $s --save-every 25 \
    --task EU --task OU --task AA --task TP --task TG --task GP
  streampro eval --model small:runs/g18/seed$s/final --bench runs/r3/data/test/items.jsonl --out runs/g18/eval/seed$s
done
