"""A run folder belongs to one configuration. Each command that writes a resumable run (``eval``,
``train sft``, ``train grpo``) records the settings that determine its outputs in ``OUT/run.json``; a rerun
on the same folder continues only when they match, and otherwise stops with the settings that differ,
before anything is written. ``--overwrite`` starts that folder over; a new ``--out`` keeps both."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

from .errors import InputError, RunConflict

MANIFEST = "run.json"


def _show(v: Any) -> str:
    text = json.dumps(v, sort_keys=True, default=str)
    return text if len(text) <= 60 else text[:57] + "..."


def settings_diff(old: dict[str, Any], new: dict[str, Any], ignore: tuple[str, ...] = (),
                  defaults: dict[str, Any] | None = None) -> list[str]:
    """``key: old -> new`` for every setting that differs. A key missing from ``old`` (a manifest written before
    the setting existed) counts as its value in ``defaults``, else None: that run used what is now the default."""
    defaults = defaults or {}
    keys = sorted((set(old) | set(new)) - set(ignore))
    before = {k: old.get(k, defaults.get(k)) for k in keys}
    return [f"{k}: {_show(before[k])} -> {_show(new.get(k))}" for k in keys
            if json.dumps(before[k], sort_keys=True, default=str) != json.dumps(new.get(k), sort_keys=True, default=str)]


def check_out_folder(out: Path) -> None:
    if out.exists() and not out.is_dir():
        raise InputError(f"--out {out}: is a file; give a folder")


def claim_run(out: Path, key: str, settings: dict[str, Any], outputs: tuple[str, ...], overwrite: bool = False,
              ignore: tuple[str, ...] = (), defaults: dict[str, Any] | None = None) -> None:
    """Make sure ``out`` holds this run (or nothing yet). ``key`` is where ``run.json`` keeps the settings
    (``settings`` for eval, ``config`` for the trainers); ``outputs`` are the files and folders (globs) the
    run writes, removed by ``overwrite``; ``defaults``: the settings' defaults, for manifests older than a setting.
    Raises :class:`RunConflict` naming the differing settings."""
    check_out_folder(out)
    path = out / MANIFEST
    if not path.exists():
        return
    try:
        old = json.loads(path.read_text(encoding="utf-8"))[key]
        diff = settings_diff(old, settings, ignore, defaults)
    except (json.JSONDecodeError, KeyError, TypeError, UnicodeDecodeError):
        diff = [f"{path} is unreadable"]
    if not diff or not any(any(out.glob(p)) for p in outputs):  # same run, or one that wrote nothing yet
        return
    if not overwrite:
        raise RunConflict(f"{out} holds a run with other settings ({'; '.join(diff)}); give a new --out, or pass "
                          "--overwrite to start this folder over")
    clear_outputs(out, (*outputs, MANIFEST))


def clear_outputs(out: Path, outputs: tuple[str, ...]) -> None:
    """Remove what a run wrote into ``out`` (globs). Tolerant of a file already gone: under ``torchrun``
    every rank clears the same folder."""
    for pattern in outputs:
        for p in out.glob(pattern):
            shutil.rmtree(p, ignore_errors=True) if p.is_dir() else p.unlink(missing_ok=True)


def write_manifest(out: Path, key: str, settings: dict[str, Any], **extra: Any) -> None:
    """Write ``run.json`` atomically. The temporary file is per process: under ``torchrun`` every rank writes
    the same manifest at once, and a shared temporary name let one rank rename the file away from another."""
    out.mkdir(parents=True, exist_ok=True)
    tmp = out / f"{MANIFEST}.{os.getpid()}.tmp"
    tmp.write_text(json.dumps({key: settings, **extra}, indent=2, default=str))
    tmp.replace(out / MANIFEST)
