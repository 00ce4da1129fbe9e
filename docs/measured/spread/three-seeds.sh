#!/bin/bash
# issue 18, round 9: the paper's recipe in a world whose event times are spread (`--timing-spread 3`), on three
# seeds. Per seed: its 5,600-question train split of the spread world, round 5's SFT-CB (CB-Stream loss,
# 1,500 steps, batch 16, length-grouped batches, frozen stage-0 encoder, SFT tasks EU OU TP TG — what
# `reproduce` runs) from that seed's stage-0 encoder of runs/r5 (made by docs/measured/grounding/prep-r5.sh:
# the frames are drawn by the same renderer, only event times differ), then one GRPO epoch from it (the
# paper's rewards and credit; 150 steps x 8 questions x G 8, lr 1e-4, RL tasks EU OU AA TP TG GP), both scored
# on the spread world's 350-question test split beside the reference models; the seed-0 SFT's decision AUC
# own − other video on the spread world's val split. Every step is skipped when its output exists.
# Table: python docs/measured/grpo-epoch-5600/table.py
set -e
OUT=runs/w9
S=${SPREAD:-3}
gen() { [ -f "$1/items.jsonl" ] || streampro generate --out "$1" --split "$2" --n-items "$3" --seed "$4" --timing-spread $S; }
gen $OUT/data/test test 350 0
gen $OUT/data/val350 val 350 1
for m in random eager silent reactive; do
  [ -f $OUT/eval/$m/summary.json ] || streampro eval --model $m --bench $OUT/data/test/items.jsonl --out $OUT/eval/$m
done
for s in ${SEEDS:-0 1 2}; do
  gen $OUT/data/train$s train 5600 $s
  streampro train sft --base small:runs/r5/seed$s/perception/final --train $OUT/data/train$s/items.jsonl \
    --out $OUT/seed$s/sft-cb --loss cb --steps 1500 --batch-size 16 --seed $s --freeze-encoder --group-by-length \
    --task EU --task OU --task TP --task TG
  streampro eval --model small:$OUT/seed$s/sft-cb/final --bench $OUT/data/test/items.jsonl --out $OUT/eval/sft-seed$s
  if [ $s = 0 ] && [ ! -f $OUT/auc-sft-seed0.txt ]; then
    python docs/measured/tg-probe/decision_auc.py $OUT/seed0/sft-cb/final $OUT/data/val350/items.jsonl > $OUT/auc-sft-seed0.txt
  fi
  streampro train grpo --init $OUT/seed$s/sft-cb/final --train $OUT/data/train$s/items.jsonl \
    --out $OUT/seed$s/grpo --steps 150 --items-per-step 8 --lr 1e-4 --freeze-encoder --seed $s --save-every 25 \
    --task EU --task OU --task AA --task TP --task TG --task GP
  streampro eval --model small:$OUT/seed$s/grpo/final --bench $OUT/data/test/items.jsonl --out $OUT/eval/grpo-seed$s
done
