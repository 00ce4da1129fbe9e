# Helpers shared by the spread-world scripts of issue 18; sourced (`. docs/measured/spread/lib.sh`), not run.
# Both skip work whose output exists, which is what makes every script here resumable.

# gen DIR SPLIT N SEED [more `streampro generate` flags]: a split of N questions, unless DIR/items.jsonl exists
gen() { [ -f "$1/items.jsonl" ] || streampro generate --out "$1" --split "$2" --n-items "$3" --seed "$4" "${@:5}"; }

# evalto MODEL SPLIT_DIR OUT_DIR: score MODEL on SPLIT_DIR/items.jsonl into OUT_DIR (its log in OUT_DIR.log),
# unless OUT_DIR/summary.json exists
evalto() { [ -f "$3/summary.json" ] || streampro eval --model "$1" --bench "$2/items.jsonl" --out "$3" > "$3.log" 2>&1; }
