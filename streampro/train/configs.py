"""The trainers' configs, each field's default and help written once (``core.settings.setting``): the YAML
files are validated against these fields and ``streampro train sft|grpo|perception`` generate their flags
from them. No torch here, so ``streampro --help`` stays fast."""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..core.errors import InputError
from ..core.items import TASKS
from ..core.settings import setting
from ..llm.settings import LLMSettings
from .checkpoint import YamlConfig
from .rewards import DEFAULT_WEIGHTS, REWARD_PARTS, TURN_SCORES

#: GRPO's loss aggregations, named as TRL's ``GRPOConfig.loss_type`` names them (``train.grpo.grpo_loss``)
LOSS_TYPES = ("grpo", "bnpo", "dr_grpo")


def _lora(r: int) -> dict:
    return {"r": r, "lora_alpha": 2 * r}


@dataclass
class HFOptions:
    """Trainer options that apply when the policy is an HF model (ignored for StreamPro-Small)."""

    frame_size: int | None = setting(None, "HF model: frame size in pixels (a multiple of 28 for Qwen2/2.5-VL, of 32 "
                                     "for Qwen3-VL; default: the one it was trained with, else 448)")
    dtype: str = setting("float32", "HF model: float32 | bfloat16 (GPUs)")
    lora: dict = setting({}, "HF model: train LoRA adapters of this rank (default: full fine-tuning; YAML: any "
                         "peft.LoraConfig fields)", flags=("--lora-r",), cli_type=int, convert=_lora)
    gradient_checkpointing: bool = setting(False, "HF model: recompute activations in the backward pass (less memory)")
    # the paper trains the projector and the language model: the vision tower stays frozen unless asked
    train_vision: bool = setting(False, "HF model: also train the vision tower (default: frozen; the projector and the "
                                 "language model train, as in the paper)", flags=("--train-vision",))


@dataclass
class SFTConfig(HFOptions, YamlConfig):
    base: str = setting("small", "model to train: small (StreamPro-Small) | hf:PATH (Qwen2-VL/2.5-VL/3-VL folder)")
    train: str = setting("data/train/items.jsonl", "training items.jsonl (world train split)")
    out: str = setting("runs/sft", "run folder: checkpoints, log.jsonl, final/")
    loss: str = setting("cb", "cb (CB-Stream) | ce (plain cross-entropy) | focal (Streamo)")
    beta: float = setting(0.9999, "effective-number beta of CB-Stream (paper: 0.9999)")
    lambda_text: float = setting(2.0, "CB-Stream weight of text tokens (paper: 2)")
    gamma: float = setting(2.0, "focal loss exponent")
    focal_alpha: bool = setting(True, "focal loss: Streamo's inverse-frequency class balance of the decision tokens")
    steps: int = setting(800, "optimizer steps")
    batch_size: int = setting(16, "global batch size")
    lr: float = setting(2e-3, "peak learning rate (default 2e-3 for StreamPro-Small; 1e-5, the paper's, for an hf: "
                        "base without a config)")
    weight_decay: float = setting(0.01, "AdamW weight decay")
    warmup: int = setting(30, "linear warm-up steps")
    seed: int = setting(0, "seed")
    save_every: int = setting(100, "steps between checkpoints (a rerun resumes from the newest)")
    log_every: int = setting(10, "steps between log.jsonl lines")
    tensorboard: bool = setting(False, "also log to TensorBoard")
    model: dict = setting({}, "StreamPro-Small: SmallConfig overrides (YAML only)", cli=False)
    group_by_length: bool = setting(False, "batches of streams of similar length (random groups of 8 batches sorted by "
                                    "length; less padding, faster steps; reproduce's default)")
    freeze_encoder: bool = setting(False, "StreamPro-Small: keep the frame encoder fixed (after `train perception`) "
                                   "and read its features from a cache")
    tasks: list = setting([], "train on this task only (repeatable; default: all). The paper's SFT: --task EU --task OU "
                          "--task TP --task TG", flags=("--task",))
    motion_aux: float = setting(0.0, "StreamPro-Small on world data: weight of an auxiliary target, the motion of the "
                                "object the question names at each decision (from the simulator); 0: off, the paper's "
                                "loss (docs/training.md)")

    def validate(self, where: str) -> None:
        """The model overrides must be SmallConfig fields that make a model (a head count that divides
        d_model, sizes >= 1), refused before anything is built."""
        from ..models.small import SmallConfig
        from .checkpoint import check_fields

        if not isinstance(self.model, dict):
            raise InputError(f"{where}: 'model' must map SmallConfig fields to values, got {self.model!r}")
        check_fields(SmallConfig, self.model, f"{where}: model")
        m = SmallConfig(**self.model)
        for key in ("d_model", "n_layers", "n_heads", "image_size", "grid", "max_answer_tokens"):
            if getattr(m, key) < 1:
                raise InputError(f"{where}: model.{key} must be >= 1, got {getattr(m, key)}")
        if not self.motion_aux >= 0:
            raise InputError(f"{where}: motion_aux must be >= 0, got {self.motion_aux}")
        if m.d_model % m.n_heads:
            raise InputError(f"{where}: model.d_model ({m.d_model}) must be a multiple of model.n_heads ({m.n_heads})")


