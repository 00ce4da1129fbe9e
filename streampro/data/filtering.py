"""Stage 1, collection and filtering (paper App. A.1): keep videos with enough temporal dynamics — at
least ``min_transitions`` scene transitions and every scene at least ``min_scene_s`` long.

The paper asks a VLM (``shots="vlm"``); the fast default counts shots with PySceneDetect's content
detector over PyAV-decoded frames (``shots="scenedetect"``, the ``data`` extra). ``shots="none"`` keeps
every decodable video. Task filters: Goal Planning's steps must be distinct (checked in code on each
item, ``verify``); Risk Forecasting wants egocentric outdoor footage (a VLM check, :func:`rf_check`)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..core.errors import InputError
from ..llm.templates import fill_template
from .calls import Caller, CallFailure
from .frames import VideoFrames
from .replies import SceneCheck, Shots

SHOT_METHODS = ("scenedetect", "vlm", "none")


@dataclass(frozen=True)
class FilterSettings:
    shots: str = "scenedetect"
    min_transitions: int = 2  # the paper's threshold is not printed: ours, a setting
    min_scene_s: float = 3.0
    threshold: float = 27.0  # PySceneDetect ContentDetector's default

    def __post_init__(self):
        if self.shots not in SHOT_METHODS:
            raise InputError(f"--shots must be one of {SHOT_METHODS}, got {self.shots!r}")


def detect_shots(video: Path, duration: float, threshold: float = 27.0) -> Shots:
    """Scene transitions and the shortest scene, by PySceneDetect (decoding through PyAV)."""
    try:
        from scenedetect import ContentDetector, SceneManager, open_video
    except ImportError:
        raise InputError("--shots scenedetect needs PySceneDetect: pip install 'streampro[data]' (or --shots vlm / "
                         "none)") from None
    manager = SceneManager()
    manager.add_detector(ContentDetector(threshold=threshold))
    manager.detect_scenes(open_video(str(video), backend="pyav"), show_progress=False)
    scenes = manager.get_scene_list()
    if not scenes:  # no cut: one scene, the whole video
        return Shots(transitions=0, min_scene_s=duration)
    return Shots(transitions=len(scenes) - 1, min_scene_s=min(e.seconds - s.seconds for s, e in scenes))


def shot_stats(video: Path, duration: float, frames: VideoFrames, settings: FilterSettings, vlm: Caller | None,
               prompt: str) -> Shots | CallFailure | None:
    if settings.shots == "none":
        return None
    if settings.shots == "scenedetect":
        return detect_shots(video, duration, settings.threshold)
    assert vlm is not None
    shown = frames.spread(32)
    return vlm.ask(fill_template(prompt, duration=f"{duration:g}", n_frames=str(len(shown))), Shots, shown)


def keep_reason(stats: Shots | None, settings: FilterSettings) -> str | None:
    """None when the video passes, else why it does not."""
    if stats is None:
        return None
    if stats.transitions < settings.min_transitions:
        return f"too few scene transitions ({stats.transitions} < {settings.min_transitions})"
    if stats.transitions and stats.min_scene_s < settings.min_scene_s:
        return f"a scene is too short ({stats.min_scene_s:.1f} s < {settings.min_scene_s:g} s)"
    return None


def rf_check(vlm: Caller, prompt: str, frames: VideoFrames) -> SceneCheck | CallFailure:
    """Risk Forecasting's footage filter: egocentric and outdoor."""
    return vlm.ask(prompt, SceneCheck, frames.spread(8))
