#!/bin/bash
# issue 18, round 19: after two paper's epochs the next-square share of sampled GP responses stops growing (val350
# probe, seeds 3 and 5: 25-28 % after epoch 2, 26-30 % after epochs 3-5) and val proactive with it, while 31-34 of 40
# GP groups hold a rollout naming the next square and a 600-step supervised continuation reaches 67 % (gp-supervised-
# val.sh): the signal is in the groups, the update does not take it. Is the step size the brake? A third epoch at
# lr 3e-4 (the paper's epoch otherwise: lib.sh's paper_epoch, --seed s + 200 as epoch 3) from the two-epoch models
# of seeds 3 and 5, scored on val350 against capact-6000-epochs-3-5.sh's third epoch at lr 1e-4 (same init, seed).
# Rule, fixed before any output existed: to the three-seed test only if the mean val proactive over seeds 3 and 5
# is at least the lr-1e-4 third epoch's + 1.5 and the mean W-Avg not below it; then seed 4 trains the same epoch and
# the 6,000-step SFT is compared with the three lr-3e-4 third epochs on test1400 (STAGE=test).
set -e
export OMP_NUM_THREADS=1 MKL_NUM_THREADS=1
. docs/measured/spread/lib.sh
third_epoch grpo3lr3 epoch3-lr3 --lr 3e-4
