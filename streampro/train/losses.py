"""CB-Stream loss: class-balanced cross-entropy on the per-frame decision, plus answer-token CE.

Streaming trajectories are mostly ``<silence>``: with plain CE a model minimises loss by never speaking.
CB-Stream re-weights the two decision classes by the inverse *effective number of samples*
(Cui et al., 2019): ``E_n = (1 - beta**n) / (1 - beta)``, ``w_c ∝ 1 / E_{n_c}``, normalised so the
weights sum to the number of classes. ``beta -> 0`` gives plain CE, ``beta -> 1`` inverse frequency.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from ..models.small import SmallConfig
from .trajectory import KIND_ANSWER, KIND_DECISION


def effective_number_weights(counts: list[int], beta: float) -> torch.Tensor:
    if not 0 <= beta < 1:
        raise ValueError("beta must be in [0, 1)")
    n = torch.tensor(counts, dtype=torch.float64)
    if (n <= 0).any():
        raise ValueError(f"every class needs at least one sample, got counts {counts}")
    eff = (1 - beta**n) / (1 - beta)
    w = 1.0 / eff
    return (w / w.sum() * len(counts)).float()


def stream_loss(logits: torch.Tensor, labels: torch.Tensor, kind: torch.Tensor, cfg: SmallConfig,
                decision_weights: torch.Tensor | None = None, answer_weight: float = 1.0) -> dict[str, torch.Tensor]:
    """``decision_weights`` = (w_silence, w_respond) for CB-Stream, None for plain CE.

    decision = sum_i w_{y_i} CE_i / sum_i w_{y_i} over decision positions; answer = mean CE over answer
    tokens; loss = decision + answer_weight * answer.
    """
    ce = F.cross_entropy(logits.flatten(0, 1).float(), labels.flatten().clamp_min(0), reduction="none")
    kind = kind.flatten()
    labels = labels.flatten()
    dmask, amask = kind == KIND_DECISION, kind == KIND_ANSWER
    if decision_weights is None:
        w = dmask.float()
    else:
        w = torch.where(labels == cfg.respond_id, decision_weights[1], decision_weights[0]) * dmask
    decision = (w * ce).sum() / w.sum().clamp_min(1e-8)
    answer = (ce * amask).sum() / amask.sum().clamp_min(1)
    return {"loss": decision + answer_weight * answer, "decision": decision, "answer": answer}
