"""Independent stages of one run side by side, in worker processes with one torch thread each.

Why: streaming evaluation of StreamPro-Small runs tiny forwards, frame after frame, that a second torch thread
barely speeds up, while a second process evaluating another model cuts the wall time (``reproduce``'s five
evaluations of a seed on two cores: 66 s one by one, 31 and 53 s in two workers in two runs, the same scores;
``benchmarks/parallel_stages.py``). Training is another matter: SFT's batches keep two threads busy, so
``reproduce`` trains in its own process. Each worker is a
fresh (spawned) interpreter: only a job's function and arguments cross, its result comes back pickled, and what it
writes (predictions, scores) is the same files the in-process path writes, so an interrupted run resumes either way.

This is not a distributed engine: every job is a whole, ordinary stage of its own; scale-out of one training run
stays with ``accelerate`` (``accelerate launch -m streampro.cli ...``)."""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from concurrent.futures import FIRST_EXCEPTION, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tqdm import tqdm

from ..core.errors import StreamProError

#: seconds between two looks at the jobs' files for the progress bar
POLL_SECONDS = 0.5


@dataclass
class Job:
    """One stage: ``fn(*args)`` in a worker. ``units``/``done`` feed the shared progress bar: how much work the
    stage has, and a look at its files that says how much of it is written (read in the parent, never pickled)."""

    name: str
    fn: Callable[..., Any]
    args: tuple = ()
    units: int = 1
    done: Callable[[], int] = field(default=lambda: 0)


def _one_thread() -> None:
    import torch

    torch.set_num_threads(1)


def run_jobs(jobs: list[Job], workers: int, desc: str = "stages", progress: bool = True) -> dict[str, Any]:
    """``{job.name: fn(*args)}``, with at most ``workers`` jobs running at once, one torch thread each. The first
    job to fail stops the rest at once (pending jobs are cancelled, running workers terminated: their last
    checkpoints and written predictions stay, so a rerun resumes them) and its error is raised here as the worker
    raised it; a worker that dies (killed, out of memory) is a :class:`StreamProError` saying so."""
    results: dict[str, Any] = {}
    bar = tqdm(total=sum(j.units for j in jobs), desc=f"{desc} ({min(workers, len(jobs))} processes)",
               disable=not progress)
    # spawn: no forked torch state, the same on every platform
    pool = ProcessPoolExecutor(max_workers=min(workers, len(jobs)), mp_context=multiprocessing.get_context("spawn"),
                               initializer=_one_thread)
    try:
        futures: dict[Future, Job] = {pool.submit(j.fn, *j.args): j for j in jobs}
        pending = set(futures)
        while pending:  # ends: every look either finds a job finished or waits POLL_SECONDS for one
            finished, pending = wait(pending, timeout=POLL_SECONDS, return_when=FIRST_EXCEPTION)
            for f in finished:
                results[futures[f].name] = f.result()  # a job's own error is raised as it is
            bar.n = sum(j.units if j.name in results else min(j.units, _look(j)) for j in jobs)
            bar.refresh()
    except BrokenProcessPool as e:
        _stop(pool)
        raise StreamProError(f"a worker process of '{desc}' died (killed, or out of memory?): {e}; rerun the same "
                             "command to resume, or pass --jobs 1 to run the stages one by one") from None
    except BaseException:
        _stop(pool)
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        bar.close()
    return results


def _stop(pool: ProcessPoolExecutor) -> None:
    """Terminate the pool's running workers now (shutdown alone would wait for their jobs to end, minutes for a
    long evaluation): ``terminate_workers`` where Python has it (3.14), else the pool's own table of processes."""
    stop = getattr(pool, "terminate_workers", None)
    if stop is not None:
        stop()
        return
    for proc in list((getattr(pool, "_processes", None) or {}).values()):
        proc.terminate()


def _look(job: Job) -> int:
    try:
        return job.done()
    except (OSError, ValueError):  # a file half written or not there yet
        return 0


def lines_in(path: Path) -> int:
    """Complete lines in a file (0 when it does not exist yet): a streaming run's answered questions."""
    path = Path(path)
    return path.read_bytes().count(b"\n") if path.exists() else 0
