"""The ``streampro`` Typer app and what its command modules share (model-args parsing)."""

from __future__ import annotations

import typer

from ..cli_common import fail as _fail

app = typer.Typer(help="StreamPro: proactive streaming video understanding — benchmark, train, evaluate. "
                  "Errors are one line; add --debug to any command for the traceback.",
                  no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)

MODEL_ARGS_HELP = ("model options as key=value pairs, comma-separated (lmms-eval style), e.g. "
                   "frame_size=448,window_frames=64,dtype=bfloat16,device_map=cuda")


def _model_args(text: str | None) -> dict:
    """``"a=1,b=x,c=true"`` -> ``{"a": 1, "b": "x", "c": True}``."""
    out: dict = {}
    for part in filter(None, (p.strip() for p in (text or "").split(","))):
        key, sep, value = part.partition("=")
        if not sep or not key:
            _fail(f"--model-args: expected key=value, got {part!r}")
        low = value.lower()
        if low in ("true", "false", "none"):
            out[key] = {"true": True, "false": False, "none": None}[low]
            continue
        for cast in (int, float):
            try:
                out[key] = cast(value)
                break
            except ValueError:
                continue
        else:
            out[key] = value
    return out
