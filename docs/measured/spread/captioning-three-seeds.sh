#!/bin/bash
# issue 18, round 11: the paper's SFT data has captioning ("event/action captioning, EU, OU, TP, TG"); ours had
# none, so Anomaly Alert's words (vanished / froze / jumped / split) were never an SFT target and GRPO, which
# trains AA, could not sample them (round 10's AA answers: "turned orange", "moves up"). Here: 800 live-captioning
# items per seed (streampro generate --task CAP, split seed 50+s so their ids and scenes differ from the train
# split's), mixed into round 10's grounding SFT (projector, motion term, motion_aux 0.3, 1500 steps, EU OU TP TG
# + CAP), then round 9/10's GRPO epoch unchanged (the paper's rewards and RL tasks EU OU AA TP TG GP).
# docs/measured/spread/three-seeds.sh must have run (train splits, stage-0 encoders). Skips what exists.
# Table: python docs/measured/grpo-epoch-5600/table.py
set -e
OUT=runs/w9
A=0.3
for s in ${SEEDS:-0 1 2}; do
  D=$OUT/data/sftcap$s/items.jsonl
  if [ ! -f $D ]; then
    streampro generate --split train --task CAP --n-items 800 --seed 5$s --timing-spread 3 --out $OUT/data/cap$s
    streampro data merge $OUT/data/train$s/items.jsonl $OUT/data/cap$s/items.jsonl --out $D
  fi
  streampro train sft --config docs/measured/spread/w9-model.yaml --base small:runs/r5/seed$s/perception/final \
    --train $D --out $OUT/seed$s/sft-cap-grounding --loss cb --steps 1500 --batch-size 16 --seed $s \
    --freeze-encoder --motion-aux $A --task EU --task OU --task TP --task TG --task CAP
  if [ $s = 0 ]; then
    streampro eval --model small:$OUT/seed0/sft-cap-grounding/final --bench $OUT/data/val350/items.jsonl \
      --out $OUT/val/sft-cap-grounding
  fi
  streampro train grpo --init $OUT/seed$s/sft-cap-grounding/final --train $OUT/data/train$s/items.jsonl \
    --out $OUT/seed$s/grpo-cap-grounding --steps 150 --items-per-step 8 --lr 1e-4 --freeze-encoder --seed $s \
    --save-every 25 --task EU --task OU --task AA --task TP --task TG --task GP
  if [ $s = 0 ]; then
    streampro eval --model small:$OUT/seed0/grpo-cap-grounding/final --bench $OUT/data/val350/items.jsonl \
      --out $OUT/val/grpo-cap-grounding
  fi
  streampro eval --model small:$OUT/seed$s/sft-cap-grounding/final --bench $OUT/data/test/items.jsonl \
    --out $OUT/eval/sft-cap-grounding-seed$s
  streampro eval --model small:$OUT/seed$s/grpo-cap-grounding/final --bench $OUT/data/test/items.jsonl \
    --out $OUT/eval/grpo-cap-grounding-seed$s
done
