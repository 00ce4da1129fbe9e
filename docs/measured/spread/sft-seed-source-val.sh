#!/bin/bash
# issue 18, round 13, val only: where does the SFT seed spread come from? Seed 3's 1,875-step grounding SFT is weak
# at every late checkpoint (val350 W-Avg 15.1-15.6, OU 34.5 against seed 0's 72.1) while its stage-0 encoder reads
# objects as well as the others (val object F1 0.576-0.585 over seeds 0-4). A "seed" here fixes three things: the
# train split (train$s), the encoder (runs/r5/seed$s) and SFT's own randomness (init of the new layers, batch
# order: --seed). Two swaps of --seed alone: seed 3's data and encoder with --seed 0, seed 0's with --seed 3.
# One process each (WHICH=3-0 or 0-3, default both in turn), OMP_NUM_THREADS=1. Skips what exists.
set -e
OUT=runs/w9
for pair in ${WHICH:-3-0 0-3}; do
  data=${pair%-*} seed=${pair#*-}
  name=sft-grounding-aux0.3-1875-trainseed$seed
  streampro train sft --config docs/measured/spread/w9-model.yaml --base small:runs/r5/seed$data/perception/final \
    --train $OUT/data/train$data/items.jsonl --out $OUT/seed$data/$name --loss cb --steps 1875 --batch-size 16 \
    --seed $seed --freeze-encoder --motion-aux 0.3 --task EU --task OU --task TP --task TG
  [ -f $OUT/val/$name-seed$data/summary.json ] || streampro eval --model small:$OUT/seed$data/$name/final \
    --bench $OUT/data/val350/items.jsonl --out $OUT/val/$name-seed$data
done
