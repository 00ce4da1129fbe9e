#!/bin/bash
# issue 18, round 6: the last lever named in tg-capacity.sh's result — SFT on TG alone (the same 3,200 TG questions,
# steps, seed and perception-pretrained start) with the frame encoder trained too (--no-freeze-encoder), since the
# frozen encoder was pretrained to read objects per cell, not their motion. TG F1 and answer times on val350's TG.
set -e
V=runs/s4/val350-tg/items.jsonl
out=runs/s6/sft-tg-only-encoder
time streampro train sft --base small:runs/r3/seed0/perception/final --train runs/s6/train-tg/items.jsonl --out $out \
  --loss cb --steps 1500 --batch-size 16 --seed 0 --no-freeze-encoder --task TG
streampro eval --model small:$out/final --bench $V --out runs/s6/val350-tg-eval/sft-tg-only-encoder
python docs/measured/sft-data-and-tg/tg_response_times.py $V $out/final
