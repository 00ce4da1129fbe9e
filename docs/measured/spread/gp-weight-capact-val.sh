#!/bin/bash
# issue 18, round 18, val350 only, seed 3: does weighting Goal Planning in the RL mix teach the captioning model the
# next square? Written and committed before any of its scores existed.
#
# Why. gp_content_bound.py: with the GP responses the captioning models already give (their number and times) but
# the right next square in each matched one, GP would go 8-15 -> 35-40 and proactive 7-9 -> 20-22 on test1400 —
# far past what the done-when's proactive interval needs. gp_next_square_probe.py on val: the seed-3 captioning SFT's
# sampled GP rollouts name the next square in 5.8 % of in-window responses (15 of 40 questions have a rollout that
# does); after the paper's epoch 10.0 % (28 of 40): the epoch teaches it, slowly — one epoch sees about 200 GP
# questions (1/6 of the draws). Round 14's `task_weights: {GP: 3}` (3/8 of the draws) gave GP +5.5 on val from an
# SFT with GP headroom, and did not hold on test from one without.
#
# Runs (one process, one thread; beside capact-6000-seeds-3-5.sh): seed 3's 3,750-step captioning SFT and its
# paper's epoch scored on val350; the same epoch with `task_weights: {GP: 3}` (everything else the paper's epoch:
# 150 steps x 8 questions x G 8, lr 1e-4, --seed 3); each scored on val350, and the GP next-square share of each.
# Rule, fixed before reading: the weighted epoch goes to the three-seed test only if on val350 it beats the paper's
# epoch on proactive by 2 points or more and is not below it on W-Avg. The test (STAGE=test): the same weighted
# epoch from the 3,750-step captioning SFTs of seeds 3, 4, 5 (the models in this checkout), scored on test1400, the
# done-when's bar against those SFTs; seeds 4 and 5 side by side.
# Skips what exists. Figures: round18_stats.py (section 4).
set -e
export OMP_NUM_THREADS=1 MKL_NUM_THREADS=1
OUT=runs/w9
. docs/measured/spread/lib.sh
gen $OUT/data/val350 val 350 1 --timing-spread 3
printf 'task_weights: {GP: 3}\n' > /tmp/w9-capact-gp3.yaml
mkdir -p $OUT/val $OUT/logs
capact_variant gp3 --config /tmp/w9-capact-gp3.yaml  # lib.sh
