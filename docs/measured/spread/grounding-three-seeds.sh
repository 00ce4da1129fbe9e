#!/bin/bash
# issue 18, round 10: the grounding SFT chosen on val (docs/measured/spread/grounding-aux-val.sh: projector, motion
# term, motion_aux 0.3 — seed 0's val W-Avg 18.3 against SFT-CB's 14.2, and a decision that reads the frames on all
# seven tasks) on three seeds of the spread world's test split, each followed by round 9's GRPO epoch unchanged
# (the paper's rewards and credit, 150 steps x 8 questions x G 8, lr 1e-4, RL tasks EU OU AA TP TG GP).
# docs/measured/spread/three-seeds.sh must have run (data, stage-0 encoders via prep-r5.sh). Skips what exists.
# Table: python docs/measured/grpo-epoch-5600/table.py
set -e
OUT=runs/w9
A=0.3
for s in ${SEEDS:-0 1 2}; do
  streampro train sft --config docs/measured/spread/w9-model.yaml --base small:runs/r5/seed$s/perception/final \
    --train $OUT/data/train$s/items.jsonl --out $OUT/seed$s/sft-grounding-aux$A --loss cb --steps 1500 \
    --batch-size 16 --seed $s --freeze-encoder --motion-aux $A --task EU --task OU --task TP --task TG
  streampro eval --model small:$OUT/seed$s/sft-grounding-aux$A/final --bench $OUT/data/test/items.jsonl \
    --out $OUT/eval/sft-grounding-aux$A-seed$s
  streampro train grpo --init $OUT/seed$s/sft-grounding-aux$A/final --train $OUT/data/train$s/items.jsonl \
    --out $OUT/seed$s/grpo-grounding-aux$A --steps 150 --items-per-step 8 --lr 1e-4 --freeze-encoder --seed $s \
    --save-every 25 --task EU --task OU --task AA --task TP --task TG --task GP
  streampro eval --model small:$OUT/seed$s/grpo-grounding-aux$A/final --bench $OUT/data/test/items.jsonl \
    --out $OUT/eval/grpo-grounding-aux$A-seed$s
  if [ $s = 0 ]; then
    streampro eval --model small:$OUT/seed0/grpo-grounding-aux$A/final --bench $OUT/data/val350/items.jsonl \
      --out $OUT/val/grpo-grounding-aux$A
  fi
done
