#!/bin/bash
# issue 18, round 10: both levers of this round on one seed — the grounding SFT with motion_aux 0.3 (seed 0, made by
# docs/measured/spread/grounding-three-seeds.sh) and a GRPO epoch whose RL data has Risk Forecasting added
# (docs/measured/spread/rf-in-rl.sh's modification); scored on the spread test and val splits. Skips what exists.
set -e
OUT=runs/w9
streampro train grpo --init $OUT/seed0/sft-grounding-aux0.3/final --train $OUT/data/train0/items.jsonl \
  --out $OUT/seed0/grpo-rf-grounding-aux0.3 --steps 150 --items-per-step 8 --lr 1e-4 --freeze-encoder --seed 0 \
  --save-every 25 --task EU --task OU --task AA --task TP --task TG --task GP --task RF
streampro eval --model small:$OUT/seed0/grpo-rf-grounding-aux0.3/final --bench $OUT/data/test/items.jsonl \
  --out $OUT/eval/grpo-rf-grounding-aux0.3-seed0
streampro eval --model small:$OUT/seed0/grpo-rf-grounding-aux0.3/final --bench $OUT/data/val350/items.jsonl \
  --out $OUT/val/grpo-rf-grounding-aux0.3
