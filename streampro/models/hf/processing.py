"""Qwen frame processing without torchvision: the processors' ``smart_resize`` (aspect kept, about
``frame_size**2`` pixels), the model's pixel normalisation and the patch layout of
``Qwen2VLImageProcessorPil`` (equal to its output, tested).
"""

from __future__ import annotations

import numpy as np
import torch

CLIP_MEAN = np.array([0.48145466, 0.4578275, 0.40821073], dtype=np.float32)
CLIP_STD = np.array([0.26862954, 0.26130258, 0.27577711], dtype=np.float32)
#: per-architecture pixel normalisation, as each family's image processor does it (Qwen3-VL: 0.5/0.5)
PIXEL_NORM = {"qwen3_vl": (np.full(3, 0.5, np.float32), np.full(3, 0.5, np.float32))}

def qwen_resize(pixels: np.ndarray, frame_size: int, factor: int) -> np.ndarray:
    """Resize a frame as the Qwen processors do (their ``smart_resize``, bicubic): keep the aspect
    ratio, both sides multiples of ``factor`` (patch * merge), with the pixel budget fixed at about
    ``frame_size**2`` — up or down — so every frame costs the same tokens whatever the video's
    resolution, and a model trained on ``frame_size`` frames sees the same grid when streaming."""
    from PIL import Image

    # transformers exports no public smart_resize: this module path is the processor's own (PIL, no torchvision)
    from transformers.models.qwen2_vl.image_processing_pil_qwen2_vl import smart_resize

    h, w = pixels.shape[:2]
    budget = frame_size * frame_size
    nh, nw = smart_resize(h, w, factor=factor, min_pixels=budget, max_pixels=budget)
    if (nh, nw) == (h, w):
        return pixels
    return np.asarray(Image.fromarray(pixels).resize((nw, nh), Image.Resampling.BICUBIC))


def pixel_norm(config) -> tuple[np.ndarray, np.ndarray]:
    """(mean, std) the model's own processor normalises with: CLIP's for Qwen2/2.5-VL, 0.5 for Qwen3-VL."""
    return PIXEL_NORM.get(getattr(config, "model_type", ""), (CLIP_MEAN, CLIP_STD))


def patchify(frames: np.ndarray, patch: int, merge: int, temporal: int,
             norm: tuple[np.ndarray, np.ndarray] = (CLIP_MEAN, CLIP_STD)) -> tuple[torch.Tensor, torch.Tensor]:
    """[T, H, W, 3] uint8 -> (pixel_values [t*h*w, 3*temporal*patch*patch], grid_thw [1, 3]) in Qwen's layout."""
    x = (frames.astype(np.float32) / 255.0 - norm[0]) / norm[1]
    x = x.transpose(0, 3, 1, 2)  # T, C, H, W
    if x.shape[0] % temporal:
        x = np.concatenate([x, np.repeat(x[-1:], temporal - x.shape[0] % temporal, 0)])
    T, C, H, W = x.shape
    if H % (patch * merge) or W % (patch * merge):
        raise ValueError(f"frame size {H}x{W} must be a multiple of patch*merge={patch * merge}")
    gt, gh, gw = T // temporal, H // patch, W // patch
    x = x.reshape(gt, temporal, C, gh // merge, merge, patch, gw // merge, merge, patch)
    x = x.transpose(0, 3, 6, 4, 7, 2, 1, 5, 8).reshape(gt * gh * gw, C * temporal * patch * patch)
    return torch.from_numpy(np.ascontiguousarray(x)), torch.tensor([[gt, gh, gw]])
