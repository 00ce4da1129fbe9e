#!/bin/bash
# issue 18, round 11, val only, seed 0: round 9/10's GRPO epoch unchanged (the paper's rewards, RL tasks EU OU AA TP
# TG GP) from each 1,875-step SFT of captioning-steps-val.sh, scored on val350. Skips what exists.
set -e
OUT=runs/w9
for name in ${RUNS:-sft-grounding-aux0.3-1875 sft-cap-grounding-1875}; do
  g=grpo${name#sft}
  streampro train grpo --init $OUT/seed0/$name/final --train $OUT/data/train0/items.jsonl --out $OUT/seed0/$g \
    --steps 150 --items-per-step 8 --lr 1e-4 --freeze-encoder --seed 0 --save-every 25 \
    --task EU --task OU --task AA --task TP --task TG --task GP
  streampro eval --model small:$OUT/seed0/$g/final --bench $OUT/data/val350/items.jsonl --out $OUT/val/$g
done
