"""An HF model behind the trainers' interface (SFT and GRPO), and the trajectory layout it trains in.
"""

from __future__ import annotations

import copy
import json
from dataclasses import asdict, dataclass
from pathlib import Path

import torch

from ..base import frame_label
from .config import LAYOUT_TOKENS, STREAM_CONFIG_FILE, HFStreamConfig, query_text, saved_stream_config
from .loading import add_stream_tokens, load_hf
from .processing import patchify, pixel_norm
from .streaming import HFStreamingModel


@dataclass
class HFLayout:
    """The trajectory layout of an HF model (same attribute names as ``SmallConfig``), so
    ``streampro.train.trajectory`` and the losses apply unchanged. The preamble and the query text are
    exactly what :class:`HFStreamingModel` feeds, so a trained model streams in the layout it learned."""

    tokens_per_frame: int
    image_size: int
    pad_id: int
    eos_id: int
    silence_id: int
    respond_id: int
    frame_id: int  # placeholder of visual positions; replaced by the vision chunk in ``HFPolicy.forward``
    preamble: tuple[int, ...]
    max_answer_tokens: int = 8
    frame_labels: bool = True

    def query_ids(self, tokenizer, question: str, options: tuple[str, ...] | list[str]) -> list[int]:
        return tokenizer.encode(query_text(question, options), add_special_tokens=False).ids

    def frame_label_ids(self, tokenizer, k: int, fps: float) -> list[int]:
        """Text tokens before frame ``k``: the same ``<Xs-Ys>`` the streamer feeds."""
        return tokenizer.encode(frame_label(k / fps, fps), add_special_tokens=False).ids if self.frame_labels else []


def is_vision_tower(name: str) -> bool:
    """A parameter of the ViT itself, not of its projector into the language model (Qwen2/2.5-VL's
    ``visual.merger``; Qwen3-VL's ``visual.merger`` and ``visual.deepstack_merger_list``)."""
    return "visual." in name and "merger" not in name


