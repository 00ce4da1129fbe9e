#!/bin/bash
# issue 18, round 6: GRPO with per-state credit (--credit tree) from the 5,600-question SFT-CB (runs/s4/sft-cb-x4,
# docs/measured/sft-data-and-tg/sft-data-and-steps.sh): on TG alone (as tg-only.sh) and one epoch of all RL tasks
# (as grpo-epochs.sh); then when the models answer TG and how that depends on the video; then what the paper's
# reward and StreamPro-F1 say of a blind TG answer. Run from the repository root with the environment active.
set -e
V=runs/s3/val350/items.jsonl
VTG=runs/s4/val350-tg/items.jsonl
G="streampro train grpo --init runs/s4/sft-cb-x4/final --train runs/s4/train0x4/items.jsonl --items-per-step 8
   --freeze-encoder --seed 0 --lr 1e-4 --credit tree"
$G --out runs/s6/grpo-x4-tg-tree --steps 40 --save-every 20 --val $VTG --eval-every 10 --task TG
$G --out runs/s6/grpo-x4-tree --steps 150 --save-every 25 --val $V --eval-every 50 \
   --task EU --task OU --task AA --task TP --task TG --task GP
python docs/measured/sft-data-and-tg/tg_response_times.py $VTG runs/s4/sft-cb-x4/final runs/s4/grpo-x4-tg/final \
  runs/s6/grpo-x4-tg-tree/final runs/s4/grpo-x4/final runs/s6/grpo-x4-tree/final   # -> tg-response-times.txt
python docs/measured/tg-blind/blind_guess.py runs/s4/train0x4/items.jsonl            # -> blind-guess-train-tau8.txt
python docs/measured/tg-blind/blind_guess.py runs/s4/train0x4/items.jsonl --tau 3    # -> blind-guess-train-tau3.txt
