"""Checkpoints and logs shared by the trainers: ``OUT/checkpoint-<step>/`` holds the accelerate state
(model, optimizer, RNG) plus ``trainer_state.json``; ``OUT/log.jsonl`` gets one line per logged step.
A rerun with the same OUT resumes from the newest complete checkpoint."""

from __future__ import annotations

import json
import math
import shutil
import sys
from pathlib import Path
from typing import Any

from ..core.errors import InputError, StreamProError
from ..core.jsonl import read_jsonl, write_jsonl


class YamlConfig:
    """``from_yaml``: a dataclass config read from YAML, with non-None keyword overrides (CLI flags) on top.
    Unknown keys (with a "did you mean"), values of the wrong type and invalid YAML are refused in one line
    naming the file and the field, before any model is loaded."""

    @classmethod
    def from_yaml(cls, path: str | Path | None, **overrides):
        """``path`` may be None: then only the overrides are applied to the defaults."""
        import yaml

        data: Any = {}
        if path is not None:
            path = Path(path)
            if not path.is_file():
                raise InputError(f"--config {path}: no such file")
            try:
                data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            except (yaml.YAMLError, UnicodeDecodeError) as e:
                raise InputError(f"{path}: not valid YAML ({str(e).splitlines()[0]})") from None
            if not isinstance(data, dict):
                raise InputError(f"{path}: expected a mapping of {cls.__name__} fields, got {type(data).__name__}")
        where = str(path) if path is not None else "flags"
        merged = {**data, **{k: v for k, v in overrides.items() if v is not None}}
        check_fields(cls, merged, where)
        cfg = cls(**merged)
        check_ranges(cfg, where)
        if hasattr(cfg, "validate"):  # the config's own rules (GRPOConfig, SFTConfig)
            cfg.validate(where)
        return cfg


#: names other trainers (transformers, TRL) use for our fields, for the "did you mean"
SYNONYMS = {"learning_rate": "lr", "max_steps": "steps", "num_steps": "steps", "per_device_train_batch_size": "batch_size",
            "train_batch_size": "batch_size", "warmup_steps": "warmup", "output_dir": "out", "num_generations": "group_size",
            "beta": "kl_beta", "model_name_or_path": "base", "logging_steps": "log_every", "save_steps": "save_every"}


#: settings that make no sense below these values (a run would "succeed" and save an untrained model)
MINIMUM = {"steps": 1, "batch_size": 1, "save_every": 1, "log_every": 1, "items_per_step": 1, "warmup": 0,
           "group_size": 2}  # one rollout per group has zero advantage: GRPO would not move


def check_ranges(cfg, where: str) -> None:
    for key, low in MINIMUM.items():
        v = getattr(cfg, key, None)
        if isinstance(v, int | float) and v < low:
            why = " (GRPO's advantage compares rollouts within a group)" if key == "group_size" else ""
            raise InputError(f"{where}: field {key!r} must be >= {low}, got {v!r}{why}")
    lr = getattr(cfg, "lr", None)
    if isinstance(lr, int | float) and not lr > 0:
        raise InputError(f"{where}: field 'lr' must be > 0, got {lr!r}")


def check_fields(cls, values: dict[str, Any], where: str) -> None:
    """Unknown keys and values whose type cannot be the field's -> :class:`InputError`."""
    import dataclasses
    import difflib

    fields = {f.name: f for f in dataclasses.fields(cls)}
    for key, value in values.items():
        if key not in fields:
            near = [n for n in [SYNONYMS.get(key)] if n in fields] or difflib.get_close_matches(key, fields, n=1,
                                                                                                cutoff=0.5)
            raise InputError(f"{where}: unknown {cls.__name__} field {key!r}"
                             + (f"; did you mean {near[0]!r}?" if near else f"; known: {', '.join(sorted(fields))}"))
        f = fields[key]
        default = f.default if f.default is not dataclasses.MISSING else None
        if default is None or value is None:
            continue
        if isinstance(default, bool):
            ok = isinstance(value, bool)
        elif isinstance(default, int):
            ok = isinstance(value, int) and not isinstance(value, bool)
        elif isinstance(default, float):
            ok = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
        elif isinstance(default, str):
            ok = isinstance(value, str)
        else:
            ok = True
        if not ok:
            raise InputError(f"{where}: field {key!r} must be {type(default).__name__} (like {default!r}), got {value!r}")


