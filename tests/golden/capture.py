"""Golden outputs of the public commands on fixed seeds, captured through the CLI only.

The layout refactor (issue 19) promised "behaviour unchanged": this records what ``streampro bench``,
``generate``, ``eval``/``score``, the three public benchmarks on their fixtures, and a short SFT + GRPO
run produce, in a form that survives moving modules (paths and timings taken out, floats of trained
weights rounded). ``python tests/golden/capture.py --write`` (re)records ``outputs.json``; the test
``tests/test_golden.py`` runs the same capture and compares. ``outputs.json`` was recorded from commit
6d79c5f, the last before the layout refactor (``PYTHONPATH`` pointing at a worktree of it, this script
unchanged), and the refactored code reproduces it exactly. The training outputs are kept per PyAV version
(``@av18`` from the README's environment, ``@av15`` from ``.ci/run``'s, whose lmms extra pins an older PyAV):
training sees decoded pixels, and the two FFmpeg builds decode the generated videos differently. Rerecord only for an intended change, and say
why in the commit.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

HERE = Path(__file__).parent
GOLDEN = HERE / "outputs.json"
# what legitimately differs between two runs of the same thing: where it ran, when, how long, which version
VOLATILE = {"streampro", "seconds", "elapsed_s", "wall_s", "time_s", "created", "started", "finished", "python",
            "torch", "host", "steps_per_s", "step_time", "rollouts_per_s", "duration_s"}


def _clean(x, root: str):
    if isinstance(x, dict):
        return {k: _clean(v, root) for k, v in x.items() if k not in VOLATILE}
    if isinstance(x, list):
        return [_clean(v, root) for v in x]
    if isinstance(x, str):
        return x.replace(root, "<ROOT>")
    if isinstance(x, float):
        return round(x, 6)
    return x


def _json(path: Path, root: str):
    return _clean(json.loads(path.read_text(encoding="utf-8")), root)


def _jsonl(path: Path, root: str):
    return [_clean(json.loads(line), root) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _cli(*args: str) -> None:
    from typer.testing import CliRunner

    from streampro.cli import app

    res = CliRunner().invoke(app, list(args))
    if res.exit_code != 0:
        raise RuntimeError(f"streampro {' '.join(args)} exited {res.exit_code}: {res.output[-2000:]}")


def _weights(folder: Path) -> dict:
    """Per tensor: shape, sum and sum of squares (8 significant digits): equal weights give equal rows."""
    import torch
    from safetensors.torch import load_file

    files = sorted(folder.glob("*.safetensors")) or sorted(folder.glob("*.pt"))
    out = {}
    for f in files:
        sd = load_file(f) if f.suffix == ".safetensors" else torch.load(f, map_location="cpu")
        for k in sorted(sd):
            t = sd[k].double()
            out[f"{f.name}:{k}"] = [list(t.shape), float(f"{float(t.sum()):.8g}"), float(f"{float((t * t).sum()):.8g}")]
    return out


def capture(root: Path) -> dict:
    """Everything the golden file holds, produced with one torch thread: GRPO samples its rollouts, so a
    last-bit difference in a logit (a parallel reduction split another way, after another test changed the
    thread pool) can flip a sampled token and move the trained weights by percents; one thread sums in one order."""
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        return _capture(root)
    finally:
        torch.set_num_threads(threads)


def _capture(root: Path) -> dict:
    r = str(root)
    got: dict = {}
    # the main job: the reference models on a generated split
    _cli("bench", "--out", f"{r}/bench", "--n-items", "21", "--seed", "0")
    got["bench/summary"] = _json(root / "bench/summary.json", r)
    for p in sorted((root / "bench/eval").glob("*/predictions.jsonl")):
        got[f"bench/{p.parent.name}/predictions"] = _jsonl(p, r)
    got["bench/items"] = _jsonl(root / "bench/data/test/items.jsonl", r)
    # generate + eval + score
    _cli("generate", "--out", f"{r}/val", "--split", "val", "--n-items", "14", "--seed", "1")
    got["generate/items"] = _jsonl(root / "val/items.jsonl", r)
    _cli("eval", "--model", "eager", "--bench", f"{r}/val/items.jsonl", "--out", f"{r}/eval", "--no-report")
    got["eval/predictions"] = _jsonl(root / "eval/predictions.jsonl", r)
    got["eval/summary"] = _json(root / "eval/summary.json", r)
    _cli("score", "--bench", f"{r}/val/items.jsonl", "--predictions", f"{r}/eval/predictions.jsonl",
         "--out", f"{r}/score", "--no-report", "--matching", "best")
    got["score/summary"] = _json(root / "score/summary.json", r)
    got["score/scores"] = _jsonl(root / "score/scores.jsonl", r)
    # the public benchmarks on their fixtures
    for kind in ("rtvu", "po", "ovo"):
        _cli("fixture", kind, "--out", f"{r}/fx", "--seed", "0")
    got["fixture/rtvu"] = _json(root / "fx/rtvu/questions_real.json", r)
    got["fixture/po"] = _json(root / "fx/po/questions_proactive.json", r)
    got["fixture/ovo"] = _json(root / "fx/ovo/ovo_bench_new.json", r)
    _cli("rtvu", "--questions", f"{r}/fx/rtvu/questions_real.json", "--videos", f"{r}/fx/rtvu", "--model", "random",
         "--out", f"{r}/rtvu")
    _cli("rtvu", "--questions", f"{r}/fx/rtvu/questions_real.json", "--videos", f"{r}/fx/rtvu", "--model", "random",
         "--out", f"{r}/rtvu-whole", "--context-seconds", "0", "--rule", "extract")
    _cli("po", "--questions", f"{r}/fx/po/questions_proactive.json", "--videos", f"{r}/fx/po", "--model", "random",
         "--out", f"{r}/po")
    _cli("ovo", "--annotations", f"{r}/fx/ovo/ovo_bench_new.json", "--videos", f"{r}/fx/ovo/src_videos",
         "--model", "random", "--out", f"{r}/ovo")
    for name, extra in (("rtvu", "official_results.json"), ("rtvu-whole", "official_results.json"),
                        ("po", "official_results.json"), ("ovo", "ovo_results.json")):
        got[f"{name}/summary"] = _json(root / name / "summary.json", r)
        got[f"{name}/predictions"] = _jsonl(root / name / "predictions.jsonl", r)
        got[f"{name}/{extra}"] = _json(root / name / extra, r)
    # a short SFT + GRPO run of a tiny StreamPro-Small
    (root / "sft.yaml").write_text("model: {d_model: 32, n_layers: 1, n_heads: 2}\nwarmup: 1\n")
    _cli("train", "sft", "--config", f"{r}/sft.yaml", "--train", f"{r}/val/items.jsonl", "--out", f"{r}/sft",
         "--steps", "3", "--batch-size", "4", "--seed", "0")
    _cli("train", "grpo", "--init", f"{r}/sft/final", "--train", f"{r}/val/items.jsonl", "--out", f"{r}/grpo",
         "--steps", "2", "--items-per-step", "2", "--group-size", "3", "--seed", "0")
    for name in ("sft", "grpo"):  # training sees the decoded pixels: kept per PyAV version (decoder)
        got[f"{name}/log@{decoder()}"] = [{k: v for k, v in row.items() if not k.startswith(("time", "speed"))}
                                          for row in _jsonl(root / name / "log.jsonl", r)]
        got[f"{name}/weights@{decoder()}"] = _weights(root / name / "final")
    return got


def decoder() -> str:
    """The PyAV major version: its bundled FFmpeg decodes the generated H.264 videos to slightly different
    pixels (av 15, which the lmms extra pins, vs av 18), so trained weights are recorded per version."""
    import av

    return f"av{av.__version__.split('.')[0]}"


def digest(x) -> str:
    return hashlib.sha256(json.dumps(x, sort_keys=True).encode()).hexdigest()[:16]


if __name__ == "__main__":
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        out = capture(Path(d))
    if "--write" in sys.argv:  # adds to what other decoders recorded
        kept = json.loads(GOLDEN.read_text()) if GOLDEN.exists() else {}
        GOLDEN.write_text(json.dumps({**kept, **out}, indent=1, sort_keys=True) + "\n")
        print(f"wrote {GOLDEN} ({len(out)} outputs)")
    else:
        old = json.loads(GOLDEN.read_text())
        bad = [k for k in sorted(out) if old.get(k) != out.get(k)]
        print("differ:", bad or "none")
