#!/bin/bash
# issue 18, round 8: more visual tokens per frame. StreamPro-Small sees each frame as grid x grid tokens (default
# 2 x 2 = 4, each a quarter of the frame); does a 4 x 4 grid (16 tokens) let the paper's SFT-CB time its answers
# from the video? Stage-0 encoder with grid 4 (600 steps, as reproduce), then SFT-CB with no auxiliary target, and
# the same SFT on the default grid-2 encoder of the same seed; both on runs/r5's seed-0 5,600-question split,
# random batches, 1,500 steps; val350: decision AUC own vs another video, and StreamPro-F1.
#   bash docs/measured/grounding/grid4.sh > docs/measured/grounding/grid4.txt
set -eo pipefail
OUT=runs/g8/grid
V=runs/s3/val350/items.jsonl
printf 'model: {grid: 4}\n' > /tmp/g8-grid4.yaml
[ -d $OUT/perception4/final ] || streampro train perception --config /tmp/g8-grid4.yaml --train runs/r5/data/train0/items.jsonl \
  --val runs/r5/data/val/items.jsonl --out $OUT/perception4 --steps 600 --seed 0 2>/dev/null | tail -1
for g in 2 4; do
  base=$([ $g = 4 ] && echo $OUT/perception4/final || echo runs/r5/seed0/perception/final)
  streampro train sft --base small:$base --train runs/r5/data/train0/items.jsonl --out $OUT/sft-cb-grid$g --loss cb \
    --steps 1500 --batch-size 16 --seed 0 --freeze-encoder --task EU --task OU --task TP --task TG 2>/dev/null | tail -1
  python docs/measured/tg-probe/decision_auc.py $OUT/sft-cb-grid$g/final $V
  streampro eval --model small:$OUT/sft-cb-grid$g/final --bench $V --out $OUT/val350-eval/sft-cb-grid$g 2>/dev/null | tail -6
done
