"""The shape of the library, checked: rooms, import direction, sizes.

These are the rules of docs/architecture.md written as tests, so a change that
breaks the house fails here with the offending module named rather than
being noticed in review months later.
"""

from __future__ import annotations

import ast
import importlib
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
GEO = ROOT / "geo"

MAX_MODULE_LINES = 600
MAX_FUNCTION_LINES = 60

# Lower floors never import higher ones. io and render share a floor and do
# not import each other: reading data and drawing it are independent.
FLOORS: dict[str, int] = {
    "geo.config": 0,
    "geo.model": 0,
    "geo.reference": 1,
    "geo.analysis": 2,
    "geo.io": 3,
    "geo.render": 3,
    "geo.cli": 4,
    "geo": 5,
    "geo.__main__": 5,
}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(GEO.rglob("*.py"))}


def _room(module: str) -> str:
    parts = module.split(".")
    return ".".join(parts[:2]) if len(parts) > 1 else module


def _imports(path: Path, module: str, known: set[str]) -> Iterator[str]:
    """Every geo module imported anywhere in the file, function bodies included."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            names = [f"{base}.{alias.name}" for alias in node.names] + [base]
        else:
            continue
        for name in names:
            while name and name not in known:
                name = name.rpartition(".")[0]
            if name and name != module:
                yield name


def _ancestors(module: str) -> set[str]:
    parts = module.split(".")
    return {".".join(parts[:i]) for i in range(1, len(parts))}


def _graph() -> dict[str, set[str]]:
    """Module -> geo modules it imports.

    Importing ``a.b.c`` runs ``a/b/__init__.py`` first, so an import of a
    submodule also counts as one of each package above it that the importer
    is not itself inside.
    """
    modules = _modules()
    known = set(modules)
    graph: dict[str, set[str]] = {}
    for module, path in modules.items():
        targets = set(_imports(path, module, known))
        for target in list(targets):
            targets |= (_ancestors(target) & known) - _ancestors(module) - {module}
        graph[module] = targets
    return graph


def test_every_module_has_a_floor() -> None:
    unplaced = [m for m in _modules() if _room(m) not in FLOORS]
    assert not unplaced, f"modules outside the rooms of docs/architecture.md: {unplaced}"


def test_imports_point_down() -> None:
    wrong = []
    for module, targets in _graph().items():
        for target in targets:
            if target in _ancestors(module):
                continue  # a package's own __init__ (re-exports) is not a dependency
            here, there = _room(module), _room(target)
            if here == there:
                continue
            if FLOORS[there] >= FLOORS[here]:
                wrong.append(f"{module} -> {target}")
    assert not wrong, "imports that do not point down:\n" + "\n".join(sorted(wrong))


def test_no_import_cycles_even_through_function_imports() -> None:
    graph = _graph()
    # Tarjan's strongly connected components; any component of size > 1 is a cycle.
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph[node]:
            if nxt in _ancestors(node):
                continue
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for node in graph:
        if node not in index:
            visit(node)
    assert not cycles, f"import cycles: {cycles}"


def test_library_never_imports_streamlit() -> None:
    offenders = []
    for path in GEO.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            if any(n == "streamlit" or n.startswith("streamlit.") for n in names):
                offenders.append(str(path.relative_to(ROOT)))
    assert not offenders, offenders


@pytest.mark.parametrize("path", sorted(GEO.rglob("*.py")), ids=lambda p: str(p.relative_to(ROOT)))
def test_module_size(path: Path) -> None:
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_MODULE_LINES, f"{path.relative_to(ROOT)} has {lines} lines"


def _body_lines(func: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    body = func.body
    if (
        body
        and isinstance(body[0], ast.Expr)
        and isinstance(body[0].value, ast.Constant)
        and isinstance(body[0].value.value, str)
        and len(body) > 1
    ):
        body = body[1:]  # the docstring is documentation, not body
    end = max(getattr(node, "end_lineno", node.lineno) or node.lineno for node in body)
    return end - body[0].lineno + 1


def test_function_size() -> None:
    long = []
    for path in sorted(GEO.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                size = _body_lines(node)
                if size > MAX_FUNCTION_LINES:
                    long.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name} ({size})")
    assert not long, "functions over the size limit:\n" + "\n".join(long)


def test_front_door() -> None:
    import geo

    for name in (
        "read_incidents",
        "append_incidents",
        "prepare",
        "score_areas",
        "FilterState",
        "apply_filters",
        "build_map",
        "render_brief",
        "load_gazetteer",
        "import_file",
        "extract_candidates",
    ):
        assert name in geo.__all__, name
        assert callable(getattr(geo, name)), name
    assert set(geo.__all__) == {"__version__", *geo._ENTRY_POINTS}


def test_each_room_lists_its_modules() -> None:
    for room in ("model", "reference", "analysis", "io", "render"):
        package = GEO / room
        modules = {
            p.stem if p.is_file() else p.name
            for p in package.iterdir()
            if (p.suffix == ".py" and p.stem != "__init__") or (p / "__init__.py").exists()
        }
        listed = set(importlib.import_module(f"geo.{room}").__all__)
        assert modules == listed, f"geo.{room}.__all__ differs from its modules: {modules ^ listed}"


def test_every_package_declares_its_public_names() -> None:
    missing = [
        str(p.relative_to(ROOT))
        for p in sorted(GEO.rglob("__init__.py"))
        if "__all__" not in p.read_text(encoding="utf-8")
    ]
    assert not missing, missing
