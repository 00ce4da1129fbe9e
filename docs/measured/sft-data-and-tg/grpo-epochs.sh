#!/bin/bash
# issue 18 round 5: one GRPO epoch (150 steps x 8 questions x G 8, lr 1e-4, the paper's rewards), val350 every
# 50 steps. (a) from runs/r3 seed 0's SFT-CB on a fresh RL split that SFT never saw (the paper's separate RL set);
# (b) from the 5,600-question SFT-CB (sft-data-and-steps.sh) on its own train split.
set -e
cd /work/main && source .venv/bin/activate
V=runs/s3/val350/items.jsonl
[ -f runs/s4/rl50/items.jsonl ] || streampro generate --split train --n-items 1400 --seed 50 --out runs/s4/rl50
for spec in "runs/r3/seed0/sft-cb/final runs/s4/rl50 runs/s4/grpo-rl50" "runs/s4/sft-cb-x4/final runs/s4/train0x4 runs/s4/grpo-x4"; do
  set -- $spec
  time streampro train grpo --init $1 --train $2/items.jsonl --out $3 --steps 150 --items-per-step 8 --lr 1e-4 \
    --freeze-encoder --seed 0 --save-every 25 --val $V --eval-every 50 --task EU --task OU --task AA --task TP --task TG --task GP
done
# the comparison: the epoch on SFT's own split from the same SFT-CB (runs/g18, docs/measured/grpo-epoch-3-seeds.sh)
streampro eval --model small:runs/g18/seed0/final --bench $V --out runs/s4/val350-eval/g18-seed0
