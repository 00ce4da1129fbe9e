#!/bin/bash
# issue 18, round 10: a second GRPO budget with the paper's recipe unchanged. Round 9's one GRPO epoch gained
# W-Avg on every seed and its training reward was still rising at the end; this continues each seed's
# runs/w9/seed$s/grpo/final (which is also the KL reference of the continuation) for another 150 steps x 8
# questions x G 8 (lr 1e-4, the paper's rewards, credit and RL tasks), with prompts drawn by another seed
# (s + 100), then scores it on the spread world's test split (and seed 0 on val350).
# Round 10 ran seed 0 only (SEEDS=0; seeds 1-2 were stopped to free the cores). Skips what exists.
# Its rows: docs/measured/spread/round10-{test,val}.txt
set -e
OUT=runs/w9
for s in ${SEEDS:-0 1 2}; do
  streampro train grpo --init $OUT/seed$s/grpo/final --train $OUT/data/train$s/items.jsonl \
    --out $OUT/seed$s/grpo2 --steps 150 --items-per-step 8 --lr 1e-4 --freeze-encoder --seed $((s + 100)) \
    --save-every 25 --task EU --task OU --task AA --task TP --task TG --task GP
  streampro eval --model small:$OUT/seed$s/grpo2/final --bench $OUT/data/test/items.jsonl --out $OUT/eval/grpo2-seed$s
  if [ $s = 0 ]; then
    streampro eval --model small:$OUT/seed0/grpo2/final --bench $OUT/data/val350/items.jsonl --out $OUT/val/grpo2
  fi
done
