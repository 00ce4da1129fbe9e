#!/bin/bash
# issue 18, round 21, val only: E's second paper's epoch. Written and committed after gp-recital-dose-val.sh's scores
# were read (its rule not met: GRPO's one-epoch gain from E's SFT +3.74 val proactive against B's +2.62, needed +4.12)
# and before any output of this script existed.
#
# Why. Round 18's test protocol — the closest the done-when has come — is two paper's epochs from the SFT. E's first
# epoch gave the largest one-epoch proactive gain on these seeds; whether a second adds as much as the paper's second
# did from the 6,000-step SFT (val proactive seeds 3 / 5: 9.0 / 9.8 -> 12.0 / 13.3 after two, mean gain +3.27) decides
# whether E is worth the three-seed test protocol next round.
# Runs, seeds 3 and 5: a second paper's epoch from E's first (lib.sh paper_epoch, --seed s + 100 as round 18's second
# epochs), scored on val350. Read-out: round21_stats.py (section 5).
# Rule, fixed before any output: E goes to the three-seed test protocol next round only if GRPO's two-epoch gain on
# mean val proactive from E's SFT is at least the paper's two-epoch gain from the 6,000-step SFT plus 1.5 (>= +4.77; round21_stats.py computes both)
# and E's mean val W-Avg after two epochs is not below the paper's two epochs' (32.48, seeds 3 and 5).
# Expectation written first: the second epoch adds about +1 proactive as round 18's did (gain ~+4.7): on the line.
# Two workers. About 25 min on two cores; resumable.
set -e
export OMP_NUM_THREADS=1 MKL_NUM_THREADS=1
OUT=runs/w9
. docs/measured/spread/lib.sh
for s in 3 5; do
  ( name=capact-grounding-aux0.3-6000-trainseed$s
    paper_epoch $s $OUT/seed$s/grpo-sftrct1800-$name/final $OUT/seed$s/grpo2-sftrct1800-$name $((s + 100))
    evalto small:$OUT/seed$s/grpo2-sftrct1800-$name/final $OUT/data/val350 $OUT/val/grpo2-sftrct1800-$name-seed$s
  ) > $OUT/logs/gp-recital-dose-epoch2-seed$s.log 2>&1 &
done
wait