def finished(out: Path) -> bool:
    """Whether ``out`` holds a finished run: ``final/`` only ever appears whole (written beside, then renamed)."""
    return (out / "final").is_dir()


#: what a training run writes into its folder (``overwrite`` removes these)
TRAIN_OUTPUTS = ("checkpoint-*", "final", "final.tmp", "log.jsonl", "tensorboard", "feature_cache*", "llm_cache.jsonl",
                 "curves*", "probe.json")
#: settings that do not change what a run computes: another value continues the same run
UNTRACKED = ("tensorboard", "log_every", "save_every", "out")


def claim_training_run(cfg, overwrite: bool = False) -> bool:
    """Make sure ``cfg.out`` holds this trainer's run or nothing yet (:func:`~streampro.core.runs.claim_run`:
    other settings raise ``RunConflict`` before anything is written, unless ``overwrite`` clears the folder);
    return whether the run is already finished, in which case the trainer returns its ``final/`` as it is —
    resuming it would redo the steps after the last checkpoint and log them twice. In the trainers, not in
    the CLI, so that a library call on a folder trained with other settings is refused too."""
    from dataclasses import asdict

    from ..core.runs import claim_run, clear_outputs

    out = Path(cfg.out)
    claim_run(out, "config", asdict(cfg), TRAIN_OUTPUTS, overwrite, ignore=UNTRACKED, defaults=asdict(type(cfg)()))
    if finished(out) and overwrite:
        clear_outputs(out, TRAIN_OUTPUTS)
    return finished(out)


def write_final(model, out: Path) -> Path:
    """Save ``model`` as the ``from_pretrained`` directory ``OUT/final``: written beside it, then swapped in, so
    ``final/`` is never half-written and ``finished`` can trust it."""
    final, tmp = out / "final", out / "final.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    model.save_pretrained(tmp)
    shutil.rmtree(final, ignore_errors=True)
    tmp.rename(final)
    return final


def save_final(accelerator, model, out: Path) -> Path:
    """``write_final`` for a trainer under accelerate (main process only; the others wait for it)."""
    if accelerator.is_main_process:
        write_final(accelerator.unwrap_model(model), out)
    accelerator.wait_for_everyone()
    return out / "final"


class TrainingDiverged(StreamProError, RuntimeError):
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
    """The step to go on from: the newest checkpoint that loads. A damaged one (a torn trainer_state.json,
    cut weights) is reported and the one before it is used; none that loads is an error, not a fresh start."""
    cks = sorted((p for p in out.glob("checkpoint-*") if (p / "trainer_state.json").exists()),
                 key=lambda p: int(p.name.split("-")[1]), reverse=True)
    damaged = []
    for ck in cks:
        try:
            step = int(json.loads((ck / "trainer_state.json").read_text())["step"])
            accelerator.load_state(str(ck))
            if damaged:
                print(f"warning: {'; '.join(damaged)}; resuming from {ck.name}", file=sys.stderr)
            return step
        except Exception as e:  # json, KeyError, safetensors, torch: any of them means "this one is unusable"
            damaged.append(f"{ck} is damaged ({type(e).__name__}: {str(e)[:120]})")
    if damaged:
        raise InputError(f"{'; '.join(damaged)}: no checkpoint in {out} loads; pass --overwrite to start over")
    return 0


def check_finite(value: float, step: int, out: Path) -> None:
    if not math.isfinite(value):
        ck = latest_checkpoint(out)
        raise TrainingDiverged(f"non-finite loss ({value}) at step {step}; stopped. Last good checkpoint: "
                               f"{ck or 'none yet'} — lower the learning rate and rerun to resume from it.")


class JsonlLogger:
    """One JSON line per logged step. A run resumed at ``start`` (the checkpoint's step) first drops the lines of
    steps it will log again — those the interrupted process logged after its last checkpoint — so the file holds
    each step once, as an uninterrupted run's would (curves and reward statistics read it as a series)."""

    def __init__(self, path: Path, enabled: bool = True, tensorboard: bool = False, start: int = 0):
        self.path, self.enabled = path, enabled
        self.tb = None
        if enabled and path.exists():
            # read_jsonl drops a torn last line (the process died mid-write); write_jsonl replaces the file whole,
            # so a crash here leaves the old log, not half of it
            write_jsonl(path, [r for r in read_jsonl(path) if start and r["step"] < start])
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
