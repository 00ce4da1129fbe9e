#!/bin/bash
# issue 18, round 6: one GRPO epoch (150 steps x 8 questions x G 8, lr 1e-4, the paper's rewards) from each seed's
# SFT-CB of runs/r5 (`streampro reproduce --out runs/r5 --seed 0 --seed 1 --seed 2 --n-train 5600`), on that
# seed's own train split, then scored on the test split. CREDIT=trajectory (the paper's GRPO, default) or tree.
#   CREDIT=trajectory bash docs/measured/grpo-epoch-5600/run.sh && python docs/measured/grpo-epoch-5600/table.py
set -e
CREDIT=${CREDIT:-trajectory}
OUT=runs/g5-$CREDIT
for s in 0 1 2; do
  streampro train grpo --init runs/r5/seed$s/sft-cb/final --train runs/r5/data/train$s/items.jsonl --out $OUT/seed$s \
    --steps 150 --items-per-step 8 --lr 1e-4 --freeze-encoder --seed $s --save-every 25 --credit $CREDIT \
    --task EU --task OU --task AA --task TP --task TG --task GP
  streampro eval --model small:$OUT/seed$s/final --bench runs/r5/data/test/items.jsonl --out $OUT/eval/seed$s
done
