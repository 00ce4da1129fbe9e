#!/bin/bash
# issue 18, round 14, val only, seed 0: the headroom study of round 13 (headroom-val.sh: 140 val350 questions x G 8,
# the same draw, --seed 0) for the 3,000-step grounding SFT of seed 0 (the val probe of sft-longer-seed-val.sh, which
# is also seed 0's SFT in sft3000-three-seeds.sh) and its GRPO epoch from that script, beside their greedy val350
# read-out. Does the longer, steadier SFT leave GRPO more or less to sharpen than the 1,875-step one?
# Run after sft3000-three-seeds.sh (SEEDS=0) has trained seed 0's GRPO. One process, OMP_NUM_THREADS=1.
# Skips what exists. Figures: round14_stats.py
set -e
OUT=runs/w9
name=grounding-aux0.3-3000-trainseed0
for stage in sft grpo; do
  dest=$OUT/r14-headroom-$stage-3000-seed0
  [ -f $dest/summary.json ] || streampro train reward-study --init $OUT/seed0/$stage-$name/final \
    --items $OUT/data/val350/items.jsonl --groups 140 --group-size 8 --seed 0 --out $dest
  dest=$OUT/val/$stage-$name-seed0
  [ -f $dest/summary.json ] || streampro eval --model small:$OUT/seed0/$stage-$name/final \
    --bench $OUT/data/val350/items.jsonl --out $dest
done
