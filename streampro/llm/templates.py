"""Prompt files a user may replace: only ``{name}`` placeholders are filled, and they are checked."""

from __future__ import annotations

import re
from pathlib import Path

from ..core.errors import InputError

_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


def read_template(path: str | Path, known: tuple[str, ...], required: tuple[str, ...] = ()) -> str:
    """A user's prompt file. Only ``{name}`` placeholders are filled, so other braces (a JSON example in
    the prompt) stay as written; an unknown or missing placeholder is an error naming the file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise InputError(f"prompt file {path}: cannot read it as UTF-8 text ({e})") from None
    used = set(_PLACEHOLDER.findall(text))
    unknown = sorted(used - set(known))
    if unknown:
        raise InputError(f"prompt file {path}: unknown placeholder(s) {', '.join('{' + u + '}' for u in unknown)}; "
                         f"known: {' '.join('{' + k + '}' for k in known)}")
    missing = [r for r in required if r not in used]
    if missing:
        raise InputError(f"prompt file {path}: needs {' '.join('{' + m + '}' for m in missing)}")
    return text


def fill_template(text: str, **values: str) -> str:
    return _PLACEHOLDER.sub(lambda m: str(values[m.group(1)]) if m.group(1) in values else m.group(0), text)


