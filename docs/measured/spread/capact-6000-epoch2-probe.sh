#!/bin/bash
# issue 18, round 18, val only (a diagnostic, nothing goes to test): does GRPO keep raising the share of Goal Planning
# answers that name the next square epoch after epoch? Seeds 3 and 5 (the 6,000-step captioning SFT's highest and
# lowest GP content on test1400 after one epoch), side by side: a second paper's epoch from the first epoch's model
# (as second-epoch-3000.sh: --seed s + 100), then gp_next_square_probe.py (40 val350 GP questions, G 8, T 1) on the
# SFT, epoch 1 and epoch 2 -> round18-epoch2-probe.txt. Written and committed before any of its output existed.
set -e
export OMP_NUM_THREADS=1 MKL_NUM_THREADS=1
OUT=runs/w9
. docs/measured/spread/lib.sh
one() {
  s=$1; name=capact-grounding-aux0.3-6000-trainseed$s
  paper_epoch $s $OUT/seed$s/grpo-$name/final $OUT/seed$s/grpo2-$name $((s + 100))  # lib.sh
  for stage in sft grpo grpo2; do
    python docs/measured/spread/gp_next_square_probe.py $OUT/seed$s/$stage-$name/final --groups 40
  done > $OUT/logs/epoch2-probe-seed$s.txt
  # added after the probe's output was read: the three stages scored on val350 (no rule; round18_stats.py section 7)
  for stage in sft grpo grpo2; do
    evalto small:$OUT/seed$s/$stage-$name/final $OUT/data/val350 $OUT/val/$stage-$name-seed$s
  done
}
for s in 3 5; do one $s > $OUT/logs/epoch2-seed$s.log 2>&1 & done
wait
cat $OUT/logs/epoch2-probe-seed3.txt $OUT/logs/epoch2-probe-seed5.txt > docs/measured/spread/round18-epoch2-probe.txt
