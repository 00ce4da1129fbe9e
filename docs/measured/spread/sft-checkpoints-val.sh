#!/bin/bash
# issue 18, round 13, val only: how far a 1,875-step grounding SFT's val350 W-Avg moves between its last checkpoints
# (1700, 1800, final = 1875) against the spread between seeds, and the average of the three (sft_checkpoints.py).
# SEEDS (default 0 1 2 3 4); one process, OMP_NUM_THREADS=1. Skips what exists. Figures: round13_stats.py
set -e
OUT=runs/w9
python docs/measured/spread/sft_checkpoints.py ${SEEDS:-0 1 2 3 4}
for s in ${SEEDS:-0 1 2 3 4}; do
  for v in "" -ckpt1700 -ckpt1800 -avg3; do
    name=sft-grounding-aux0.3-1875$v
    model=$OUT/seed$s/$name
    if [ -z "$v" ]; then model=$model/final; fi
    dest=$OUT/val/$name$([ $s = 0 ] && [ -z "$v" ] || echo "-seed$s")
    [ -f $dest/summary.json ] || \
      streampro eval --model small:$model --bench $OUT/data/val350/items.jsonl --out $dest
  done
done
