#!/bin/bash
# issue 18, round 7: the grounding SFT (projector + motion term + motion_aux 1.0; sft-cb-x4-pm-aux.yaml's settings)
# from each seed's perception encoder of runs/r5 on that seed's 5,600-question train split, then one GRPO epoch
# from it (the paper's rewards and credit, as grpo-epoch-5600/run.sh), both scored on the test split.
#   bash docs/measured/grounding/three-seeds.sh && python docs/measured/grounding/table.py
# (needs `streampro reproduce --out runs/r5 --seed 0 --seed 1 --seed 2 --n-train 5600` first)
set -e
OUT=runs/g7
for s in 0 1 2; do
  printf 'model: {projector: true, motion: true}\n' > /tmp/g7-model.yaml
  streampro train sft --config /tmp/g7-model.yaml --base small:runs/r5/seed$s/perception/final \
    --train runs/r5/data/train$s/items.jsonl --out $OUT/seed$s/sft --loss cb --steps 1500 --batch-size 16 --seed $s \
    --freeze-encoder --group-by-length --motion-aux 1.0 --task EU --task OU --task TP --task TG
  streampro eval --model small:$OUT/seed$s/sft/final --bench runs/r5/data/test/items.jsonl --out $OUT/eval/sft-seed$s
  streampro train grpo --init $OUT/seed$s/sft/final --train runs/r5/data/train$s/items.jsonl --out $OUT/seed$s/grpo \
    --steps 150 --items-per-step 8 --lr 1e-4 --freeze-encoder --seed $s --save-every 25 \
    --task EU --task OU --task AA --task TP --task TG --task GP
  streampro eval --model small:$OUT/seed$s/grpo/final --bench runs/r5/data/test/items.jsonl --out $OUT/eval/grpo-seed$s
done
