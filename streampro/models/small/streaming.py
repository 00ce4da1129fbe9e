"""StreamPro-Small as a :class:`StreamingModel`: frames in, decisions and answers out, with a forked KV cache
per query and a sliding window. ``model`` is a :class:`~streampro.models.small.modeling.StreamProSmall`."""

from __future__ import annotations

import re

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from ...core.text import parse_choice
from ...core.types import Frame, Query, Response
from ..base import StreamingModel
from .config import Cache, query_token_ids, resize_frame


class _QueryStream:
    """A KV cache and the input embeddings it was built from, turn by turn (``[embeds, pinned]``), so
    that the sliding window can rebuild it from the turns it keeps. The prompt and the query are pinned."""

    def __init__(self, cache: Cache | None, length: int, turns: list[list] | None = None):
        self.cache, self.length = cache, length
        self.turns: list[list] = turns if turns is not None else []

    def record(self, x: torch.Tensor, new_turn: bool, pinned: bool = False) -> None:
        if new_turn or not self.turns:
            self.turns.append([x, pinned])
        else:
            self.turns[-1][0] = torch.cat([self.turns[-1][0], x], 1)


class SmallStreamer(StreamingModel):
    """Streams frames through StreamPro-Small with a KV cache.

    A base stream consumes frames before any query; when a query is posted the base cache is *forked*
    (tensors shared by reference, new tokens concatenated), so every query of a video reuses the one
    pass over the frames before it, and each frame is encoded by the CNN once for all queries.
    ``sample=True`` draws decisions and answers from the policy (GRPO rollouts); otherwise greedy.
    """

    name = "streampro-small"

    def __init__(self, model: nn.Module, seed: int = 0, sample: bool = False, temperature: float = 1.0,
                 respond_threshold: float = 0.5, window_frames: int | None = None):
        self.model = model.eval()
        self.cfg = model.cfg
        self.seed, self.sample, self.temperature, self.threshold = seed, sample, temperature, respond_threshold
        self.window_frames = window_frames
        self.gen = torch.Generator().manual_seed(seed)
        # answers may use words and <eos>, never control tokens (a sampled <frame> would corrupt the layout)
        c = self.cfg
        self.answer_mask = torch.zeros(c.vocab_size, dtype=torch.bool)
        self.answer_mask[[c.pad_id, c.bos_id, c.silence_id, c.respond_id, c.query_id, c.opts_id, c.eoq_id, c.frame_id, c.unk_id]] = True
        self.trace: dict[str, list[tuple[int, list[int]]]] = {}  # query -> [(frame index, action token ids)]
        self._prev: torch.Tensor | None = None

    def spawn(self) -> SmallStreamer:
        return SmallStreamer(self.model, self.seed, self.sample, self.temperature, self.threshold, self.window_frames)

    @torch.no_grad()
    def _extend(self, stream: _QueryStream, x: torch.Tensor, new_turn: bool = False, pinned: bool = False) -> torch.Tensor:
        logits, stream.cache = self.model.forward_embeds(x, stream.length, stream.cache)
        stream.length += x.shape[1]
        if self.window_frames is not None:
            stream.record(x, new_turn, pinned)
        return logits[0, -1]

    @torch.no_grad()
    def _slide(self, stream: _QueryStream) -> None:
        """The sliding window. Positions are learned (at most ``max_positions``), so evicted turns cannot
        simply be cut out of the cache as in the HF adapter: once a stream holds ``2 * window_frames``
        frame turns (or nears ``max_positions``), its cache is rebuilt from the pinned prompt and query and
        the last ``window_frames`` turns, positions from 0 — one extra forward per ``window_frames``
        frames, and memory between W and 2W turns for as long as the stream runs."""
        if self.window_frames is None:
            return
        free = [i for i, (_, pinned) in enumerate(stream.turns) if not pinned]
        if len(free) <= 2 * self.window_frames and stream.length + 64 <= self.cfg.max_positions:
            return
        drop = set(free[: len(free) - self.window_frames])
        stream.turns = [t for i, t in enumerate(stream.turns) if i not in drop]
        x = torch.cat([t[0] for t in stream.turns], 1)
        _, stream.cache = self.model.forward_embeds(x, 0, None)
        stream.length = x.shape[1]

    def _tok(self, ids: list[int]) -> torch.Tensor:
        return self.model.tok(torch.tensor([ids]))

    def reset(self, info) -> None:
        super().reset(info)
        self.base = _QueryStream(None, 0)
        self._extend(self.base, self._tok([self.cfg.bos_id]), pinned=True)
        self.streams: dict[str, _QueryStream] = {}
        self.trace = {}
        self._prev: torch.Tensor | None = None  # the last frame's visual tokens (motion models)

    def add_query(self, query: Query) -> None:
        if self.base is None:
            raise RuntimeError("add_query after no_more_queries(): the stream the query would fork from is gone")
        super().add_query(query)
        s = _QueryStream(list(self.base.cache), self.base.length, [list(t) for t in self.base.turns])
        self._extend(s, self._tok(query_token_ids(self.model.tokenizer, self.cfg, query.question, query.options)),
                     new_turn=True, pinned=True)
        self.streams[query.id] = s
        self.trace[query.id] = []

    def close_query(self, query_id: str) -> None:
        super().close_query(query_id)
        self.streams.pop(query_id, None)

    def no_more_queries(self) -> None:
        """The base stream only serves forks for later queries: with none to come, stop stepping it (half
        the transformer rows per frame for a video with one question, as in every GRPO rollout)."""
        self.base = None

    def _choose(self, logits: torch.Tensor, allowed: list[int] | None = None) -> int:
        if allowed is None:
            logits = logits.masked_fill(self.answer_mask, float("-inf"))
        if allowed is not None:
            sub = logits[allowed]
            if self.sample:
                return allowed[int(torch.multinomial(F.softmax(sub / self.temperature, -1), 1, generator=self.gen))]
            return allowed[int(sub.argmax())]
        if self.sample:
            return int(torch.multinomial(F.softmax(logits / self.temperature, -1), 1, generator=self.gen))
        return int(logits.argmax())

    def _decide(self, logits: torch.Tensor) -> int:
        if self.sample:
            return self._choose(logits, [self.cfg.silence_id, self.cfg.respond_id])
        p = F.softmax(logits[[self.cfg.silence_id, self.cfg.respond_id]], -1)[1]
        return self.cfg.respond_id if p >= self.threshold else self.cfg.silence_id

    def _act(self, qid: str, s: _QueryStream, frame: Frame, dec: int, logits: torch.Tensor) -> Response | None:
        """After the decision token is in the cache (``logits`` follow it): decode the answer if it was
        ``</Response>``, record the turn's actions, apply the window."""
        actions = [dec]
        out = None
        if dec == self.cfg.respond_id:
            answer = []
            for _ in range(self.cfg.max_answer_tokens):
                nxt = self._choose(logits)
                actions.append(nxt)
                logits = self._extend(s, self._tok([nxt]))
                if nxt == self.cfg.eos_id:
                    break
                answer.append(nxt)
            out = Response(qid, self.model.tokenizer.decode(answer), cut=actions[-1] != self.cfg.eos_id)
        if self.record_trace:
            self.trace[qid].append((frame.index, actions))
        self._slide(s)
        return out

    def _frame_tokens(self, frames: list[Frame]) -> torch.Tensor:
        pix = np.stack([resize_frame(f.pixels, self.cfg.image_size) for f in frames])
        return self.model.project(self.model.encoder(torch.from_numpy(pix)))  # [N, g*g, d]

    def _with_motion(self, visual: torch.Tensor) -> torch.Tensor:
        """This frame's tokens [1, g*g, d] with the model's motion term (``SmallConfig.motion``) against the
        previous frame this streamer saw, as training lays it out."""
        if self.model.motion is None:
            return visual
        out = self.model.add_motion(visual, visual if self._prev is None else self._prev)
        self._prev = visual
        return out

    @torch.no_grad()
    def step(self, frame: Frame) -> list[Response]:
        visual = self._with_motion(self._frame_tokens([frame]))  # [1, g*g, d], shared by every stream
        if self.base is not None:
            self._extend(self.base, visual, new_turn=True)
            self._slide(self.base)
        out = []
        for qid, s in self.streams.items():
            dec = self._decide(self._extend(s, visual, new_turn=True))
            r = self._act(qid, s, frame, dec, self._extend(s, self._tok([dec])))
            if r is not None:
                out.append(r)
        return out

    @staticmethod
    @torch.no_grad()
    def step_batch(streamers: list[SmallStreamer], frames: list[Frame]) -> list[list[Response]]:
        """``[m.step(f) for m, f in zip(streamers, frames)]`` in batched passes, for streamers that share
        one network (a server's sessions): one CNN call for all frames, one transformer pass for every
        stream's frame tokens, one for every open query's decision token; answers are then decoded
        stream by stream (they are rare). Same decisions and answers as stepping one by one (tested)."""
        model = streamers[0].model
        if any(m.model is not model for m in streamers):
            return [m.step(f) for m, f in zip(streamers, frames, strict=True)]
        # each distinct frame through the CNN once (a GRPO group's G streams share every frame)
        distinct = {id(f): f for f in frames}
        slot = {key: n for n, key in enumerate(distinct)}
        visual = streamers[0]._frame_tokens(list(distinct.values()))[[slot[id(f)] for f in frames]]
        if model.motion is not None:
            visual = torch.cat([m._with_motion(visual[i : i + 1]) for i, m in enumerate(streamers)])
        rows = [(i, qid, s) for i, m in enumerate(streamers)
                for qid, s in [*([(None, m.base)] if m.base is not None else []), *m.streams.items()]]
        if not rows:
            return [[] for _ in streamers]
        x = visual[[i for i, _, _ in rows]]
        logits, caches = model.forward_ragged(x, [s.cache for _, _, s in rows])
        for (i, _, s), c, xb in zip(rows, caches, x, strict=True):
            s.cache, s.length = c, s.length + xb.shape[0]
            if streamers[i].window_frames is not None:
                s.record(xb[None], new_turn=True)
        queries = [(i, qid, s, streamers[i]._decide(logits[r, -1])) for r, (i, qid, s) in enumerate(rows) if qid]
        out: list[list[Response]] = [[] for _ in streamers]
        if queries:
            x = model.tok(torch.tensor([[dec] for *_, dec in queries]))
            logits, caches = model.forward_ragged(x, [s.cache for _, _, s, _ in queries])
            for r, ((i, qid, s, dec), c) in enumerate(zip(queries, caches, strict=True)):
                s.cache, s.length = c, s.length + 1
                if streamers[i].window_frames is not None:
                    s.record(x[r : r + 1], new_turn=False)
                resp = streamers[i]._act(qid, s, frames[i], dec, logits[r, -1])
                if resp is not None:
                    out[i].append(resp)
        for m in streamers:
            if m.base is not None:
                m._slide(m.base)
        return out

    def answer_now(self, query: Query) -> str:
        """Forced answer: post the query, then force <respond> and decode greedily. Lettered options
        ("B. red", as in StreamingBench) are shown without letters and the reply is the chosen letter,
        since a benchmark prompt asking for the letter is not something this small model can read."""
        lettered = [re.match(r"^\(?([A-Z])[.)]\s*(.*)$", o) for o in query.options]
        if query.options and all(lettered):
            bare = tuple(m.group(2) for m in lettered)
            text = self._answer(Query(query.id, query.question, bare, query.time, query.task))
            idx = parse_choice(text, bare)
            return lettered[idx].group(1) if idx is not None else text
        return self._answer(query)

    def _answer(self, query: Query) -> str:
        self.add_query(query)
        s = self.streams[query.id]
        logits = self._extend(s, self._tok([self.cfg.respond_id]))
        answer = []
        for _ in range(self.cfg.max_answer_tokens):
            nxt = self._choose(logits)
            if nxt == self.cfg.eos_id:
                break
            answer.append(nxt)
            logits = self._extend(s, self._tok([nxt]))
        self.close_query(query.id)
        return self.model.tokenizer.decode(answer)
