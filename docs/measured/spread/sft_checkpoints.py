"""Issue 18, round 13: model folders from the last SFT checkpoints of the 1,875-step grounding SFTs, to see how much
a model's score moves between neighbouring checkpoints of one run (against the spread between seeds), and the
uniform average of checkpoints 1700, 1800 and the final weights (1875). Writes, per seed S given,
runs/w9/seedS/sft-grounding-aux0.3-1875-{ckpt1700,ckpt1800,avg3}/ (config and tokenizer copied from final/);
skips folders that exist. Usage: python docs/measured/spread/sft_checkpoints.py 0 1 2 3 4"""

import shutil
import sys
from pathlib import Path

import torch
from safetensors.torch import load_file, save_file

for s in sys.argv[1:]:
    run = Path(f"runs/w9/seed{s}/sft-grounding-aux0.3-1875")
    sources = {"ckpt1700": run / "checkpoint-1700", "ckpt1800": run / "checkpoint-1800", "final": run / "final"}
    weights = {k: load_file(str(p / "model.safetensors")) for k, p in sources.items()}
    for name, sd in (("ckpt1700", weights["ckpt1700"]), ("ckpt1800", weights["ckpt1800"]),
                     ("avg3", {k: torch.stack([w[k].float() for w in weights.values()]).mean(0).to(v.dtype)
                               for k, v in weights["final"].items()})):
        dest = Path(f"{run}-{name}")
        if dest.exists():
            continue
        tmp = dest.with_name(dest.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir()
        for f in ("config.json", "tokenizer.json"):
            shutil.copy(run / "final" / f, tmp / f)
        save_file(sd, str(tmp / "model.safetensors"))
        tmp.rename(dest)
        print(dest)
