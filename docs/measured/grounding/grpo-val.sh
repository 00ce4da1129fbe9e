#!/bin/bash
# issue 18, round 7: one GRPO epoch (the paper's rewards and credit; 150 x 8 x G 8, lr 1e-4) from the grounding
# SFT (sft-cb-x4-pm-aux.yaml), on the same 5,600-question train split, scored on val350 — as runs/s4/grpo-x4 was
# from runs/s4/sft-cb-x4 (round 5).
set -e
streampro train grpo --init runs/s7/sft-cb-x4-pm-aux/final --train runs/s4/train0x4/items.jsonl --out runs/s7/grpo-x4-pm-aux \
  --steps 150 --items-per-step 8 --lr 1e-4 --freeze-encoder --seed 0 --save-every 25 \
  --task EU --task OU --task AA --task TP --task TG --task GP
streampro eval --model small:runs/s7/grpo-x4-pm-aux/final --bench runs/s3/val350/items.jsonl --out runs/s7/val350-eval/grpo-x4-pm-aux
