# Helpers shared by the spread-world scripts of issue 18; sourced (`. docs/measured/spread/lib.sh`), not run.
# Both skip work whose output exists, which is what makes every script here resumable.

# gen DIR SPLIT N SEED [more `streampro generate` flags]: a split of N questions, unless DIR/items.jsonl exists
gen() { [ -f "$1/items.jsonl" ] || streampro generate --out "$1" --split "$2" --n-items "$3" --seed "$4" "${@:5}"; }

# evalto MODEL SPLIT_DIR OUT_DIR: score MODEL on SPLIT_DIR/items.jsonl into OUT_DIR (its log in OUT_DIR.log),
# unless OUT_DIR/summary.json exists
evalto() { [ -f "$3/summary.json" ] || streampro eval --model "$1" --bench "$2/items.jsonl" --out "$3" > "$3.log" 2>&1; }

# paper_epoch SEED INIT OUT GRPO_SEED [more `streampro train grpo` flags]: the paper's GRPO epoch (150 steps x 8
# questions x G 8, lr 1e-4, RL tasks EU OU AA TP TG GP) from model INIT on seed SEED's train split into OUT, unless
# OUT's final model exists
paper_epoch() {
  [ -f $3/final/model.safetensors ] || streampro train grpo --init $2 --train runs/w9/data/train$1/items.jsonl \
    --out $3 --steps 150 --items-per-step 8 --lr 1e-4 --freeze-encoder --seed $4 --save-every 25 \
    --task EU --task OU --task AA --task TP --task TG --task GP "${@:5}"
}

# capact_grpo SEED VARIANT [more grpo flags]: paper_epoch from seed SEED's 3,750-step captioning SFT with the extra
# flags, into runs/w9/seedSEED/grpo-VARIANT-capact-grounding-aux0.3-3750-trainseedSEED
capact_grpo() {
  local name=capact-grounding-aux0.3-3750-trainseed$1
  paper_epoch $1 runs/w9/seed$1/sft-$name/final runs/w9/seed$1/grpo-$2-$name $1 "${@:3}"
}

# capact_variant VARIANT [grpo flags]: with STAGE=test, capact_grpo for seeds 3 4 5 side by side, each scored on
# test1400 (logs: runs/w9/logs/VARIANT-test-seedS.log); otherwise seed 3's run and its SFT, its paper's epoch and the
# variant scored on val350
capact_variant() {
  local s run
  if [ "$STAGE" = test ]; then
    mkdir -p runs/w9/eval1400
    for s in 3 4 5; do
      (capact_grpo $s "$@" && evalto small:runs/w9/seed$s/grpo-$1-capact-grounding-aux0.3-3750-trainseed$s/final \
        runs/w9/data/test1400 runs/w9/eval1400/grpo-$1-capact-grounding-aux0.3-3750-trainseed$s-seed$s) \
        > runs/w9/logs/$1-test-seed$s.log 2>&1 &
    done
    wait
    return
  fi
  capact_grpo 3 "$@"
  for run in sft grpo grpo-$1; do
    evalto small:runs/w9/seed3/$run-capact-grounding-aux0.3-3750-trainseed3/final runs/w9/data/val350 \
      runs/w9/val/$run-capact-grounding-aux0.3-3750-trainseed3-seed3
  done
}

# third_epoch TAG LOG [more grpo flags]: a third paper's epoch (--seed s + 200, as capact-6000-epochs-3-5.sh's) with
# the extra flags from the 6,000-step captioning recipe's two-epoch model, into runs/w9/seedS/TAG-capact-...; seeds 3
# and 5 scored on val350, or with STAGE=test seeds 3, 4 and 5 on test1400; side by side, logs in
# runs/w9/logs/LOG-$STAGE-seedS.log (epoch3-lr-val.sh, response-credit-val.sh)
third_epoch() {
  local s seeds="3 5" split=data/val350 to=val
  [ "$STAGE" = test ] && seeds="3 4 5" split=data/test1400 to=eval1400
  for s in $seeds; do
    ( name=capact-grounding-aux0.3-6000-trainseed$s
      paper_epoch $s runs/w9/seed$s/grpo2-$name/final runs/w9/seed$s/$1-$name $((s + 200)) "${@:3}"
      evalto small:runs/w9/seed$s/$1-$name/final runs/w9/$split runs/w9/$to/$1-$name-seed$s
    ) > runs/w9/logs/$2-$STAGE-seed$s.log 2>&1 &
  done
  wait
}

# sft_continue SEED ARM DATA [more --task flags]: 600 (or $CONTINUE_STEPS) more steps of seed SEED's 6,000-step captioning SFT (batch 16,
# lr 5e-4, warmup 30, its other settings; tasks EU OU TP TG CAP ACT and the extra ones) on DATA into
# runs/w9/seedSEED/ARM-capact-..., unless it exists; then scored on val350 (gp-supervised-val.sh, gp-tracking-val.sh,
# gp-recital-val.sh, rct-capacity-val.sh)
sft_continue() {
  local name=capact-grounding-aux0.3-6000-trainseed$1
  [ -f runs/w9/seed$1/$2-$name/final/model.safetensors ] || streampro train sft \
    --base small:runs/w9/seed$1/sft-$name/final --train $3 --out runs/w9/seed$1/$2-$name \
    --steps ${CONTINUE_STEPS:-600} --batch-size 16 --lr 5e-4 --warmup 30 --freeze-encoder --motion-aux 0.3 --seed $1 --save-every 100 \
    --task EU --task OU --task TP --task TG --task CAP --task ACT "${@:4}"
  evalto small:runs/w9/seed$1/$2-$name/final runs/w9/data/val350 runs/w9/val/$2-$name-seed$1
}

# second_epoch SEED: a second paper's epoch (--seed SEED + 100) from seed SEED's one-epoch model of the 6,000-step
# captioning recipe, scored on test1400, unless each exists; log in runs/w9/logs/epoch2-test-seedSEED.log
# (capact-6000-epoch2-test.sh, capact-6000-fresh-seeds.sh)
second_epoch() {
  local name=capact-grounding-aux0.3-6000-trainseed$1
  ( paper_epoch $1 runs/w9/seed$1/grpo-$name/final runs/w9/seed$1/grpo2-$name $(($1 + 100))
    evalto small:runs/w9/seed$1/grpo2-$name/final runs/w9/data/test1400 runs/w9/eval1400/grpo2-$name-seed$1
  ) > runs/w9/logs/epoch2-test-seed$1.log 2>&1
}
