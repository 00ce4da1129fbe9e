#!/bin/bash
# issue 18, round 8: the parts of `streampro reproduce --out runs/r5 --seed 0 --seed 1 --seed 2 --n-train 5600`
# that the grounding runs read — each seed's 5,600-question train split, the shared test and probe-val splits,
# each seed's stage-0 perception encoder — made by the same calls (same seeds and sizes), without its SFT/GRPO
# stages; plus the 350-question val split of rounds 5-7. Every step is skipped when its output exists.
set -e
OUT=runs/r5
gen() { [ -f "$1/items.jsonl" ] || streampro generate --out "$1" --split "$2" --n-items "$3" --seed "$4"; }
gen $OUT/data/test test 350 0
gen $OUT/data/val val 70 0
gen runs/s3/val350 val 350 1
for x in ${SEEDS:-0 1 2}; do
  gen $OUT/data/train$x train 5600 $x
  [ -d $OUT/seed$x/perception/final ] || streampro train perception --train $OUT/data/train$x/items.jsonl \
    --val $OUT/data/val/items.jsonl --out $OUT/seed$x/perception --steps 600 --seed $x
done
