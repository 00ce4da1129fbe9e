"""The package's floors, kept: no import cycle, no import that runs back up, no module over 400 lines.

Floors, bottom to top (a module may import its own package and any lower floor, lazily or not):
core < world, llm, web < models < data < bench < train < serve, arena, integrations < cli.
"""

import ast
from pathlib import Path

import streampro

ROOT = Path(streampro.__file__).parent
FLOOR = {"core": 0, "world": 1, "llm": 1, "web": 1, "models": 2, "data": 3, "bench": 4, "train": 5, "serve": 6,
         "arena": 6, "integrations": 6, "cli": 7, "cli_common": 7, "__main__": 8}


def _modules() -> dict[str, Path]:
    out = {}
    for p in ROOT.rglob("*.py"):
        name = ".".join(("streampro", *p.relative_to(ROOT).with_suffix("").parts))
        out[name.removesuffix(".__init__")] = p
    return out


def _imports(mods: dict[str, Path]) -> dict[str, set[str]]:
    """Every streampro module each module imports, at any depth of the file (lazy imports count too)."""
    graph: dict[str, set[str]] = {}
    for name, path in mods.items():
        pkg = name if path.name == "__init__.py" else name.rpartition(".")[0]
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text())):
            targets = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parts = pkg.split(".")
                    base = ".".join(parts[: len(parts) - node.level + 1] + ([node.module] if node.module else []))
                targets = [base] + [f"{base}.{a.name}" for a in node.names]
            for t in targets:
                while t and t not in mods:
                    t = t.rpartition(".")[0]
                if t and t != name:
                    found.add(t)
        graph[name] = found
    return graph


def _floor(module: str) -> int | None:
    parts = module.split(".")
    return FLOOR.get(parts[1]) if len(parts) > 1 else None  # the root package (its __version__): anyone


def test_no_import_cycle_and_no_arrow_back_up():
    mods = _modules()
    graph = _imports(mods)
    up = [f"{a} -> {b}" for a, bs in graph.items() for b in bs
          if _floor(b) is not None and _floor(a) is not None and _floor(b) > _floor(a)]
    assert not up, f"imports that run back up a floor: {up}"
    # cycles: depth-first search over the module graph
    state: dict[str, int] = {}
    cycle: list[str] = []

    def visit(m: str, path: list[str]) -> bool:
        state[m] = 1
        for n in sorted(graph[m]):
            if state.get(n) == 1:
                cycle.extend(path[path.index(n):] + [n] if n in path else [m, n])
                return True
            if n not in state and visit(n, [*path, n]):
                return True
        state[m] = 2
        return False

    assert not any(visit(m, [m]) for m in sorted(graph) if m not in state), f"import cycle: {' -> '.join(cycle)}"
    assert all(_floor(m) is not None for m in graph if m != "streampro"), "a package without a floor: add it to FLOOR"


def test_no_module_over_400_lines():
    long = {str(p.relative_to(ROOT)): n for p in ROOT.rglob("*.py") if (n := len(p.read_text().splitlines())) > 400}
    assert not long, f"split these modules by role: {long}"


def test_the_check_sees_a_planted_cycle_and_an_upward_import(tmp_path):
    """The graph builder resolves relative imports: a planted bench -> train import is caught."""
    mods = {"streampro.bench.x": tmp_path / "x.py", "streampro.train.y": tmp_path / "y.py"}
    mods["streampro.bench.x"].write_text("from ..train.y import f\n")
    mods["streampro.train.y"].write_text("def f():\n    from ..bench import x\n")
    graph = _imports(mods)
    assert graph == {"streampro.bench.x": {"streampro.train.y"}, "streampro.train.y": {"streampro.bench.x"}}
    assert _floor("streampro.train.y") > _floor("streampro.bench.x")
