#!/bin/bash
# issue 18, round 10: does the proactive dimension move when RL sees Risk Forecasting? A documented modification
# of the paper's RL data (the paper trains RF nowhere; RF is 75 of the 108 proactive questions). Everything else
# is round 9's GRPO epoch in the spread world (docs/measured/spread/three-seeds.sh, which must have run): from the
# same SFT-CB checkpoint per seed, the paper's rewards and credit, 150 steps x 8 questions x G 8, lr 1e-4 — only
# `--task RF` is added to the six RL tasks. Scored on the spread world's test split (and seed 0 on val350).
# Every step is skipped when its output exists. Table: python docs/measured/grpo-epoch-5600/table.py
set -e
OUT=runs/w9
for s in ${SEEDS:-0 1 2}; do
  streampro train grpo --init $OUT/seed$s/sft-cb/final --train $OUT/data/train$s/items.jsonl \
    --out $OUT/seed$s/grpo-rf --steps 150 --items-per-step 8 --lr 1e-4 --freeze-encoder --seed $s --save-every 25 \
    --task EU --task OU --task AA --task TP --task TG --task GP --task RF
  streampro eval --model small:$OUT/seed$s/grpo-rf/final --bench $OUT/data/test/items.jsonl --out $OUT/eval/grpo-rf-seed$s
  if [ $s = 0 ]; then
    streampro eval --model small:$OUT/seed0/grpo-rf/final --bench $OUT/data/val350/items.jsonl --out $OUT/val/grpo-rf
  fi
done
