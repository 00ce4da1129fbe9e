"""Text normalisation shared by judges, models and benchmark scorers."""

from __future__ import annotations

import re

_ARTICLES = re.compile(r"\b(the|a|an)\b")
_PUNCT = re.compile(r"[^\w\s.]|(?<!\d)\.|\.(?!\d)")
_LETTER = re.compile(r"^\(?([A-Za-z])\)?(?:[.:)]|$|\s)")
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


def normalize(text: str) -> str:
    """Lower case, punctuation and articles removed, whitespace collapsed (decimal points kept)."""
    text = _PUNCT.sub(" ", text.lower())
    return " ".join(_ARTICLES.sub(" ", text).split())


def numbers(text: str) -> list[float]:
    return [float(m) for m in _NUMBER.findall(text)]


def parse_choice(text: str, options: list[str] | tuple[str, ...]) -> int | None:
    """Map a free-form answer to an option index: exact (normalised) option text, an option letter
    ("B", "(B)", "B. red"), or the one option whose text the answer contains. None if unparseable."""
    norm = normalize(text)
    opts = [normalize(o) for o in options]
    if norm in opts:
        return opts.index(norm)
    m = _LETTER.match(text.strip())
    if m:
        idx = ord(m.group(1).upper()) - ord("A")
        if 0 <= idx < len(options) and (len(text.strip()) <= 3 or normalize(text.strip()[2:]) in ("", opts[idx])):
            return idx
    hits = [i for i, o in enumerate(opts) if o and re.search(rf"\b{re.escape(o)}\b", norm)]
    return hits[0] if len(hits) == 1 else None
