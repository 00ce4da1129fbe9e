"""Checkpoints and logs shared by the trainers: ``OUT/checkpoint-<step>/`` holds the accelerate state
(model, optimizer, RNG) plus ``trainer_state.json``; ``OUT/log.jsonl`` gets one line per logged step.
A rerun with the same OUT resumes from the newest complete checkpoint."""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path
from typing import Any


class YamlConfig:
    """``from_yaml``: a dataclass config read from YAML, with non-None keyword overrides (CLI flags) on top."""

    @classmethod
    def from_yaml(cls, path: str | Path | None, **overrides):
        """``path`` may be None: then only the overrides are applied to the defaults."""
        import yaml

        data = (yaml.safe_load(Path(path).read_text()) or {}) if path is not None else {}
        return cls(**{**data, **{k: v for k, v in overrides.items() if v is not None}})


def save_final(accelerator, model, out: Path) -> Path:
    """Write the trained model as a ``from_pretrained`` directory ``OUT/final`` (main process only)."""
    final = out / "final"
    if accelerator.is_main_process:
        accelerator.unwrap_model(model).save_pretrained(final)
    accelerator.wait_for_everyone()
    return final


class TrainingDiverged(RuntimeError):
    """The loss became NaN/inf; the last good checkpoint is kept."""


def latest_checkpoint(out: Path) -> Path | None:
    cks = [p for p in out.glob("checkpoint-*") if (p / "trainer_state.json").exists()]
    return max(cks, key=lambda p: int(p.name.split("-")[1])) if cks else None


def save_checkpoint(accelerator, out: Path, step: int, keep: int = 2, extra: dict[str, Any] | None = None) -> Path:
    d = out / f"checkpoint-{step}"
    accelerator.save_state(str(d))
    if accelerator.is_main_process:
        (d / "trainer_state.json").write_text(json.dumps({"step": step, **(extra or {})}))  # written last: marks complete
        old = sorted((p for p in out.glob("checkpoint-*") if p != d), key=lambda p: int(p.name.split("-")[1]))
        for p in old[: max(0, len(old) - keep + 1)]:
            shutil.rmtree(p, ignore_errors=True)
    accelerator.wait_for_everyone()
    return d


def resume(accelerator, out: Path) -> int:
    ck = latest_checkpoint(out)
    if ck is None:
        return 0
    accelerator.load_state(str(ck))
    return json.loads((ck / "trainer_state.json").read_text())["step"]


def check_finite(value: float, step: int, out: Path) -> None:
    if not math.isfinite(value):
        ck = latest_checkpoint(out)
        raise TrainingDiverged(f"non-finite loss ({value}) at step {step}; stopped. Last good checkpoint: "
                               f"{ck or 'none yet'} — lower the learning rate and rerun to resume from it.")


class JsonlLogger:
    def __init__(self, path: Path, enabled: bool = True, tensorboard: bool = False):
        self.path, self.enabled = path, enabled
        self.tb = None
        if enabled and tensorboard:
            from torch.utils.tensorboard import SummaryWriter

            self.tb = SummaryWriter(str(path.parent / "tb"))

    def log(self, step: int, **values: float) -> None:
        if not self.enabled:
            return
        with self.path.open("a") as f:
            f.write(json.dumps({"step": step, **values}) + "\n")
        if self.tb is not None:
            for k, v in values.items():
                self.tb.add_scalar(k, v, step)
