#!/bin/bash
# issue 18, round 13, val only, seed 0: the reward study (headroom-val.sh) finds more to sharpen in larger groups:
# from the 1,875-step grounding SFT the rollout the paper's reward ranks first has F1 28.2 at G 8 and 33.3 at G 32
# (greedy on the same questions: 25.2). So, at the same rollout budget as round 12's epoch (150 steps x 64
# rollouts), GRPO with G 16 x 4 questions and G 32 x 2 questions per step (half and a quarter of the epoch's
# questions); everything else as round 12 (lr 1e-4, the paper's rewards, RL tasks EU OU AA TP TG GP), scored on
# val350. GSIZES picks (default "16 32"); one process each, OMP_NUM_THREADS=1. Skips what exists.
set -e
OUT=runs/w9
for g in ${GSIZES:-16 32}; do
  name=grpo-grounding-aux0.3-1875-g$g
  streampro train grpo --init $OUT/seed0/sft-grounding-aux0.3-1875/final --train $OUT/data/train0/items.jsonl \
    --out $OUT/seed0/$name --steps 150 --items-per-step $((64 / g)) --group-size $g --lr 1e-4 \
    --freeze-encoder --seed 0 --save-every 25 --task EU --task OU --task AA --task TP --task TG --task GP
  [ -f $OUT/val/$name/summary.json ] || \
    streampro eval --model small:$OUT/seed0/$name/final --bench $OUT/data/val350/items.jsonl --out $OUT/val/$name
done