@dataclass
class GRPOConfig(HFOptions, LLMSettings, YamlConfig):
    init: str = setting("runs/sft/final", "SFT model folder (StreamPro-Small or HF, detected) or hf:PATH; also the KL "
                        "reference")
    train: str = setting("data/train/items.jsonl", "training items.jsonl")
    out: str = setting("runs/grpo", "run folder")
    steps: int = setting(30, "GRPO steps")
    items_per_step: int = setting(4, "streams per step (each gets group_size rollouts)")
    group_size: int = setting(8, "rollouts per stream+question (G; the paper's 8)")
    lr: float = setting(3e-4, "learning rate (default 3e-4 for StreamPro-Small; 1e-6, the paper's, for an HF model "
                        "without a config)")
    clip_eps: float = setting(0.2, "PPO-style ratio clip")
    kl_beta: float = setting(0.04, "KL penalty weight (0: none, as MMDuet2)")
    temperature: float = setting(1.0, "sampling temperature of the rollouts")
    decision_sampling: str = setting("pair", "HF model: rollout decisions from the two decision tokens (pair) | the whole "
                                     "vocabulary (full: the format reward can fail); StreamPro-Small always samples the pair")
    val: str | None = setting(None, "a val items.jsonl: StreamPro-F1 on it every --eval-every steps (learning curves in "
                              "log.jsonl and curves.png); never the test split")
    eval_every: int = setting(0, "steps between two validation passes (0: none)")
    inner_epochs: int = setting(1, "optimizer passes over each step's rollouts")
    scale_rewards: bool = setting(True, "divide each group's centred rewards by their std (GRPO, the paper's); "
                                  "--no-scale-rewards only centres them (Dr. GRPO)")
    loss_type: str = setting("grpo", "loss aggregation over action tokens, as TRL names it: grpo (mean per rollout, "
                             "then over rollouts) | bnpo (mean over the batch's tokens) | dr_grpo (sum / rollouts x "
                             "longest)")
    credit: str = setting("trajectory", "which advantage each action token gets: trajectory (the paper's GRPO: its "
                          "rollout's, R - group mean) | tree (ours: R - the mean over the group's rollouts that took the "
                          "same actions before it, i.e. stood in the same state) | response (ours: trajectory, plus "
                          "on each matched response's words its S_acc minus the group's mean S_acc for the same answer)")
    response_credit: float = setting(1.0, "credit: response: the weight of a response's own content term")
    seed: int = setting(0, "seed")
    save_every: int = setting(10, "steps between checkpoints (a rerun resumes from the newest)")
    log_every: int = setting(1, "steps between log.jsonl lines")
    tensorboard: bool = setting(False, "also log to TensorBoard")
    reward_weights: dict = setting(dict(DEFAULT_WEIGHTS), "weights of the format / turn / trajectory rewards (YAML only; "
                                   "the paper's 0.1 / 0.45 / 0.45; f1: the rollout's own StreamPro-F1, a diagnostic, "
                                   "not the paper's)", cli=False)
    reward_tau: float = setting(8.0, "the turn-level reward's single tau (paper ablation: 3 vs 8)")
    matching: str = setting("gt_first", "turn-level matching: gt_first (the paper's) | pred_first")
    turn_score: str = setting("sum", "a matched step's turn-reward score: sum = S_time + S_acc (the paper's S') | "
                              "product = 2 S_time S_acc (StreamPro-F1's S on the same range; not the paper's)")
    freeze_encoder: bool = setting(False, "StreamPro-Small: keep the perception-pretrained frame encoder fixed, as in SFT")
    tasks: list = setting([], "train on this task only (repeatable; default: all). The paper's RL: EU OU AA TP TG GP "
                          "(no RF)", flags=("--task",))
    task_weights: dict = setting({}, "the RL data mix, which the paper does not give (YAML only): task -> weight "
                                 "scaling each of its questions' chance to be drawn for a step (a task not named "
                                 "keeps 1; {}: every question alike)", cli=False)
    judge: str = setting("rule", "turn reward's content judge: rule (world data) | exact | llm")
    rubric: str = setting("world", "trajectory rubric: world (checks from the ground truth) | llm (designed and graded "
                          "by the LLM: real data)")
    judge_prompt: str | None = setting(None, "llm judge: prompt template file (default: the package's)")
    rubric_design_prompt: str | None = setting(None, "llm rubric: the prompt that designs the checks (default: the package's)")
    rubric_grade_prompt: str | None = setting(None, "llm rubric: the prompt that grades them (default: the package's)")

    def validate(self, where: str) -> None:
        """Settings that would crash mid-run or train nothing, refused before any model loads."""
        if self.decision_sampling not in ("pair", "full"):
            raise InputError(f"{where}: 'decision_sampling' must be 'pair' or 'full', got {self.decision_sampling!r}")
        if not (math.isfinite(self.temperature) and self.temperature > 0):
            raise InputError(f"{where}: 'temperature' must be > 0 (rollouts are sampled), got {self.temperature!r}")
        for name, field, known in (("reward", "reward_weights", REWARD_PARTS), ("task", "task_weights", TASKS)):
            table = getattr(self, field)
            if not isinstance(table, dict):
                raise InputError(f"{where}: {field!r} must map {name} names to weights, got {table!r}")
            unknown = sorted(set(table) - set(known))
            if unknown:
                raise InputError(f"{where}: unknown {name}(s) {unknown} in {field!r}; known: {sorted(known)}")
            for k, w in table.items():
                if isinstance(w, bool) or not isinstance(w, int | float) or not math.isfinite(w) or w < 0:
                    raise InputError(f"{where}: {name} weight {k!r} must be a finite number >= 0, got {w!r}")
        if not (math.isfinite(self.response_credit) and self.response_credit >= 0):
            raise InputError(f"{where}: 'response_credit' must be >= 0, got {self.response_credit!r}")
        for key, low in (("clip_eps", 0.0), ("reward_tau", 0.0)):
            v = getattr(self, key)
            if not (math.isfinite(v) and v > low):
                raise InputError(f"{where}: {key!r} must be > {low}, got {v!r}")
        if not (math.isfinite(self.kl_beta) and self.kl_beta >= 0):
            raise InputError(f"{where}: 'kl_beta' must be >= 0, got {self.kl_beta!r}")
        for key, allowed in (("matching", ("gt_first", "pred_first")), ("turn_score", TURN_SCORES),
                             ("judge", ("exact", "rule", "llm")),
                             ("rubric", ("world", "llm")), ("loss_type", LOSS_TYPES),
                             ("credit", ("trajectory", "tree", "response"))):
            if getattr(self, key) not in allowed:
                raise InputError(f"{where}: {key!r} must be one of {allowed}, got {getattr(self, key)!r}")
        self.check_llm(where)


@dataclass
class PerceptionConfig(YamlConfig):
    train: str = setting("data/train/items.jsonl", "training items.jsonl of generated world videos")
    val: str | None = setting(None, "held-out items.jsonl for the probe table (e.g. the val split)")
    out: str = setting("runs/perception", "run folder: final/ (a StreamPro-Small to SFT from) and probe.json")
    image_size: int = setting(64, "frame size the encoder sees (the world's frames are 64 px)")
    steps: int = setting(600, "optimizer steps")
    batch_size: int = setting(128, "frames per batch")
    lr: float = setting(2e-3, "learning rate")
    seed: int = setting(0, "seed")
    model: dict | None = setting(None, "SmallConfig overrides (YAML only)", cli=False)
