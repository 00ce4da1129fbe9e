#!/bin/bash
# issue 18: GRPO on Temporal Grounding alone, from the 4x-data SFT-CB (sft-data-and-steps.sh), 40 steps x 8 questions x G 8,
# greedy TG F1 on the 50 TG questions of the 350-question val split every 10 steps; then sampled read-outs and the
# greedy response times. runs/s4/val350-tg/items.jsonl = the TG lines of runs/s3/val350/items.jsonl (video paths absolute).
set -e
cd /work/main && source .venv/bin/activate
V=runs/s4/val350-tg/items.jsonl
G="streampro train grpo --init runs/s4/sft-cb-x4/final --train runs/s4/train0x4/items.jsonl --steps 40 --items-per-step 8
   --freeze-encoder --seed 0 --save-every 20 --val $V --eval-every 10 --task TG"
$G --out runs/s4/grpo-x4-tg --lr 1e-4                       # the paper's rewards (tau 8)
$G --out runs/s4/grpo-x4-tg-tau3 --lr 1e-4 --reward-tau 3   # tau 3
$G --out runs/s4/grpo-x4-tg-lr1e-5 --lr 1e-5                # a 10x smaller step
$G --out runs/s4/grpo-x4-tg-t03 --lr 1e-4 --temperature 0.3 # rollouts nearer the greedy read-out
streampro train grpo --config docs/measured/sft-data-and-tg/tg-f1.yaml   # the metric itself as the reward
for m in sft-cb-x4 grpo-x4-tg grpo-x4-tg-f1; do for s in 0 1 2; do   # sampled decisions and answers (T = 1)
  streampro eval --model small:runs/s4/$m/final --bench $V --out runs/s4/tg-sampled/$m-s$s --model-args sample=true --seed $s
done; done
python docs/measured/sft-data-and-tg/tg_response_times.py $V runs/s4/sft-cb-x4/final runs/s4/grpo-x4-tg/final runs/s4/grpo-x4/final
