#!/bin/bash
# issue 18, round 6: can StreamPro-Small learn to ground Temporal Grounding at all when SFT sees only TG, four
# times as many TG questions as the 5,600-question split has (3,200 vs 800)? Same perception encoder, steps and
# seed as sft-cb-x4; with and without the motion term. TG F1 and the answer-time correlation on val350's 50 TG.
set -e
V=runs/s4/val350-tg/items.jsonl
[ -f runs/s6/train-tg/items.jsonl ] || streampro generate --split train --n-items 3200 --seed 7 --task TG --out runs/s6/train-tg
for m in "" "motion"; do
  out=runs/s6/sft-tg-only${m:+-$m}
  printf 'base: small:runs/r3/seed0/perception/final\nmodel: {%s}\n' "${m:+motion: true}" > /tmp/tg-only-$m.yaml
  time streampro train sft --config /tmp/tg-only-$m.yaml --train runs/s6/train-tg/items.jsonl --out $out --loss cb \
    --steps 1500 --batch-size 16 --seed 0 --freeze-encoder --task TG
  streampro eval --model small:$out/final --bench $V --out runs/s6/val350-tg-eval/sft-tg-only${m:+-$m}
  python docs/measured/sft-data-and-tg/tg_response_times.py $V $out/final
done
