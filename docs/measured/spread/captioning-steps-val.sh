#!/bin/bash
# issue 18, round 11, val only, seed 0: does the captioning mix lose EU because its 1,500 steps are shared by five
# tasks instead of four? The same grounding SFT with 1,875 steps (1,500 x 5/4: each of the four benchmark tasks gets
# as many steps as without captioning), with and without the captioning data, scored on val350.
# captioning-three-seeds.sh must have run (the seed-0 mix). Skips what exists.
set -e
OUT=runs/w9
run() {  # $1: run name, $2: train items, then the tasks
  name=$1 data=$2; shift 2
  streampro train sft --config docs/measured/spread/w9-model.yaml --base small:runs/r5/seed0/perception/final --train $data \
    --out $OUT/seed0/$name --loss cb --steps 1875 --batch-size 16 --seed 0 --freeze-encoder --motion-aux 0.3 "$@"
  streampro eval --model small:$OUT/seed0/$name/final --bench $OUT/data/val350/items.jsonl --out $OUT/val/$name
}
if [ "${WHICH:-both}" != plain ]; then
  run sft-cap-grounding-1875 $OUT/data/sftcap0/items.jsonl --task EU --task OU --task TP --task TG --task CAP
fi
if [ "${WHICH:-both}" != cap ]; then
  run sft-grounding-aux0.3-1875 $OUT/data/train0/items.jsonl --task EU --task OU --task TP --task TG
fi
