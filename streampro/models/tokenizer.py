"""A word-level tokenizer built offline with the ``tokenizers`` library (no hub): the world's language
is small and closed, so words are the right unit and every answer is one or two tokens."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from tokenizers import Tokenizer, normalizers, pre_tokenizers
from tokenizers.models import WordLevel

#: the paper's decision tokens are ``</Silence>`` and ``</Response>``
SPECIAL = ["<pad>", "<unk>", "<bos>", "<eos>", "</Silence>", "</Response>", "<query>", "<opts>", "<eoq>", "<frame>"]


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
    """Every word the procedural world can say (questions and answers of the seven tasks, times up to
    300 s), so a tokenizer built from it never sees <unk> on world data."""
    from ..core.vocab import ANOMALIES, COLOR_NAMES, DIRECTIONS, SHAPES

    return [*COLOR_NAMES, *SHAPES, *DIRECTIONS, *ANOMALIES, " ".join(f"{n}s {n}" for n in range(301)),
            "the moves stops turned split in two appears from to next go square goal is complete warning triangle "
            "ahead steer describe each movement of as it happens tell me time changes colour alert immediately if "
            "anything unusual happens an object after when moving that started and ended visits in order completes "
            "a step I am white circle warn about 3 seconds before would hit how avoid"]


def save_tokenizer(tok: Tokenizer, directory: Path) -> None:
    tok.save(str(directory / "tokenizer.json"))


def load_tokenizer(directory: Path) -> Tokenizer:
    return Tokenizer.from_file(str(directory / "tokenizer.json"))
