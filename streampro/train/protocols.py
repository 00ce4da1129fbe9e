"""The seams of training, as ``Protocol`` types: what the trainers need of a policy, of its token layout and
of a trajectory rubric. StreamPro-Small (``SmallConfig``/``StreamProSmall``) and the HF adapter
(``HFLayout``/``HFPolicy``) satisfy them without inheriting anything, so a third backbone only has to match
these shapes. (The chat backend's is :class:`streampro.llm.chat.ChatBackend`; the judge's is the
:class:`streampro.bench.judges.Judge` base class.)"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from ..core.items import Item
from ..core.types import Response
from ..models.base import StreamingModel


@runtime_checkable
class TokenLayout(Protocol):
    """The token ids and sizes a trajectory is laid out with (``trajectory.py``, the losses, GRPO)."""

    pad_id: int
    eos_id: int
    silence_id: int
    respond_id: int
    frame_id: int
    image_size: int

    @property
    def tokens_per_frame(self) -> int: ...

    @property
    def preamble(self) -> tuple[int, ...]: ...

    def query_ids(self, tokenizer: Any, question: str, options: tuple[str, ...] | list[str]) -> list[int]: ...

    def frame_label_ids(self, tokenizer: Any, k: int, fps: float) -> list[int]: ...


@runtime_checkable
class Policy(Protocol):
    """What SFT and GRPO train: ``policy(tokens, is_visual, frames) -> logits`` over a laid-out trajectory,
    a sampling streamer for rollouts, and ``save_pretrained`` for ``final/``."""

    cfg: TokenLayout
    tokenizer: Any

    def __call__(self, tokens: Any, is_visual: Any, frames: Any) -> Any: ...

    def streamer(self, **kwargs: Any) -> StreamingModel: ...

    def save_pretrained(self, directory: str | Path) -> None: ...


class Rubric(Protocol):
    """The trajectory reward's checks: ``grade`` returns each check's verdict (``R_traj`` = the fraction passed)."""

    name: str

    def grade(self, item: Item, responses: Sequence[Response], judge: Any) -> dict[str, bool]: ...
