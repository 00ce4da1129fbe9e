"""When do models answer Temporal Grounding? Greedy response times relative to each TG answer's best time
(the movement's end), on a TG-only items file. Issue 18: GRPO moves TG answers out of the [-3 s, +3 s] window.
Also the correlation of each question's first response time with its movement's end: near 0, the model answers
at a time that does not depend on the video (round 6: SFT-CB's is 0.06).

    python docs/measured/sft-data-and-tg/tg_response_times.py ITEMS.jsonl MODEL_DIR [MODEL_DIR ...]
"""

import sys

import numpy as np

from streampro.bench.evaluate import item_query
from streampro.bench.protocol import StreamQuery, run_stream
from streampro.data.schema import load_items
from streampro.models.registry import build_model


def main(items_path: str, models: list[str]) -> None:
    items = [it for it in load_items(items_path) if it.task == "TG"]
    for path in models:
        model = build_model(f"small:{path}", items)
        offsets, silent, pairs = [], 0, []
        for it in items:
            out = run_stream(model, it.video, it.fps, it.duration, [StreamQuery(item_query(it), it.duration + 1)])
            responses = out.get(it.id, [])
            silent += not responses
            offsets += [r.time - it.answers[0].best[1] for r in responses]
            pairs += [(responses[0].time, it.answers[0].span[1])] if responses else []
        pct = np.percentile(offsets, [10, 25, 50, 75, 90]) if offsets else []
        inside = np.mean([-3 <= o <= 3 for o in offsets]) if offsets else 0.0
        print(f"{path}: {len(items)} TG questions, {len(offsets)} responses, {silent} silent; offset from the end "
              f"(s) p10/p25/p50/p75/p90 = {' / '.join(f'{x:+.1f}' for x in pct)}; inside [-3, +3]: {100 * inside:.0f} %; "
              f"r(first response, movement end) = {np.corrcoef(np.array(pairs).T)[0, 1]:.2f}")


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2:])
