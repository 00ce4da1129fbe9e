"""The benchmark registry: every module here defines one :class:`~streampro.bench.benchmark.Benchmark`
subclass, found by scanning this folder (as lmms-eval finds its tasks), so adding a benchmark is adding a file."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from functools import cache

from ...core.errors import InputError
from ..benchmark import Benchmark


@cache
def registry() -> dict[str, type[Benchmark]]:
    """``name -> class`` of every benchmark in this folder, in file-name order."""
    found: dict[str, type[Benchmark]] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, Benchmark) and not inspect.isabstract(cls) and cls.__module__ == module.__name__:
                found[cls.name] = cls
    return found


def get_benchmark(name: str) -> type[Benchmark]:
    try:
        return registry()[name]
    except KeyError:
        raise InputError(f"unknown benchmark {name!r}; choose from {sorted(registry())}") from None
