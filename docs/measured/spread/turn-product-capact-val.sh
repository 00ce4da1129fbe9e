#!/bin/bash
# issue 18, round 18, val350 only, seed 3 (then, if its rule is met, STAGE=test on seeds 3-5): the turn reward's step
# score as StreamPro-F1 scores a step. Written and committed before any of its scores existed.
#
# Why. The captioning models answer Goal Planning at the right moment naming the square just reached, not the next
# one (gp_next_square_probe.py: 16-32 % of in-window GP responses in sampled rollouts against 4-27 % naming the next
# square), and gp_content_bound.py says the next square at those same moments is worth GP +25 and proactive +13 on
# test1400. The paper's turn reward adds time and content, S' = S_time + S_acc: an on-time answer naming a wrong
# square keeps 1.2 of the 2 a right one earns (the rule judge gives a wrong square 1 of 5), so the reward pays mostly
# for the moment, which the model already has. StreamPro-F1 multiplies, S = S_time * S_acc: 0.2 of 1. Weighting GP
# in the RL mix (gp-weight-capact-val.sh) gave the epoch more GP questions and lowered the next-square share (12.0 ->
# 5.9 % on val, greedy): it reinforced the reached square. Here the epoch is unchanged except `--turn-score product`
# (2 S_time S_acc, the benchmark's S on the paper's range [0, 2]); not the paper's reward, a documented setting.
#
# Rule, fixed before reading: the product epoch goes to the three-seed test (STAGE=test: seeds 3-5 from their
# 3,750-step captioning SFTs, test1400; the done-when's bar against those SFTs, beside the paper's epoch) only if on
# val350 it beats the paper's epoch on proactive by 2 points or more and is not below it on W-Avg.
# One process, one thread (beside capact-6000-seeds-3-5.sh). Skips what exists. Figures: round18_stats.py.
set -e
export OMP_NUM_THREADS=1 MKL_NUM_THREADS=1
OUT=runs/w9
. docs/measured/spread/lib.sh
gen $OUT/data/val350 val 350 1 --timing-spread 3
mkdir -p $OUT/val $OUT/logs
capact_variant product --turn-score product
