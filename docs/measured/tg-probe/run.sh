#!/bin/bash
# issue 18, round 7: does a model's speak/stay-silent decision come from the video? (decision_auc.py, every task of
# val350, own video vs another's) and is what TG needs in the frozen encoder's features? (feature_probe.py, an MLP
# on the stage-0 encoder's tokens, trained on round 6's 3,200 TG-only questions). Output: run.txt
set -e
V=runs/s3/val350/items.jsonl
for m in runs/s4/sft-cb-x4 runs/g5-trajectory/seed0 runs/enc/sft-cb-d1s1500 runs/s7/sft-cb-x4-pm-aux runs/s7/grpo-x4-pm-aux; do
  python docs/measured/tg-probe/decision_auc.py $m/final $V
done
for enc in runs/r3/seed0/perception runs/enc/d1s1500; do
  python docs/measured/tg-probe/feature_probe.py $enc/final runs/s6/train-tg/items.jsonl runs/s4/val350-tg/items.jsonl --epochs 8
done
python docs/measured/tg-probe/feature_probe.py runs/r3/seed0/perception/final runs/s6/train-tg/items.jsonl \
  runs/s4/val350-tg/items.jsonl --epochs 8 --target motion
