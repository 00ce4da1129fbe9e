#!/bin/bash
# issue 18, round 10: round 9's grounding SFT (projector, motion term) on the spread world made every task's
# decision read the frames but left the answer loss at 0.73 (SFT-CB: 0.32); its log shows the answer loss stalled
# from step ~500 while the motion term (weight 1) stayed near 1. Here the auxiliary weight is lowered to
# ${AUX:-0.3}, everything else as docs/measured/spread/grounding-val.sh; seed 0, val only (never test): the
# decision AUC own - other video and StreamPro-F1 on the spread val split. Skips what exists.
set -e
OUT=runs/w9
A=${AUX:-0.3}
V=$OUT/data/val350/items.jsonl
streampro train sft --config docs/measured/spread/w9-model.yaml --base small:runs/r5/seed0/perception/final \
  --train $OUT/data/train0/items.jsonl --out $OUT/seed0/sft-grounding-aux$A --loss cb --steps 1500 --batch-size 16 \
  --seed 0 --freeze-encoder --motion-aux $A --task EU --task OU --task TP --task TG
[ -f $OUT/auc-grounding-aux$A-seed0.txt ] || python docs/measured/tg-probe/decision_auc.py \
  $OUT/seed0/sft-grounding-aux$A/final $V > $OUT/auc-grounding-aux$A-seed0.txt
streampro eval --model small:$OUT/seed0/sft-grounding-aux$A/final --bench $V --out $OUT/val/sft-grounding-aux$A
