#!/bin/bash
# issue 18, round 21, val only: does the paper's GRPO add more on the proactive dimension once the SFT model can
# recite a stated plan? Written and committed before any of its output existed.
#
# Why. Round 20 (gp_colour_choice.py) found GRPO answering Goal Planning with one fixed colour per stream, and plan
# tracking (TRK) in the SFT made RL sharpen "the square just reached" instead of finding the next one. The belief
# written then: GRPO sharpens what the SFT samples, and a pretrained VLM brings "the next step of a stated plan" to
# the paper's RL while StreamPro-Small has no such prior. Every answer stays in the model's context
# (models/small/modeling.py), so GP's content is a text pattern: the first answer names the plan's second square,
# each later one the square after the one the last answer named. New training-only task RCT (plan recital,
# docs/training.md): GP's question and answers with cues that show nothing of the plan (white shapes appearing) —
# a stand-in for the language prior, outside the paper's split, reported as a change of premise.
#
# Runs, seeds 3 and 5: (C) a 600-step continuation of seed s's 6,000-step captioning SFT with its tasks plus 800 RCT
# items (generated with --seed 8s; lib.sh sft_continue, the settings of round 20's A and B), then one paper's GRPO
# epoch (lib.sh paper_epoch, --seed s); both scored on val350. The control is round 20's (B): the same continuation
# without the new task (sft600) and its epoch (grpo-sft600), both already scored. Read-out: round21_stats.py.
# Rule, fixed before any output: RCT goes into the full recipe next (a 6,000-step captioning+RCT SFT, three seeds,
# round 18's two-epoch test protocol) only if GRPO's gain on mean val proactive from C's SFT (epoch minus SFT,
# seeds 3 and 5) is at least B's gain (11.49 - 8.87 = +2.62) plus 1.5, and C's mean val W-Avg after the epoch is not
# below B's (31.88). Otherwise RCT is reported as tried, with what it did to the SFT and to GRPO.
# Expectation written first: C's SFT names the right next square in well over a third of GP's in-window answers
# (round 19's model shown GP itself: 66.7 %) and few streams keep one colour; its proactive rises above B's SFT; the
# epoch keeps the content and adds about what it adds to B (AA, timing), so the rule's +1.5 on the *gain* is likely
# not met even if C's proactive after the epoch is the highest of any run so far.
# Two workers, one per seed (~3.7 GB each). About 40 min on two cores; resumable (lib.sh skips finished steps).
set -e
export OMP_NUM_THREADS=1 MKL_NUM_THREADS=1
OUT=runs/w9
. docs/measured/spread/lib.sh
mkdir -p $OUT/logs $OUT/val
for s in 3 5; do
  gen $OUT/data/rct$s train 800 8$s --task RCT --timing-spread 3
  [ -f $OUT/data/sftrct$s/items.jsonl ] || streampro data merge $OUT/data/sftcapact$s/items.jsonl \
    $OUT/data/rct$s/items.jsonl --out $OUT/data/sftrct$s/items.jsonl
done
for s in 3 5; do
  ( name=capact-grounding-aux0.3-6000-trainseed$s
    sft_continue $s sftrct600 $OUT/data/sftrct$s/items.jsonl --task RCT
    paper_epoch $s $OUT/seed$s/sftrct600-$name/final $OUT/seed$s/grpo-sftrct600-$name $s
    evalto small:$OUT/seed$s/grpo-sftrct600-$name/final $OUT/data/val350 $OUT/val/grpo-sftrct600-$name-seed$s
  ) > $OUT/logs/gp-recital-seed$s.log 2>&1 &
done
wait
