#!/bin/bash
# issue 18 round 5: how much SFT data / how many steps. SFT-CB from seed 0's stage-0 encoder (runs/r3, random
# batches as runs/r3), scored on the 350-question val split. The 1,400-question row is runs/r3/seed0/sft-cb.
set -e
cd /work/main && source .venv/bin/activate
V=runs/s3/val350/items.jsonl
for spec in "x4 5600 1500" "x2 2800 1500" "x4-1000 5600 1000"; do
  set -- $spec
  data=runs/s4/train0x$(( $2 / 1400 ))
  [ -f $data/items.jsonl ] || streampro generate --split train --n-items $2 --seed 0 --out $data
  time streampro train sft --base small:runs/r3/seed0/perception/final --train $data/items.jsonl --out runs/s4/sft-cb-$1 \
    --loss cb --steps $3 --batch-size 16 --seed 0 --freeze-encoder --task EU --task OU --task TP --task TG
  streampro eval --model small:runs/s4/sft-cb-$1/final --bench $V --out runs/s4/val350-eval/sft-cb-$1
done
streampro eval --model small:runs/r3/seed0/sft-cb/final --bench $V --out runs/s4/val350-eval/r3-seed0-sft-cb
