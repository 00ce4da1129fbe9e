#!/bin/bash
# issue 18, round 11: two more seeds (3, 4) of round 10's recipe — the grounding SFT (projector, motion term,
# motion_aux 0.3) and the paper's GRPO epoch on it — so its intervals rest on five seeds. Per seed: the stage-0
# inputs exactly as for seeds 0-2 (prep-r5.sh: the original world's 5,600-question train split and its perception
# encoder), the spread world's train split, then grounding-three-seeds.sh. Skips what exists. Run here as two
# processes side by side (OMP_NUM_THREADS=1 each), one per seed, beside other runs.
# Figures: python docs/measured/spread/round11_stats.py
set -e
for s in ${SEEDS:-3 4}; do
  SEEDS=$s bash docs/measured/grounding/prep-r5.sh
  [ -f runs/w9/data/train$s/items.jsonl ] || streampro generate --out runs/w9/data/train$s --split train \
    --n-items 5600 --seed $s --timing-spread 3
  SEEDS=$s bash docs/measured/spread/grounding-three-seeds.sh
done