class HFPolicy(torch.nn.Module):
    """A Qwen2-VL-family model behind the trainers' interface: ``policy(tokens, is_visual, frames) -> logits``.

    Every frame block of the layout (``tokens_per_frame`` placeholders) becomes
    ``<|vision_start|> <|video_pad|> x n <|vision_end|>`` with that frame's patches; the model computes
    mRoPE positions itself (``get_rope_index``) over the padded batch. ``streamer()`` gives the
    :class:`HFStreamingModel` of the same weights and layout, for evaluation and GRPO rollouts.
    """

    def __init__(self, model, hf_tokenizer, frame_size: int | None = None, stream: HFStreamConfig | None = None):
        super().__init__()
        missing = [t for t in LAYOUT_TOKENS if t not in hf_tokenizer.get_vocab()]
        if missing:
            hf_tokenizer.add_special_tokens({"additional_special_tokens": missing})
        add_stream_tokens(model, hf_tokenizer)
        self.model, self.hf_tokenizer = model, hf_tokenizer
        self.tokenizer = hf_tokenizer.backend_tokenizer  # `.encode(text).ids`, as the layout code expects
        self.stream = stream or HFStreamConfig()
        if frame_size:
            self.stream.frame_size = frame_size
        frame_size = self.stream.frame_size
        vc = model.config.vision_config
        self.patch, self.merge, self.temporal = vc.patch_size, vc.spatial_merge_size, vc.temporal_patch_size
        self.norm = pixel_norm(model.config)
        if frame_size % (self.patch * self.merge):
            raise ValueError(f"frame_size {frame_size} must be a multiple of patch*merge={self.patch * self.merge}")
        self.n_visual = (frame_size // self.patch) ** 2 // self.merge**2
        ids = hf_tokenizer.convert_tokens_to_ids
        preamble = tuple(hf_tokenizer.encode(self.stream.system_prompt, add_special_tokens=False))
        self.cfg = HFLayout(tokens_per_frame=self.n_visual + 2, image_size=frame_size, pad_id=hf_tokenizer.pad_token_id,
                            eos_id=ids("<|im_end|>"), silence_id=ids("</Silence>"), respond_id=ids("</Response>"),
                            frame_id=ids("<frame>"), preamble=preamble, max_answer_tokens=self.stream.max_new_tokens,
                            frame_labels=self.stream.frame_labels)

    @classmethod
    def from_pretrained(cls, path: str | Path, frame_size: int | None = None, dtype: str = "float32",
                        lora: dict | None = None, gradient_checkpointing: bool = False,
                        train_vision: bool = False) -> HFPolicy:
        """Load for training (a model saved by ``streampro train`` keeps its stream settings).
        ``lora`` (``peft.LoraConfig`` fields) trains adapters on the language model plus the rows of the
        added stream tokens; without it the language model and the projector are fine-tuned, and the
        vision tower too only with ``train_vision`` (the paper trains the projector and the LLM)."""
        tok, model = load_hf(path, dtype)
        if gradient_checkpointing:
            model.gradient_checkpointing_enable()
        if not train_vision:
            for name, param in model.named_parameters():
                if is_vision_tower(name):
                    param.requires_grad_(False)
        policy = cls(model, tok, frame_size, saved_stream_config(path))
        if lora:
            try:
                from peft import LoraConfig, get_peft_model
            except ImportError:
                raise ImportError("LoRA needs peft: pip install 'streampro[hf]' (or pip install peft)") from None

            kw = {"r": 16, "lora_alpha": 32, "lora_dropout": 0.0,
                  "target_modules": r".*language_model.*\.(q_proj|k_proj|v_proj|o_proj)", **lora}
            # the added tokens' rows must learn too: input embeddings, and the output rows unless tied
            new_rows = tok.convert_tokens_to_ids(list(LAYOUT_TOKENS))
            tied = model.get_output_embeddings().weight is model.get_input_embeddings().weight
            kw.setdefault("trainable_token_indices", {"embed_tokens": new_rows, **({} if tied else {"lm_head": new_rows})})
            policy.model = get_peft_model(model, LoraConfig(**kw))
        return policy

    def streamer(self, **overrides) -> HFStreamingModel:
        cfg = HFStreamConfig(**{**asdict(self.stream), **overrides})
        return HFStreamingModel(self.model, self.hf_tokenizer, cfg)

    def save_pretrained(self, directory: str | Path) -> None:
        """A plain ``from_pretrained`` folder (LoRA merged in), its tokenizer with the added tokens, and
        ``streampro.json`` with the stream settings, so ``hf:DIR`` streams as trained."""
        model = self.model
        if hasattr(model, "merge_and_unload"):
            model = copy.deepcopy(model).merge_and_unload()
        model.save_pretrained(directory)
        self.hf_tokenizer.save_pretrained(directory)
        keep = {k: v for k, v in asdict(self.stream).items() if k not in ("sample", "temperature", "seed")}
        (Path(directory) / STREAM_CONFIG_FILE).write_text(json.dumps(keep, indent=2))

    def forward(self, tokens: torch.Tensor, is_visual: torch.Tensor, frames: torch.Tensor) -> torch.Tensor:
        mc = self.model.config
        ids = tokens.clone()
        pos = is_visual.nonzero()  # row-major: frame blocks in the order their frames are stacked
        blocks = pos.view(-1, self.cfg.tokens_per_frame, 2)
        if len(blocks) != len(frames):
            raise ValueError(f"{len(blocks)} frame blocks in the layout but {len(frames)} frames")
        b, start = blocks[:, 0, 0], blocks[:, 0, 1]
        ids[b, start] = mc.vision_start_token_id
        ids[b, start + self.cfg.tokens_per_frame - 1] = mc.vision_end_token_id
        for j in range(1, self.cfg.tokens_per_frame - 1):
            ids[b, start + j] = mc.video_token_id
        arr = frames.cpu().numpy()
        # each frame is its own chunk, repeated to fill the temporal patch (as in streaming)
        chunks = [patchify(arr[i : i + 1], self.patch, self.merge, self.temporal, self.norm) for i in range(len(arr))]
        out = self.model(input_ids=ids, attention_mask=(tokens != self.cfg.pad_id).long(),
                         pixel_values_videos=torch.cat([c[0] for c in chunks]).to(self.model.dtype),
                         video_grid_thw=torch.cat([c[1] for c in chunks]),
                         mm_token_type_ids=(ids == mc.video_token_id).int() * 2)
        return out.logits


#: the paper's decision-tree prompt for offline VideoLLMs (§1 Protocol), asked after every frame
