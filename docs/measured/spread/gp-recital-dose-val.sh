#!/bin/bash
# issue 18, round 21, val only: plan recital at the dose the model learns it from, then the paper's RL. Written and
# committed after rct-capacity-val.sh's scores were read and before any output of this script existed.
#
# Why. gp-recital-val.sh's 800 RCT items in a 600-step continuation (C) left the lookup GP's middle steps need (the
# square after the one the previous answer named) unlearned: 7.8 / 6.6 % right on 50 held-out RCT questions, and
# GRPO's gain from C (+2.81 val proactive) was B's (+2.62): rule not met. rct-capacity-val.sh (D) shows the 3-layer
# model *can* learn it: 1,800 steps of RCT only give 78.7 / 94.7 % right middle steps on those questions (reading:
# learnable, a larger RCT share next) — while every other task collapses (val W-Avg 8.7 / 12.6) and GP's middle
# steps stay wrong (0.0 / 8.6 %): the lookup does not carry over to GP's video by itself.
#
# Runs (E), seeds 3 and 5: 1,800 steps (CONTINUE_STEPS; lib.sh sft_continue's settings otherwise) of seed s's
# 6,000-step captioning SFT on its tasks plus D's 4,000 RCT items (38 % of 10,400; RCT at the dose D learned from,
# with the other tasks kept), then one paper's GRPO epoch (lib.sh paper_epoch, --seed s); both scored on val350, the
# SFT also on rctval50. The reference is round 20's B (600 steps without RCT, and its epoch; GRPO's gain there
# +2.62 val proactive, +2.64 W-Avg); E's SFT is three times as long, which the rule reads through GRPO's gain over
# each arm's own SFT. Read-out: round21_stats.py (section 4).
# Rule, fixed before any output: E goes to the three-seed test protocol next (E's continuation on seeds 3, 4, 5, its
# SFT against two paper's epochs from it on test1400, as round 18) only if GRPO's gain on mean val proactive from E's
# SFT is at least B's plus 1.5 (>= +4.12) and E's mean val W-Avg after the epoch is not below B's (31.88).
# Expectation written first: E's SFT recites (RCT middle steps well above C's 7 %) and keeps the other tasks near B;
# GP's middle steps stay mostly wrong in the SFT (D's did); what is uncertain is whether the epoch composes the
# lookup with GP's moments. I expect a partial carry-over: GP's right share after the epoch above B's 20-25 %, the
# gain on proactive about +3 to +4, the rule's +4.12 probably not met.
# Two workers, one per seed. About 45 min on two cores; resumable.
set -e
export OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 CONTINUE_STEPS=1800
OUT=runs/w9
. docs/measured/spread/lib.sh
for s in 3 5; do
  [ -f $OUT/data/sftrctdose$s/items.jsonl ] || streampro data merge $OUT/data/sftcapact$s/items.jsonl \
    $OUT/data/rct4000-$s/items.jsonl --out $OUT/data/sftrctdose$s/items.jsonl
done
for s in 3 5; do
  ( name=capact-grounding-aux0.3-6000-trainseed$s
    sft_continue $s sftrct1800 $OUT/data/sftrctdose$s/items.jsonl --task RCT
    evalto small:$OUT/seed$s/sftrct1800-$name/final $OUT/data/rctval50 $OUT/val/rctval50-sftrct1800-seed$s
    paper_epoch $s $OUT/seed$s/sftrct1800-$name/final $OUT/seed$s/grpo-sftrct1800-$name $s
    evalto small:$OUT/seed$s/grpo-sftrct1800-$name/final $OUT/data/val350 $OUT/val/grpo-sftrct1800-$name-seed$s
  ) > $OUT/logs/gp-recital-dose-seed$s.log 2>&1 &
done
wait
