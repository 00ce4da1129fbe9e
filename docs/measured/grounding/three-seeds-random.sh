#!/bin/bash
# issue 18, round 8: round 7's three-seed run (three-seeds.sh) with what this round changed — random SFT batches
# (no --group-by-length; STEPS SFT steps, 1,500 as round 7 and runs/r5's SFT-CB) — then one GRPO epoch from each
# SFT (the paper's rewards and credit), both scored on the test split. Seeds' data and encoders: prep-r5.sh.
# Table: python docs/measured/grpo-epoch-5600/table.py
set -e
OUT=runs/g8
STEPS=${STEPS:-1500}
printf 'model: {projector: true, motion: true}\n' > /tmp/g8-model.yaml
for s in ${SEEDS:-0 1 2}; do
  streampro train sft --config /tmp/g8-model.yaml --base small:runs/r5/seed$s/perception/final \
    --train runs/r5/data/train$s/items.jsonl --out $OUT/seed$s/sft-random-$STEPS --loss cb --steps $STEPS --batch-size 16 \
    --seed $s --freeze-encoder --motion-aux 1.0 --task EU --task OU --task TP --task TG
  streampro eval --model small:$OUT/seed$s/sft-random-$STEPS/final --bench runs/r5/data/test/items.jsonl \
    --out $OUT/eval/sft-seed$s
  streampro train grpo --init $OUT/seed$s/sft-random-$STEPS/final --train runs/r5/data/train$s/items.jsonl \
    --out $OUT/seed$s/grpo --steps 150 --items-per-step 8 --lr 1e-4 --freeze-encoder --seed $s --save-every 25 \
    --task EU --task OU --task AA --task TP --task TG --task GP
  streampro eval --model small:$OUT/seed$s/grpo/final --bench runs/r5/data/test/items.jsonl --out $OUT/eval/grpo-seed$s
done
