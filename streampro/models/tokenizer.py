"""A word-level tokenizer built offline with the ``tokenizers`` library (no hub): the world's language
is small and closed, so words are the right unit and every answer is one or two tokens."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from tokenizers import Tokenizer, normalizers, pre_tokenizers
from tokenizers.models import WordLevel

SPECIAL = ["<pad>", "<unk>", "<bos>", "<eos>", "<silence>", "<respond>", "<query>", "<opts>", "<eoq>", "<frame>"]


def build_tokenizer(texts: Iterable[str]) -> Tokenizer:
    tmp = Tokenizer(WordLevel({"<unk>": 0}, unk_token="<unk>"))
    tmp.normalizer = normalizers.Lowercase()
    tmp.pre_tokenizer = pre_tokenizers.Sequence([pre_tokenizers.WhitespaceSplit(), pre_tokenizers.Punctuation()])
    words: set[str] = set()
    for t in texts:
        words.update(w for w, _ in tmp.pre_tokenizer.pre_tokenize_str(t.lower()))
    vocab = {tok: i for i, tok in enumerate(SPECIAL)}
    for w in sorted(words):
        vocab.setdefault(w, len(vocab))
    tok = Tokenizer(WordLevel(vocab, unk_token="<unk>"))
    tok.normalizer = tmp.normalizer
    tok.pre_tokenizer = tmp.pre_tokenizer
    return tok


def world_vocabulary() -> list[str]:
    """Every word the procedural world can say, so a tokenizer built from it never sees <unk>."""
    from ..world.scene import COLORS, QUADRANTS, SHAPES

    return [*COLORS, *SHAPES, *QUADRANTS, "left right above below 0 1 2 3 4 first last",
            "What colour is the object that just appeared? How many objects are on screen now?",
            "Where is the relative to the now? Which object appeared first last?",
            "How many times has the bounced off a wall so far? What colour was the before it changed?",
            "Which object will the hit first? Which object will cross the finish line first?",
            "Where will the light flash for the sixth time?"]


def save_tokenizer(tok: Tokenizer, directory: Path) -> None:
    tok.save(str(directory / "tokenizer.json"))


def load_tokenizer(directory: Path) -> Tokenizer:
    return Tokenizer.from_file(str(directory / "tokenizer.json"))
