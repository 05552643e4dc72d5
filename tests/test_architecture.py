"""The house rules of the code base, read from the imports (docs/architecture.md).

Data flows one way: base -> config -> io -> core stages -> render -> app -> cli.
Every ``import`` counts, at module level, inside functions and under
``TYPE_CHECKING``.  A failure names the importing module and what it imports.
"""

from __future__ import annotations

import ast
import functools
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "licvisit"

# Layer of each module, by longest matching prefix; a module may import its own layer or lower.
LAYERS = {
    "licvisit": 0,  # the package root (version)
    "licvisit.errors": 0,
    "licvisit.textsafe": 0,
    "licvisit.domain": 0,
    "licvisit.fields": 0,
    "licvisit.config": 1,
    "licvisit.io": 2,
    "licvisit.synth": 3,
    "licvisit.core": 3,
    "licvisit.core.risk": 3,
    "licvisit.core.plan": 4,
    "licvisit.core.evidence": 4,
    "licvisit.render": 5,
    "licvisit.app": 6,
    "licvisit.cli": 7,
    "licvisit.__main__": 8,
}
# The two late core stages may not import each other (risk feeds both).
SIBLINGS = {
    ("licvisit.core.plan", "licvisit.core.evidence"),
    ("licvisit.core.evidence", "licvisit.core.plan"),
}
ONLY = {
    "ortools": "licvisit.core.plan",
    "pyvrp": "licvisit.core.plan",
    "folium": "licvisit.render",
    "branca": "licvisit.render",
}


def _modules() -> dict[str, Path]:
    out = {}
    for p in PACKAGE.rglob("*.py"):
        parts = p.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = p
    return out


MODULES = _modules()


@functools.cache
def _imports(name: str, path: Path) -> list[tuple[str, int]]:
    """Every module ``name`` imports (absolute names), with the line, wherever the import sits."""
    is_pkg = path.name == "__init__.py"
    pkg = name if is_pkg else name.rsplit(".", 1)[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(a.name, node.lineno) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = pkg.split(".")[: len(pkg.split(".")) - node.level + 1]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            for a in node.names:  # "from pkg import submodule" imports the submodule
                sub = f"{mod}.{a.name}"
                found.append((sub if sub in MODULES else mod, node.lineno))
    return found


def _layer(mod: str) -> tuple[str, int]:
    best = max((p for p in LAYERS if mod == p or mod.startswith(p + ".")), key=len)
    return best, LAYERS[best]


def _graph() -> dict[str, set[str]]:
    return {
        n: {m for m, _ in _imports(n, p) if m in MODULES and m != n and not n.startswith(m + ".")}
        for n, p in MODULES.items()
    }


def test_no_upward_import():
    wrong = []
    for name, path in sorted(MODULES.items()):
        own, lv = _layer(name)
        for mod, line in _imports(name, path):
            if not mod.startswith("licvisit") or mod not in MODULES:
                continue
            if name.startswith(mod + "."):  # a module may import its own package
                continue
            theirs, lm = _layer(mod)
            if lm > lv or (own, theirs) in SIBLINGS:
                wrong.append(f"{name} (line {line}) imports {mod}")
    assert wrong == []


def test_no_import_circle():
    graph = _graph()
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    circles: list[list[str]] = []

    def visit(v: str) -> None:  # Tarjan's strongly connected components
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                circles.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    assert circles == []


@pytest.mark.parametrize("library", sorted(ONLY))
def test_heavy_libraries_stay_in_their_package(library):
    allowed = ONLY[library]
    wrong = [
        f"{name} (line {line}) imports {mod}"
        for name, path in sorted(MODULES.items())
        for mod, line in _imports(name, path)
        if (mod == library or mod.startswith(library + "."))
        and not (name == allowed or name.startswith(allowed + "."))
    ]
    assert wrong == []


def test_core_does_no_printing_or_file_io():
    wrong = []
    for name, path in sorted(MODULES.items()):
        if not name.startswith("licvisit.core"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                f = node.func
                called = f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else ""
                if called in {
                    "print",
                    "open",
                    "write_text",
                    "write_bytes",
                    "read_text",
                    "to_csv",
                    "to_file",
                    "echo",
                }:
                    wrong.append(f"{name} (line {node.lineno}) calls {called}")
    assert wrong == []
