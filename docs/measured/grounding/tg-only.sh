#!/bin/bash
# issue 18, round 7: which change lets SFT time Temporal Grounding from the video? SFT-CB on the 3,200 TG-only
# questions (runs/s6/train-tg, as docs/measured/motion/tg-capacity.sh), same encoder, steps and seed, with
#   aux: motion_aux 1 | proj: projector | proj-aux: both | pm-aux: projector + motion term + motion_aux 1
# then, on val350's 50 TG questions, P(respond) around the due frame with the question's own video and with
# another's (docs/measured/tg-probe/respond_curve.py), TG F1 and answer times. Outputs: tg-only.txt
set -e
V=runs/s4/val350-tg/items.jsonl
run() {  # name, model settings, extra flags
  printf 'model: {%s}\n' "$2" > /tmp/g7-$1.yaml
  streampro train sft --config /tmp/g7-$1.yaml --base small:runs/r3/seed0/perception/final --train runs/s6/train-tg/items.jsonl \
    --out runs/s7/sft-tg-only-$1 --loss cb --steps 1500 --batch-size 16 --seed 0 --freeze-encoder --task TG $3
  python docs/measured/tg-probe/respond_curve.py runs/s7/sft-tg-only-$1/final $V
  streampro eval --model small:runs/s7/sft-tg-only-$1/final --bench $V --out runs/s7/val350-tg-eval/$1 | tail -2 | head -1
  python docs/measured/sft-data-and-tg/tg_response_times.py $V runs/s7/sft-tg-only-$1/final | tail -1
}
python docs/measured/tg-probe/respond_curve.py runs/s6/sft-tg-only/final $V   # round 6's TG-only SFT, for reference
run aux "" "--motion-aux 1.0"
run proj "projector: true" ""
run proj-aux "projector: true" "--motion-aux 1.0"
run pm-aux "projector: true, motion: true" "--motion-aux 1.0"
