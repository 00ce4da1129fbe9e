#!/bin/bash
# issue 18, round 22: round 18's closest recipe on fresh seeds — written and committed before any of its outputs
# existed; nothing is chosen here (the recipe and its two epochs were fixed in round 18), and nothing is tuned.
#
# Why. Round 18's two paper's epochs from the 6,000-step captioning SFT (capact-6000-seeds-3-5.sh,
# capact-6000-epoch2-test.sh) gained on every seed of 3-5 (test1400: W-Avg +2.43 ± 1.51, proactive +3.05 ± 2.58,
# paired) but the unpaired three-seed intervals overlap (by 2.6 and 2.0); at its gains and SDs `seeds_for` said six
# seeds would separate W-Avg and five proactive. Rounds 19-21 looked for a larger gain on val (more epochs, a larger
# step, per-response credit, GP-weighted draws, plan recital) and found none that met its rule, so the recipe stands.
# Two questions it leaves: (1) does its gain replicate on seeds it was never looked at on — round 17 found round
# 16's gain shrank on fresh seeds, and round 18's recipe was picked on seeds 3 and 5's val scores; (2) is the
# seed count the only thing between it and separated intervals, as seeds_for says.
#
# Run: the same recipe, unchanged, on seeds 6 and 7 (and 8 when there is time: SEEDS=8): prep-seed.sh (the
# original world's train split and stage-0 encoder, the spread world's train split), the 6,000-step captioning SFT
# and the paper's epoch with action-captions-three-seeds.sh (SFT_STEPS=6000, as capact-6000-seeds-3-5.sh), a second
# epoch (--seed s + 100, lib.sh's paper_epoch, as capact-6000-epoch2-test.sh), and test1400 scores of the SFT and
# both epochs.
#
# Read out (round22_stats.py, committed with this script): per new seed the paired gain, SFT -> two epochs, on W-Avg
# and proactive; the unpaired 95 % t-intervals on the five seeds 3-7 (and six, 3-8, once seed 8 exists); once seed 8
# exists, the done-when's bar on the fresh three seeds 6-8 alone — reported beside seeds 3-5's failed one, never
# instead of it. The done-when asks for three seeds; five or six seeds that separate do not meet it and will not
# be reported as meeting it.
# What I expect before running: both new seeds gain on W-Avg and proactive (paired), by about round 18's amounts;
# the five-seed proactive intervals separate narrowly and W-Avg's do not (seeds_for: 5 and 6); a fresh three-seed
# sample separates neither.
#
# About 110 min for two seeds on two cores (two processes, one thread each); resumable: every step skips what
# exists and an interrupted SFT or GRPO resumes from its last checkpoint. Outputs under runs/w9, logs in
# runs/w9/logs (prep-seedS, capact-6000-seedS, epoch2-test-seedS).
set -e
export OMP_NUM_THREADS=1 MKL_NUM_THREADS=1
OUT=runs/w9
. docs/measured/spread/lib.sh
mkdir -p $OUT/logs
S=${SEEDS:-6 7}
gen runs/r5/data/val val 70 0
gen $OUT/data/test1400 test 1400 1 --timing-spread 3
for s in $S; do bash docs/measured/spread/prep-seed.sh $s > $OUT/logs/prep-seed$s.log 2>&1 & done
wait
SFT_STEPS=6000 SEEDS="$S" bash docs/measured/spread/action-captions-three-seeds.sh
for s in $S; do second_epoch $s & done  # lib.sh
wait
