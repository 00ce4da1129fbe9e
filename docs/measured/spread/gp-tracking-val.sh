#!/bin/bash
# issue 18, round 20, val only, a diagnostic: does GRPO learn Goal Planning's next square once the SFT model can
# follow a stated plan? Written and committed before any of its output existed.
#
# Why. gp_colour_choice.py (round 20) reads which square the models name in their GP answers: from the second paper's
# epoch on, 34-47 of 50 val350 GP streams name one colour at every arrival (mostly a later square of the plan), and
# the share of right answers (26-30 %) sits at what "always the last square" scores by the same read-out (29.2 %).
# GRPO has found a heuristic that ignores the agent's progress, which the paper's turn reward pays 76 % of a right
# answer's total reward (StreamPro-F1: 44 %). Shown GP's answers (round 19, sftgp600), the same model follows the plan
# (8 of 50 one-colour streams, 66.7 % right). A pretrained VLM can follow a plan through a video before RL; ours has
# only ACT (arrivals narrated, no plan stated). New training-only task TRK (docs/training.md, "Plan tracking"):
# ACT's answers under GP's question asking for the step just completed — the plan is followed, the *next* square is
# never shown.
#
# Runs, seeds 3 and 5 (the seeds of round 19's val runs): (A) 600-step continuation of seed s's 6,000-step captioning
# SFT with its tasks plus 800 TRK items (generated with --seed 7s; settings of gp-supervised-val.sh: batch 16,
# lr 5e-4, warmup 30, --seed s), (B) the same without TRK (round 19's sft600 control; seed 3's exists, seed 5's is
# trained here); then one paper's GRPO epoch (lib.sh paper_epoch, --seed s) from each. All scored on val350; the
# colour read-out: python docs/measured/spread/gp_colour_choice.py (round20_stats.py).
# Rule, fixed before any output: TRK goes into a full recipe (a 6,000-step captioning+TRK SFT, three seeds, round
# 18's two-epoch test protocol) next only if, after the GRPO epoch, A beats B on both seeds' mean val proactive by
# 1.5 or more and A's mean share of right GP answers is at least 35 %. Otherwise TRK is reported as tried.
# Expectation written first: the TRK SFT names the square just reached in most GP answers (it answers GP as TRK) and
# few streams keep one colour; after one epoch the right share rises above B's but not past 35 % (moving from "the
# square reached" to "the next one" is a second step RL must find); the rule is likely not met.
# Two workers (amended before any output existed: seven processes beside response-credit-two-epochs.sh's three
# would need ~26 GB; a GRPO process holds ~3.7 GB): (1) A3, its epoch, B3's epoch; (2) A5, B5, their epochs.
# About 70 min on two cores beside response-credit-two-epochs.sh; resumable.
set -e
export OMP_NUM_THREADS=1 MKL_NUM_THREADS=1
OUT=runs/w9
. docs/measured/spread/lib.sh
mkdir -p $OUT/logs $OUT/val
epoch() {  # epoch SEED ARM: one paper's GRPO epoch from the continuation, scored on val350
  local name=capact-grounding-aux0.3-6000-trainseed$1
  paper_epoch $1 $OUT/seed$1/$2-$name/final $OUT/seed$1/grpo-$2-$name $1
  evalto small:$OUT/seed$1/grpo-$2-$name/final $OUT/data/val350 $OUT/val/grpo-$2-$name-seed$1
}
for s in 3 5; do
  gen $OUT/data/trk$s train 800 7$s --task TRK --timing-spread 3
  [ -f $OUT/data/sfttrk$s/items.jsonl ] || streampro data merge $OUT/data/sftcapact$s/items.jsonl \
    $OUT/data/trk$s/items.jsonl --out $OUT/data/sfttrk$s/items.jsonl
done
( sft_continue 3 sfttrk600 $OUT/data/sfttrk3/items.jsonl --task TRK && epoch 3 sfttrk600 && sft_continue 3 sft600 \
  $OUT/data/sftcapact3/items.jsonl && epoch 3 sft600 ) > $OUT/logs/gp-tracking-seed3.log 2>&1 &
( sft_continue 5 sfttrk600 $OUT/data/sfttrk5/items.jsonl --task TRK && sft_continue 5 sft600 $OUT/data/sftcapact5/items.jsonl \
  && epoch 5 sfttrk600 && epoch 5 sft600 ) > $OUT/logs/gp-tracking-seed5.log 2>&1 &
wait
