"""Is "the queried movement has just ended" in the frozen frame encoder's features at all?

A small MLP, trained on the TG training questions, reads at each frame from the query on the encoder's
visual tokens of this frame and its change over the last two frames, plus the query's colour, shape and
direction, and predicts whether this is the frame the answer is due. Scored on other questions as
StreamPro-Small's own P(respond) is by respond_curve.py: does the highest-scoring frame land on the due frame?
If the probe does well where the model is blind, the information is there and SFT does not learn to use it.

    python docs/measured/tg-probe/feature_probe.py ENCODER_MODEL_DIR TRAIN.jsonl TEST.jsonl [--seed 0]
"""

from __future__ import annotations

import argparse
import re

import numpy as np
import torch
from torch import nn

from streampro.core.vocab import COLOR_NAMES, DIRECTIONS, SHAPES
from streampro.data.schema import load_items
from streampro.models.small.modeling import StreamProSmall
from streampro.train.motion_aux import MOTIONS, frame_motion_labels
from streampro.train.perception import scene_of
from streampro.train.trajectory import item_frames, load_frames

QUESTION = re.compile(r"When the (\w+) (\w+) stops moving (\w+),")


def query_code(question: str) -> np.ndarray:
    c, s, d = QUESTION.match(question).groups()
    v = np.zeros(len(COLOR_NAMES) + len(SHAPES) + len(DIRECTIONS), np.float32)
    v[COLOR_NAMES.index(c)] = v[len(COLOR_NAMES) + SHAPES.index(s)] = 1
    v[len(COLOR_NAMES) + len(SHAPES) + DIRECTIONS.index(d)] = 1
    return v


def rows(model: StreamProSmall, path: str, target: str = "due"):
    items = [it for it in load_items(path) if it.task == "TG"]
    feats = {v: model.encode_frames(f).reshape(len(f), -1) for v, f in load_frames(items, model.cfg.image_size).items()}
    per_item = []
    for it in items:
        f = feats[it.video]
        q, last = item_frames(it)
        last = min(last, len(f) - 1)
        ks = np.arange(q, last + 1)
        prev, prev2 = f[np.maximum(ks - 1, 0)], f[np.maximum(ks - 2, 0)]
        x = np.concatenate([f[ks], f[ks] - prev, prev - prev2, np.repeat(query_code(it.question)[None], len(ks), 0)], 1)
        due = round(it.answers[0].time * it.fps)
        if target == "motion":  # the queried object's motion class at each frame (motion_aux's label)
            lab = frame_motion_labels(it, scene_of(it))
            y = np.array([lab.get(int(k), -100) for k in ks])
        else:
            y = (ks == due).astype(np.float32)
        per_item.append((x.astype(np.float32), y, due - q))
    return per_item


def fit(X: torch.Tensor, out_dim: int, loss_of, args) -> tuple[nn.Module, torch.Tensor, torch.Tensor]:
    """The MLP (two hidden layers of 256) on standardised inputs, ``args.epochs`` epochs of batches of 512 drawn
    with ``args.seed``; ``loss_of(logits, batch_index)``. Returns it with the inputs' mean and std."""
    mu, sd = X.mean(0), X.std(0) + 1e-5
    net = nn.Sequential(nn.Linear(X.shape[1], 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(), nn.Linear(256, out_dim))
    opt = torch.optim.AdamW(net.parameters(), 1e-3, weight_decay=1e-4)
    g = torch.Generator().manual_seed(args.seed)
    for _ in range(args.epochs):
        perm = torch.randperm(len(X), generator=g)
        for i in range(0, len(X), 512):
            b = perm[i : i + 512]
            loss = loss_of(net((X[b] - mu) / sd), b)
            opt.zero_grad()
            loss.backward()
            opt.step()
    return net, mu, sd


def motion_probe(X, Y, test, args) -> None:
    """Accuracy of the MLP at the queried object's motion class, against always saying the commonest class."""
    keep = Y >= 0
    X, Y = X[keep], Y[keep].long()
    net, mu, sd = fit(X, len(MOTIONS), lambda logits, b: nn.functional.cross_entropy(logits, Y[b]), args)
    Xt = torch.from_numpy(np.concatenate([x for x, _, _ in test]))
    Yt = torch.from_numpy(np.concatenate([y for _, y, _ in test])).long()
    keep = Yt >= 0
    with torch.no_grad():
        pred = net((Xt[keep] - mu) / sd).argmax(1)
        train_acc = (net((X - mu) / sd).argmax(1) == Y).float().mean().item()
    prior = np.bincount(Y.numpy(), minlength=len(MOTIONS)) / len(Y)
    entropy = -(prior[prior > 0] * np.log(prior[prior > 0])).sum()
    print(f"motion probe ({args.epochs} epochs): accuracy train {train_acc:.2f}, test {(pred == Yt[keep]).float().mean():.2f}; "
          f"commonest class {prior.max():.2f}; label entropy {entropy:.3f} nats")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("model")
    ap.add_argument("train")
    ap.add_argument("test")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--epochs", type=int, default=30)
    ap.add_argument("--target", choices=("due", "motion"), default="due",
                    help="due: is the answer due at this frame; motion: the queried object's motion class")
    args = ap.parse_args()
    torch.manual_seed(args.seed)
    model = StreamProSmall.from_pretrained(args.model)
    train, test = rows(model, args.train, args.target), rows(model, args.test, args.target)
    X = torch.from_numpy(np.concatenate([x for x, _, _ in train]))
    Y = torch.from_numpy(np.concatenate([y for _, y, _ in train]))
    if args.target == "motion":
        motion_probe(X, Y, test, args)
        return
    pos_w = (1 - Y.mean()) / Y.mean()
    net, mu, sd = fit(X, 1, lambda logits, b: nn.functional.binary_cross_entropy_with_logits(
        logits.squeeze(1), Y[b], pos_weight=pos_w), args)

    def top1(data, tol=0):
        with torch.no_grad():
            return np.mean([abs(int(net((torch.from_numpy(x) - mu) / sd).argmax()) - off) <= tol for x, _, off in data])

    print(f"feature probe ({args.epochs} epochs, {len(train)} train questions): top-1 due frame "
          f"train {top1(train):.2f}, test {top1(test):.2f} (within 1 frame: {top1(test, 1):.2f}) on {len(test)} test questions")


if __name__ == "__main__":
    main()
