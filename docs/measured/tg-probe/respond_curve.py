"""Does a StreamPro-Small model *see* when a Temporal Grounding movement ends, whatever its read-out says?

For each TG question, the stream is laid out as in training but silent throughout (no answer in the context),
and the model's P(</Response>) is read after every frame from the query on. Threshold-free measures:
- top-1: the frame with the highest P(respond) is the answer's frame (due time) — or within +-1 frame;
- the same with each question's frames taken from *another* question's video (same query, same length cut):
  a model that reads the video loses its top-1 there; a blind one (time since the query only) keeps it;
- the best a blind rule can do: always the same offset after the query (the most common one in these items).

    python docs/measured/tg-probe/respond_curve.py MODEL_DIR ITEMS.jsonl [--limit N]
"""

from __future__ import annotations

import argparse
from collections import Counter

import numpy as np
from decision_auc import respond_probabilities  # this folder's script: the same teacher-forced read-out

from streampro.data.schema import load_items
from streampro.models.small.modeling import StreamProSmall
from streampro.train.trajectory import build_trajectory, item_frames, load_frames


def respond_probs(model: StreamProSmall, item, frames: np.ndarray) -> tuple[int, np.ndarray]:
    """(query frame, P(respond) after each frame from it on) for the item's stream kept silent throughout."""
    cfg, tok = model.cfg, model.tokenizer
    q, last = item_frames(item)
    last = min(last, len(frames) - 1)
    traj = build_trajectory(cfg, item.id, frames, q, cfg.query_ids(tok, item.question, ()), {}, last, tok, item.fps)
    return q, respond_probabilities(model, traj)[0]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("model")
    ap.add_argument("items")
    ap.add_argument("--limit", type=int, default=0)
    args = ap.parse_args()
    model = StreamProSmall.from_pretrained(args.model)
    items = [it for it in load_items(args.items) if it.task == "TG"]
    items = items[: args.limit] if args.limit else items
    frames = load_frames(items, model.cfg.image_size)
    rows = []
    for i, it in enumerate(items):
        other = items[(i + len(items) // 2) % len(items)]  # another video, same question and length
        due = round(it.answers[0].time * it.fps)
        own_q, own = respond_probs(model, it, frames[it.video])
        swap = frames[other.video]
        if len(swap) < len(frames[it.video]):
            swap = np.concatenate([swap, np.repeat(swap[-1:], len(frames[it.video]) - len(swap), 0)])
        _, sw = respond_probs(model, it, swap[: len(frames[it.video])])
        rows.append((own_q, due, own, sw))
    offsets = Counter(due - q for q, due, _, _ in rows)
    mode, mode_n = offsets.most_common(1)[0]
    n = len(rows)

    def top(probs_of, tol):
        return sum(abs(r[0] + int(np.argmax(probs_of(r))) - r[1]) <= tol for r in rows) / n

    print(f"{args.model} on {n} TG questions of {args.items}")
    for tol in (0, 1):
        print(f"  top-1 within {tol} frame(s): own video {top(lambda r: r[2], tol):.2f}, "
              f"another video {top(lambda r: r[3], tol):.2f}, blind best offset (+{mode} s) "
              f"{sum(abs(due - q - mode) <= tol for q, due, _, _ in rows) / n:.2f}")
    at_due = [own[due - q] for q, due, own, _ in rows if due - q < len(own)]
    print(f"  mean P(respond) at the due frame {np.mean(at_due):.3f}; mean max P(respond) {np.mean([o.max() for _, _, o, _ in rows]):.3f}")
    print("  mean P(respond) by frame relative to the due frame (own video / another video's frames):")
    for d in range(-4, 3):
        own = [o[due - q + d] for q, due, o, _ in rows if 0 <= due - q + d < len(o)]
        sw = [w[due - q + d] for q, due, _, w in rows if 0 <= due - q + d < len(w)]
        print(f"    {d:+d}: {np.mean(own):.3f} / {np.mean(sw):.3f}  (n={len(own)})")
    first = [int(np.argmax(o >= 0.5)) if (o >= 0.5).any() else None for _, _, o, _ in rows]
    hit = sum(f is not None and abs(q + f - due) <= 0 for f, (q, due, _, _) in zip(first, rows, strict=True))
    print(f"  first frame with P >= 0.5 is the due frame: {hit}/{n}")


if __name__ == "__main__":
    main()
