#!/bin/bash
# issue 18, round 21, a diagnostic with no test stage: can StreamPro-Small learn to recite a stated plan at all?
# Written and committed after gp-recital-val.sh's SFT scores were read and before any output of this script existed.
#
# Why. gp-recital-val.sh's continuation with 800 RCT items (C) says GP's words at the cues (time score ~99 on 50
# held-out RCT questions, runs/w9/data/rctval50) but, by plan_steps.py, gets the *middle* steps — the square after
# the one the previous answer named — right in 7.8 / 6.6 % (seeds 3 / 5), against 80 / 77 % for the first step (the
# plan's second square, a fixed place in the question) and 87 / 86 % for the last ("the goal is complete"); a wrong
# middle answer most often repeats the previous answer's square. On val350's GP the same count shows that even the
# model trained on GP's own answers (round 19's sftgp600) gets middle steps right in 31 %; the two-epoch GRPO model
# 23.5 %. So the lookup the paper's RL needs may be beyond this 3-layer model, or only beyond 600 mixed steps.
#
# Runs (D), seeds 3 and 5: 1,800 steps (CONTINUE_STEPS; lib.sh sft_continue's settings otherwise) of seed s's
# 6,000-step captioning SFT on 4,000 RCT items only (--seed 9s), scored on val350 (what the other tasks lose) and on
# rctval50 (plan_steps.py). Reading, fixed before any output: middle-step right share on rctval50 (mean of the seeds)
# >= 60 %: the model can learn the lookup given enough of it, and the next lever is a larger RCT share in the SFT;
# < 30 %: this StreamPro-Small does not learn it in this budget, and the next lever is the model (the issue's
# "a stronger StreamPro-Small": depth, positions); in between: undecided, reported as such.
# Amended after a first start stopped at once (no model, no score): RCT's videos name no object, so the SFT's motion
# auxiliary loss has nothing to label; --motion-aux 0 here (click keeps an option's last value).
# Two workers, one per seed. About 25 min on two cores; resumable.
set -e
export OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 CONTINUE_STEPS=1800
OUT=runs/w9
. docs/measured/spread/lib.sh
gen $OUT/data/rctval50 val 50 1 --task RCT --timing-spread 3
for s in 3 5; do  # gp-recital-val.sh's C on the same 50 questions (the figures quoted above)
  evalto small:$OUT/seed$s/sftrct600-capact-grounding-aux0.3-6000-trainseed$s/final $OUT/data/rctval50 \
    $OUT/val/rctval50-sftrct600-seed$s
done
for s in 3 5; do
  gen $OUT/data/rct4000-$s train 4000 9$s --task RCT --timing-spread 3
  ( sft_continue $s rctonly1800 $OUT/data/rct4000-$s/items.jsonl --task RCT --motion-aux 0  # the last value wins
    evalto small:$OUT/seed$s/rctonly1800-capact-grounding-aux0.3-6000-trainseed$s/final $OUT/data/rctval50 \
      $OUT/val/rctval50-rctonly1800-seed$s
  ) > $OUT/logs/rct-capacity-seed$s.log 2>&1 &
done
wait
