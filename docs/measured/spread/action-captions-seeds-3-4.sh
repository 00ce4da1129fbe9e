#!/bin/bash
# issue 18, round 16, run after reading action-captions-three-seeds.sh's bar (not met; five and six seeds predicted
# for W-Avg and proactive): seeds 3 and 4 of the same recipe, made exactly as seeds 0-2 (prep-seed.sh, then the
# captioning SFT and the paper's GRPO epoch), scored on test1400. A check of the prediction, not the done-when's
# three-seed bar. About 75 min on two cores; resumable (each step skips what exists, SFT/GRPO resume from their
# last checkpoint). Figures: python docs/measured/spread/round16_stats.py (it reads every seed that exists).
set -e
. docs/measured/spread/lib.sh
mkdir -p runs/w9/logs
# the shared splits, as test1400-three-seeds.sh makes them (the stage-0 encoders' val split, test1400)
gen runs/r5/data/val val 70 0
gen runs/w9/data/test1400 test 1400 1 --timing-spread 3
for s in 3 4; do bash docs/measured/spread/prep-seed.sh $s > runs/w9/logs/prep-seed$s.log 2>&1 & done
wait
SEEDS="3 4" bash docs/measured/spread/action-captions-three-seeds.sh
