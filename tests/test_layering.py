"""The package's shape: no import cycles, layers import only downwards, Ray only where listed."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "daas"

#: What each top-level part may import from ``daas`` (besides itself).
ALLOWED = {
    "errors": set(),
    "settings": {"errors"},
    "runtimes": {"errors", "settings"},
    "codecs": {"errors", "settings", "runtimes"},
    "store": {"errors", "settings"},
    "deployments": {"errors", "settings", "runtimes", "codecs", "store"},
    "batch": {"errors", "settings", "runtimes", "codecs", "store"},
    "platform": {"errors", "settings", "runtimes", "codecs", "store", "deployments", "batch", "__init__"},
    "client": {"errors", "__init__"},
    # `daas up`/`down`/`status` start the platform; nothing else in the CLI touches it.
    "cli": {"errors", "settings", "client", "__init__", "platform.launcher"},
    "__init__": set(),
}
#: The only modules (or packages) that may import Ray.
RAY_ALLOWED = ("daas.platform.ray_adapter", "daas.deployments", "daas.batch")
MAX_LINES = 400


def source_files() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "migrations" not in p.parts)


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in source_files()}


def imports_of(path: Path) -> set[str]:
    """Every module ``path`` imports, at any depth of the file (deferred imports count).

    ``from package import submodule`` counts as importing the submodule only.
    """
    tree = ast.parse(path.read_text(), str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            submodules = {f"{node.module}.{alias.name}" for alias in node.names}
            found.update(submodules & set(MODULES) or {node.module})
            if submodules - set(MODULES):
                found.add(node.module)
    return found




def daas_imports(path: Path) -> set[str]:
    """The daas modules ``path`` imports (``from pkg import name`` resolved to a module when it is one)."""
    result = set()
    for name in imports_of(path):
        if name in MODULES:
            result.add(name)
    return result


def part_of(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def test_each_part_imports_only_the_layers_below_it() -> None:
    wrong = []
    for module, path in MODULES.items():
        part = part_of(module)
        for target in daas_imports(path):
            other = part_of(target)
            if other == part:
                continue
            allowed = ALLOWED[part]
            if other in allowed or target.removeprefix("daas.") in allowed:
                continue
            wrong.append(f"{module} imports {target}")
    assert not wrong, "\n".join(sorted(wrong))


def test_no_import_cycles() -> None:
    graph = {module: daas_imports(path) - {module} for module, path in MODULES.items()}
    # A package's __init__ is imported with every submodule; count only real edges.
    state: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for target in sorted(graph.get(node, ())):
            if state.get(target) == 1:
                cycles.append(stack[stack.index(target):] + [target])
            elif target not in state:
                visit(target)
        stack.pop()
        state[node] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module)
    assert not cycles, "\n".join(" -> ".join(cycle) for cycle in cycles)


def test_ray_is_imported_only_by_the_adapter_the_deployments_and_batch() -> None:
    offenders = [module for module, path in MODULES.items()
                 if any(name == "ray" or name.startswith("ray.") for name in imports_of(path))
                 and not module.startswith(RAY_ALLOWED)]
    assert not offenders, offenders


@pytest.mark.parametrize("path", source_files(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_modules_stay_small(path: Path) -> None:
    assert len(path.read_text().splitlines()) <= MAX_LINES


def test_the_checks_see_a_wrong_import(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("def f():\n    from daas.platform.app import create_app\n    import ray.serve\n")
    assert "daas.platform.app" in imports_of(bad) and "ray.serve" in imports_of(bad)
