#!/bin/bash
# issue 18, round 19, val only: per-response credit (new setting `credit: response`, ours, not the paper's): every
# action token keeps its rollout's GRPO advantage and the words of each response the turn reward matched get that
# response's S_acc minus the group's mean S_acc for the same answer on top (`response_credit` 1.0). Written after
# the plateau of capact-6000-epochs-3-5.sh and epoch3-lr-val.sh: most GP groups hold a rollout naming the next square
# but the policy no longer moves towards it, and a right square in one response shares one advantage with a wrong
# one in the next. A third epoch with it (the paper's epoch otherwise: lib.sh's paper_epoch, --seed s + 200) from the
# two-epoch models of seeds 3 and 5, against the lr-1e-4 third epoch of capact-6000-epochs-3-5.sh (same init and
# seed), val350, with the greedy next-square share (round19_stats.py section 7).
# Rule, fixed before any output existed: the three-seed test (the 6,000-step SFT -> two paper's epochs + this one)
# only if the mean val proactive over seeds 3 and 5 beats the lr-1e-4 third epoch's by 1.5 with W-Avg not below
# it. (Amended while the val epochs ran, before any of their output existed: the clock allows the test this round,
# STAGE=test: seed 4 trains the same epoch, and the three are scored on test1400; round19_stats.py section 8.)
# RC=3 (added after the RC=1 val run was read: mean proactive +0.81 over the trajectory-credit third epoch, W-Avg
# +1.0, next-square share +2-3 points; a dose-response check with the same rule): `response_credit: 3`, run
# folders grpo3resp3-*; if its rule is met and the clock allows, STAGE=test RC=3 this round, else the next.
set -e
export OMP_NUM_THREADS=1 MKL_NUM_THREADS=1
RC=${RC:-1}
tag=grpo3resp$([ "$RC" = 1 ] || echo "$RC")
. docs/measured/spread/lib.sh
third_epoch $tag response-credit$RC --credit response --response-credit $RC
