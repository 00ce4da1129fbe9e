#!/bin/bash
# issue 18, round 9, val only (seed 0): in the spread world, does round 7/8's grounding SFT (projector + motion term
# + motion_aux 1, random batches; docs/measured/grounding/three-seeds-random.sh) make the speak/stay-silent decision
# read the video, where the paper's SFT-CB (three-seeds.sh) reads it on TP and OU only — and does one GRPO epoch from
# it gain? Everything is scored on the spread world's 350-question val split (runs/w9/data/val350); the test split
# is not read. Needs three-seeds.sh's seed-0 data and SFT-CB. Every step is skipped when its output exists.
set -e
OUT=runs/w9
V=$OUT/data/val350/items.jsonl
streampro train sft --config docs/measured/spread/w9-model.yaml --base small:runs/r5/seed0/perception/final \
  --train $OUT/data/train0/items.jsonl --out $OUT/seed0/sft-grounding --loss cb --steps 1500 --batch-size 16 \
  --seed 0 --freeze-encoder --motion-aux 1.0 --task EU --task OU --task TP --task TG
[ -f $OUT/auc-grounding-seed0.txt ] || python docs/measured/tg-probe/decision_auc.py $OUT/seed0/sft-grounding/final $V \
  > $OUT/auc-grounding-seed0.txt
streampro train grpo --init $OUT/seed0/sft-grounding/final --train $OUT/data/train0/items.jsonl \
  --out $OUT/seed0/grpo-grounding --steps 150 --items-per-step 8 --lr 1e-4 --freeze-encoder --seed 0 --save-every 25 \
  --task EU --task OU --task AA --task TP --task TG --task GP
for m in sft-cb grpo sft-grounding grpo-grounding; do
  streampro eval --model small:$OUT/seed0/$m/final --bench $V --out $OUT/val/$m
done
