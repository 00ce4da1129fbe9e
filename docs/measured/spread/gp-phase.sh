#!/bin/bash
# issue 18, round 16: after the paper's GRPO epoch, a short RL phase on Goal Planning alone. Written and committed
# before any of its scores existed, with the rule that decides whether it goes to the test splits.
#
# Why. Rounds 14-15 (six seeds) put the paper's epoch at about +1 W-Avg and +1.3-1.9 proactive over the 3,000-step
# grounding SFT; the bar needs about 3 and 6. Proactive is GP + RF (200 questions each on test1400); RF is in no
# training split (the paper's), so RL can lift proactive only through GP. In the six-task epoch a step holds about
# 1.3 GP questions; round 2 (first world, val) found RL on GP alone lifted GP 8.3 -> 19.4 in 40 steps x 8 questions,
# and the epoch itself widens the GP room the 3,000-step SFT lacks (round 14, best-of-8 GP 7.8 -> 10.2). So: the
# paper's epoch unchanged (the paper's rewards, RL tasks EU OU AA TP TG GP), then STEPS more steps with GP as the
# only RL task (an RL task of the paper's; the same rewards, lr 1e-4, 8 questions x G 8, prompts by seed s + 200,
# the epoch's model as init and KL reference). No code changes: `streampro train grpo --task GP`.
#
# STAGE=val (seed 0 only; val350, never test): the phase for 40 steps with a val350 pass every 10 steps
# (log.jsonl), beside the SFT and the epoch scored on val350.
# Rule, fixed here before any val score: among the passes at 10/20/30/40 steps whose val W-Avg is at least the
# epoch's (the curve's step-0 pass, the same scorer), take the one with the highest val proactive; it goes to test
# (STAGE=test, STEPS=that) only if its proactive is at least 2 points above the epoch's on val. Otherwise nothing
# goes to test and the val rows are the result.
# STAGE=test: SEEDS (default 0 1 2) side by side, one thread each, STEPS steps, scored on test1400 (primary, as
# round 15) and the 350-question test split. Needs test1400-three-seeds.sh's models. Skips what exists; an
# interrupted run resumes from its last checkpoint. Figures: python docs/measured/spread/round16_stats.py
set -e
export OMP_NUM_THREADS=1 MKL_NUM_THREADS=1
OUT=runs/w9
. docs/measured/spread/lib.sh
[ -f $OUT/data/val350/items.jsonl ] || streampro generate --out $OUT/data/val350 --split val --n-items 350 --seed 1 \
  --timing-spread 3
mkdir -p $OUT/val $OUT/eval $OUT/eval1400 $OUT/logs

phase() {  # seed, steps, run name, extra flags
  s=$1; name=grounding-aux0.3-3000-trainseed$s
  streampro train grpo --init $OUT/seed$s/grpo-$name/final --train $OUT/data/train$s/items.jsonl \
    --out $OUT/seed$s/$3 --steps $2 --items-per-step 8 --lr 1e-4 --freeze-encoder --seed $((s + 200)) \
    --save-every 10 --task GP "${@:4}"
}

if [ "${STAGE:-val}" = val ]; then
  name=grounding-aux0.3-3000-trainseed0
  for run in sft-$name grpo-$name; do evalto small:$OUT/seed0/$run/final $OUT/data/val350 $OUT/val/$run-seed0; done
  phase 0 40 gpphase-val-$name --val $OUT/data/val350/items.jsonl --eval-every 10 > $OUT/logs/gpphase-val.log 2>&1
else
  : "${STEPS:?STAGE=test needs STEPS, chosen by the val rule above}"
  one() {
    s=$1; run=gpphase$STEPS-grounding-aux0.3-3000-trainseed$s
    phase $s $STEPS $run
    evalto small:$OUT/seed$s/$run/final $OUT/data/test1400 $OUT/eval1400/$run-seed$s
    evalto small:$OUT/seed$s/$run/final $OUT/data/test $OUT/eval/$run-seed$s
  }
  for s in ${SEEDS:-0 1 2}; do one $s > $OUT/logs/gpphase$STEPS-seed$s.log 2>&1 & done
  wait
fi
