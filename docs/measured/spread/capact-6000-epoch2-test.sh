#!/bin/bash
# issue 18, round 18, run at the end of the round after reading capact-6000-epoch2-probe.sh's val scores (the second
# epoch added W-Avg +2.0 / +0.9 and proactive +1.9 / +0.8 on seeds 3 and 5, val350): the done-when's bar for the
# 6,000-step captioning SFT against its GRPO model after two paper's epochs (the second: --seed s + 100, as
# second-epoch-3000.sh), seeds 3, 4, 5, test1400. Chosen on val; written and committed before any test score of a
# second epoch existed. Seed 4's second epoch is trained here (3 and 5 by capact-6000-epoch2-probe.sh; both
# through lib.sh's paper_epoch). Figures: round18_stats.py section 8.
set -e
export OMP_NUM_THREADS=1 MKL_NUM_THREADS=1
. docs/measured/spread/lib.sh
for s in 3 4 5; do second_epoch $s & done  # lib.sh
wait
