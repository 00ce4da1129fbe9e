#!/bin/bash
# issue 18, round 19, val only, a diagnostic with no rule and nothing to test: can StreamPro-Small learn Goal
# Planning's next square at all when it is shown it? Round 18 measured the next square as worth ~13 proactive points
# and found GRPO teaching it only at the rate the SFT samples it (the SFT data, the paper's task split, never shows
# a GP answer: "next, go to the orange square" has answer loss ~10.5 nats per token under the 6,000-step SFT).
# Two 600-step continuations of seed 3's 6,000-step captioning SFT (batch 16, lr 5e-4, --seed 3, otherwise its
# settings): (a) its SFT tasks plus GP (NOT the paper's split), (b) the same without GP (the control: more steps
# alone). Both scored on val350; the share of in-window GP answers naming the next square read by
# gp_next_square_probe.scored_kinds (round19_stats.py section 5). Written and committed before any output existed.
# Expectation written down first: (a) names the next square in most GP answers and GP's val F1 passes 30 (the model
# can represent it; RL's limit is exploration), (b) stays near the SFT (GP ~13).
set -e
export OMP_NUM_THREADS=1 MKL_NUM_THREADS=1
OUT=runs/w9
. docs/measured/spread/lib.sh
cont() { sft_continue 3 "$1" $OUT/data/sftcapact3/items.jsonl "${@:2}"; }  # cont ARM [--task flags] (lib.sh)
cont sftgp600 --task GP > $OUT/logs/gp-supervised-a.log 2>&1 &
cont sft600 > $OUT/logs/gp-supervised-b.log 2>&1 &
wait
