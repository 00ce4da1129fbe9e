#!/bin/bash
# issue 18, round 15, run after reading test1400-three-seeds.sh's bar (not met): does a second GRPO epoch grow the
# gain from the 3,000-step grounding SFT? Per seed s, round 15's GRPO epoch (runs/w9/seed$s/grpo-...-trainseed$s/final,
# also the KL reference of the continuation) runs another 150 steps x 8 questions x G 8 (lr 1e-4, the paper's rewards
# and RL tasks) with prompts drawn by seed s + 100, as round 10's second-epoch.sh did from round 9's model; scored on
# both test splits. A check reported beside the one-epoch arm, not a candidate chosen on test. SEEDS (default 0 1 2)
# side by side, one thread each; skips what exists, resumes an interrupted run.
set -e
export OMP_NUM_THREADS=1 MKL_NUM_THREADS=1
OUT=runs/w9
one() {
  s=$1; name=grounding-aux0.3-3000-trainseed$s
  streampro train grpo --init $OUT/seed$s/grpo-$name/final --train $OUT/data/train$s/items.jsonl \
    --out $OUT/seed$s/grpo2-$name --steps 150 --items-per-step 8 --lr 1e-4 --freeze-encoder --seed $((s + 100)) \
    --save-every 25 --task EU --task OU --task AA --task TP --task TG --task GP
  for split in eval:test eval1400:test1400; do
    dir=$OUT/${split%%:*}/grpo2-$name-seed$s
    [ -f $dir/summary.json ] || streampro eval --model small:$OUT/seed$s/grpo2-$name/final \
      --bench $OUT/data/${split#*:}/items.jsonl --out $dir
  done
}
for s in ${SEEDS:-0 1 2}; do one $s > $OUT/logs/grpo2-seed$s.log 2>&1 & done
wait
