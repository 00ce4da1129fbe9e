#!/bin/bash
# Seed $1's inputs for the spread-world protocol (issue 18): its 5,600-question train split of the original world
# and the stage-0 encoder trained on it (runs/r5), then its train split of the spread world (runs/w9). Each step
# is skipped when its output exists; runs/r5/data/val (the encoders' val split) must exist — the callers make it
# once before starting seeds side by side. Called by test1400-three-seeds.sh and action-captions-seeds-3-4.sh.
set -e
export OMP_NUM_THREADS=1 MKL_NUM_THREADS=1
s=$1
. docs/measured/spread/lib.sh
gen runs/r5/data/train$s train 5600 $s
[ -d runs/r5/seed$s/perception/final ] || streampro train perception --train runs/r5/data/train$s/items.jsonl \
  --val runs/r5/data/val/items.jsonl --out runs/r5/seed$s/perception --steps 600 --seed $s
gen runs/w9/data/train$s train 5600 $s --timing-spread 3
