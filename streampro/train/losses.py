"""SFT losses of the paper's ablation (paper §2, Eq. 3–4): CB-Stream, plain CE, and Streamo's focal loss.

All three average over *every supervised token* with one ``1/N``: the per-frame decision tokens
(``</Silence>`` / ``</Response>``) and the answer text tokens (and their ``<eos>``).

* CB-Stream: ``n_k`` = count of decision class ``k`` **in the current batch**; effective number
  ``E_k = (1 - beta^n_k) / (1 - beta)``; ``w_k = (1/E_k) / sum_j (1/E_j) * |S|``; decision tokens weigh
  ``w_{y_i}``, text tokens ``lambda_text``. beta = 0.9999, lambda_text = 2 as in the paper. A class absent
  from the batch has no tokens to weigh; the other gets the weight ``|S| * 1`` normalised alone.
* CE: every weight 1.
* focal (Streamo's ``stream_focal_loss``, github.com/maifoundations/Streamo, ``swift/plugin/loss.py``):
  decision tokens ``-alpha_k (1 - p)^gamma log p`` with Streamo's automatic class balance
  ``alpha_k = (n_decisions / n_k) / K`` over the K decision classes present in the batch (the rarer class
  weighs more; ``focal_alpha=False`` drops it), text tokens plain CE, one ``1/N`` over all supervised tokens.
"""

from __future__ import annotations

import torch

from .trajectory import KIND_ANSWER, KIND_DECISION

LOSSES = ("cb", "ce", "focal")


def effective_number_weights(counts: list[int], beta: float) -> torch.Tensor:
    """Class weights ``(1/E_k) / sum_j(1/E_j) * |S|`` over the classes present (count > 0); absent ones 0."""
    if not 0 <= beta < 1:
        raise ValueError("beta must be in [0, 1)")
    n = torch.tensor(counts, dtype=torch.float64)
    present = n > 0
    if not present.any():
        raise ValueError(f"no decision tokens in the batch (counts {counts})")
    inv = torch.where(present, (1 - beta) / (1 - beta ** n.clamp_min(1)), torch.zeros_like(n))
    return (inv / inv.sum() * len(counts)).float()


def batch_counts(labels: torch.Tensor, kind: torch.Tensor, silence_id: int, respond_id: int) -> torch.Tensor:
    """``[n_silence, n_respond, n_supervised]`` of a (local) batch: what CB-Stream's weights and the ``1/N``
    depend on. Under DDP the trainer sums these over the processes, so that "the current batch" is the
    global one, as it is for a single process."""
    labels, kind = labels.flatten(), kind.flatten()
    dmask, tmask = kind == KIND_DECISION, kind == KIND_ANSWER
    return torch.stack([(dmask & (labels == silence_id)).sum(), (dmask & (labels == respond_id)).sum(),
                        (dmask | tmask).sum()]).to(torch.float64)


def stream_loss(logits: torch.Tensor, labels: torch.Tensor, kind: torch.Tensor, silence_id: int, respond_id: int,
                loss: str = "cb", beta: float = 0.9999, lambda_text: float = 2.0, gamma: float = 2.0,
                totals: torch.Tensor | None = None, focal_alpha: bool = True) -> dict[str, torch.Tensor]:
    """``loss`` in cb | ce | focal. Returns the loss and, for logging, the mean decision and text CE.
    ``totals``: :func:`batch_counts` of the whole (global) batch when this is one process's share of it; the
    class weights and the ``1/N`` then come from it, and the shares' losses add up to the global loss."""
    if loss not in LOSSES:
        raise ValueError(f"loss must be one of {LOSSES}, got {loss!r}")
    logp = torch.log_softmax(logits.flatten(0, 1).float(), -1)
    totals = batch_counts(labels, kind, silence_id, respond_id) if totals is None else totals
    labels, kind = labels.flatten(), kind.flatten()
    nll = -logp.gather(-1, labels.clamp_min(0).unsqueeze(-1)).squeeze(-1)
    dmask, tmask = kind == KIND_DECISION, kind == KIND_ANSWER
    n = totals[2].clamp_min(1).to(nll.dtype)
    if loss == "cb":
        counts = [int(totals[0]), int(totals[1])]
        w_cls = effective_number_weights(counts, beta).to(logits.device)
        w = torch.where(labels == respond_id, w_cls[1], w_cls[0]) * dmask + lambda_text * tmask
        per_tok = w * nll
    elif loss == "ce":
        per_tok = nll * (dmask | tmask)
    else:
        focal = (1 - torch.exp(-nll)).pow(gamma) * nll
        if focal_alpha:  # Streamo's auto_alpha: inverse class frequency, normalised by the classes present
            counts = totals[:2].to(nll.dtype)
            present = counts > 0
            alpha = torch.where(present, counts.sum() / counts.clamp_min(1) / present.sum(), torch.zeros_like(counts))
            focal = focal * torch.where(labels == respond_id, alpha[1], alpha[0])
        per_tok = focal * dmask + nll * tmask
    decision = (nll * dmask).sum() / dmask.sum().clamp_min(1)
    answer = (nll * tmask).sum() / tmask.sum().clamp_min(1)
    return {"loss": per_tok.sum() / n, "decision": decision, "answer": answer}
