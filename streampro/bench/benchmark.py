"""The benchmark interface, as lmms-eval has tasks: every benchmark is one class in ``bench/benchmarks/``.

A benchmark knows its annotation file and settings (the constructor), and implements

* ``load()`` — read the annotation into probes (StreamPro-Bench items, timed questions, polled questions);
* ``run(probes, model, out)`` — stream the videos through the model and append each probe's record to the
  run's ``predictions.jsonl`` (``runfile.RunFile``: resumable, a torn tail repaired);
* ``summarize(probes, out)`` — grade by the benchmark's own rule, write and return ``summary.json``;
* ``write_official(probes, out, model_name)`` — the benchmark's own result layout, for its scripts;
* ``table(summary)`` — the result table the CLI prints (``report_tables``);
* ``make_fixture(out, n_videos, seed)`` — a tiny folder in the benchmark's layout from the world.

:func:`run_benchmark` is the one loop that runs any of them; each CLI command is a thin wrapper that builds
the benchmark from its flags. Adding a benchmark is adding a file to ``bench/benchmarks/``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

from ..models.base import StreamingModel


class Benchmark(ABC):
    #: registry key, also the CLI command and the ``fixture`` kind
    name: ClassVar[str]
    #: one line for ``--help`` and listings
    title: ClassVar[str]
    #: the field that identifies a record in ``predictions.jsonl`` (``runfile``)
    record_key: ClassVar[str] = "id"

    @abstractmethod
    def load(self) -> list[Any]:
        """The probes of the annotation file, validated (``SchemaError`` names the file and entry)."""

    @abstractmethod
    def run(self, probes: list[Any], model: StreamingModel, out: Path, frame_size: int | None = None,
            progress: bool = True) -> None:
        """Stream and record every probe not yet in ``out``'s run file."""

    @abstractmethod
    def summarize(self, probes: list[Any], out: Path) -> dict[str, Any] | None:
        """Grade the recorded probes, write ``summary.json`` and return it (None: not this process's job, e.g.
        a non-zero rank of a sharded run)."""

    def write_official(self, probes: list[Any], out: Path, model_name: str) -> Path | None:
        """The benchmark's own result file, when it has one."""
        return None

    @abstractmethod
    def table(self, summary: dict[str, Any]) -> str:
        """The Markdown result table."""

    def model_items(self, probes: list[Any]) -> list[Any] | None:
        """What a privileged reference model (``oracle``, ``eager``) may read: StreamPro items only."""
        return None

    @staticmethod
    @abstractmethod
    def make_fixture(out: Path, n_videos: int = 2, seed: int = 0) -> Path:
        """Write a tiny folder in this benchmark's layout; returns the annotation file."""

    @classmethod
    def try_command(cls, annotation: Path) -> str:
        """The command that evaluates ``random`` on a fixture this class made (printed by ``fixture``)."""
        return f"streampro {cls.name} --model random --out runs/{cls.name}-fixture"


def run_benchmark(bench: Benchmark, model: StreamingModel | Callable[[list[Any] | None], StreamingModel], out: Path,
                  model_name: str = "model", frame_size: int | None = None, progress: bool = True
                  ) -> dict[str, Any] | None:
    """load -> run -> summarize -> official layout, for any benchmark. ``model`` may be a factory given
    :meth:`Benchmark.model_items` (reference models are built from the items they may read)."""
    probes = bench.load()
    if not isinstance(model, StreamingModel):
        model = model(bench.model_items(probes))
    out = Path(out)
    bench.run(probes, model, out, frame_size=frame_size, progress=progress)
    summary = bench.summarize(probes, out)
    if summary is not None:
        bench.write_official(probes, out, model_name)
    return summary
