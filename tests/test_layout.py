"""The house: imports go one way (cli -> ingest/answer/notes -> stages -> models), with no cycles."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import ROOT

PACKAGE = ROOT / "cxinsight"
# Higher layers may import lower ones, never the reverse. Same-layer imports are allowed when acyclic.
LAYERS = {
    "models": 0, "errors": 0, "util": 0,
    "settings": 1,
    "text": 2, "embed": 2,
    "sources": 3, "transcribe": 3, "llm": 3, "store": 3,
    "extract": 4,
    "answer": 5, "ingest": 5,
    "notes": 6, "evaluation": 6,
    "serve": 7,  # the warm server (HTTP, page, MCP) over answer/notes; the CLI starts it
    "cli": 8,
    "__main__": 9,
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in PACKAGE.rglob("*.py")}


def imports_of(path: Path, known: dict[str, Path]) -> set[str]:
    """cxinsight modules a file imports, at any depth (lazy imports inside functions count too)."""
    name = module_name(path)
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("cxinsight")}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
                base = base[: len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if not target.startswith("cxinsight"):
                continue
            # `from cxinsight.store import schema` imports the submodule schema, not the package's __init__.
            subs = [f"{target}.{a.name}" for a in node.names if f"{target}.{a.name}" in known]
            found |= set(subs) if len(subs) == len(node.names) else {target}
    return {m for m in found if m in known and m != name}


def graph() -> dict[str, set[str]]:
    known = modules()
    return {name: imports_of(path, known) for name, path in known.items()}


def layer(module: str) -> int | None:
    parts = module.split(".")
    return LAYERS.get(parts[1]) if len(parts) > 1 else 0  # the package root holds only __version__


def test_every_subpackage_has_a_layer():
    unplaced = sorted({m.split(".")[1] for m in modules() if "." in m and layer(m) is None})
    assert not unplaced, f"give these a layer in LAYERS: {unplaced}"


def test_no_import_reaches_up_a_layer():
    upward = [f"{m} -> {d}" for m, deps in graph().items() for d in deps
              if layer(d) is not None and layer(m) is not None and layer(d) > layer(m)]
    assert not upward, "\n".join(sorted(upward))


def test_no_import_cycles():
    g = graph()
    cycles, state = [], {}

    def visit(node: str, stack: list[str]) -> None:
        state[node] = "open"
        for dep in sorted(g[node]):
            if state.get(dep) == "open":
                cycles.append(" -> ".join(stack[stack.index(dep):] + [node, dep]) if dep in stack else f"{node} -> {dep}")
            elif dep not in state:
                visit(dep, stack + [node])
        state[node] = "done"

    for module in sorted(g):
        if module not in state:
            visit(module, [])
    assert not cycles, "\n".join(cycles)


def test_package_level_graph_is_acyclic():
    """Subpackages too: store -> sources -> store would be a cycle even with acyclic modules."""
    def package(m: str) -> str:
        return m.split(".")[1] if "." in m else m

    edges = {(package(m), package(d)) for m, deps in graph().items() for d in deps if package(m) != package(d)}
    two_way = sorted(f"{a} <-> {b}" for a, b in edges if (b, a) in edges and a < b)
    assert not two_way, two_way
