"""A config field's default and help, written once (as TRL's ``GRPOConfig`` does with field metadata).

The trainers' dataclasses declare every field with :func:`setting`; the YAML loader validates against the
same fields (``train.checkpoint.YamlConfig``) and the CLI generates one flag per field from them
(``cli_common.config_options``), so adding an option is one line in one file.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import field
from typing import Any


def setting(default: Any, help: str, *, flags: tuple[str, ...] = (), cli: bool = True,
            cli_type: type | None = None, convert: Callable[[Any], Any] | None = None) -> Any:
    """A dataclass field with its help text.

    ``flags``: the option names (default ``--field-name``); ``cli=False``: YAML only (nested mappings);
    ``cli_type`` + ``convert``: a flag whose value is turned into the field's (``--lora-r 16`` -> ``lora``)."""
    meta = {"help": help, "flags": flags, "cli": cli, "cli_type": cli_type, "convert": convert}
    if isinstance(default, list | dict):
        return field(default_factory=lambda: copy.deepcopy(default), metadata=meta)
    return field(default=default, metadata=meta)
