"""Imports go one way (engine <- nn <- viz) and the light packages stay light."""

from __future__ import annotations

import ast
import builtins
import importlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
OURS = {"engine", "nn", "viz"}
ALLOWED = {"engine": {"engine"}, "nn": {"engine", "nn"}, "viz": OURS}
HEAVY = {"graphviz", "matplotlib", "hypothesis", "tqdm", "numpy", "IPython"}


BY_NAME = {"import_module", "__import__"}  # importlib.import_module("x"), __import__("x")


def names_imported(node: ast.AST) -> list[str]:
    """The modules one node imports: by statement, or by name as a string in a call."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
        return [node.module]
    if isinstance(node, ast.Call) and node.args:
        func = node.func
        called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        first = node.args[0]
        if called in BY_NAME and isinstance(first, ast.Constant) and isinstance(first.value, str):
            return [first.value]
    return []


def imported_modules(package: str) -> list[tuple[str, str, bool]]:
    """(file, top-level module name, imported at module level?) for every import."""
    found = []
    for path in sorted((ROOT / package).rglob("*.py")):
        tree = ast.parse(path.read_text(), filename=str(path))
        top_level = {id(node) for node in tree.body}
        for node in ast.walk(tree):
            for name in names_imported(node):
                found.append((path.name, name.split(".")[0], id(node) in top_level))
    return found


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("import viz.display", ["viz.display"]),
        ("from viz import draw", ["viz"]),
        ("importlib.import_module('viz.display')", ["viz.display"]),
        ("from importlib import import_module\nimport_module('viz')", ["importlib", "viz"]),
        ("__import__('viz.display')", ["viz.display"]),
        ("importlib.import_module(name)", []),  # a name not written down cannot be checked
    ],
)
def test_imports_made_by_name_are_seen(source: str, expected: list[str]) -> None:
    tree = ast.parse(source)
    assert [name for node in ast.walk(tree) for name in names_imported(node)] == expected


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_package_imports_only_downward(package: str) -> None:
    for filename, module, _ in imported_modules(package):
        if module in OURS:
            assert module in ALLOWED[package], f"{package}/{filename} imports {module} (upward)"


@pytest.mark.parametrize("package", ["engine", "nn"])
def test_light_packages_import_only_the_standard_library_at_module_level(package: str) -> None:
    for filename, module, top_level in imported_modules(package):
        if top_level and module not in OURS and filename != "strategies.py":
            assert module in sys.stdlib_module_names, f"{package}/{filename} imports {module}"


@pytest.mark.parametrize("package", ["engine", "nn"])
def test_importing_a_light_package_pulls_in_no_third_party_module(package: str) -> None:
    code = (
        "import json, sys\n"
        f"before = set(sys.modules)\nimport {package}\n"
        "print(json.dumps(sorted(set(sys.modules) - before)))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    new = {name.split(".")[0] for name in json.loads(out.stdout)}
    third_party = new - set(sys.stdlib_module_names) - OURS - {"_distutils_hack"}
    assert not third_party, f"import {package} pulled in {sorted(third_party)}"
    assert not new & HEAVY


def isort_key(name: str) -> tuple[int, str]:
    """The order ruff keeps `__all__` in: CONSTANTS, then Classes, then functions."""
    return (0 if name.isupper() else 1 if name[:1].isupper() else 2, name)


@pytest.mark.parametrize("package", sorted(OURS))
def test_dunder_all_is_sorted_and_matches_the_exports(package: str) -> None:
    module = importlib.import_module(package)
    names = module.__all__
    assert names == sorted(names, key=isort_key), f"{package}.__all__ is not sorted"
    assert len(names) == len(set(names))
    for name in names:
        assert hasattr(module, name), f"{package}.__all__ lists {name!r}, which is missing"
    public = {
        name
        for name, value in vars(module).items()
        if not name.startswith("_") and getattr(value, "__module__", "").startswith(package)
    }
    public -= set(dir(builtins))  # exported, but kept out of `import *` (engine.sum, .compile)
    assert public <= set(names), f"{package} exports {sorted(public - set(names))} not in __all__"


def test_star_import_does_not_shadow_builtins() -> None:
    for package in sorted(OURS):
        shadowed = set(importlib.import_module(package).__all__) & set(dir(builtins))
        assert not shadowed, f"from {package} import * shadows the built-ins {sorted(shadowed)}"


FAST_PATH_MODULE = "engine.fast"  # the one module allowed to use another's private names


def _our_modules() -> dict[str, ast.Module]:
    modules = {}
    for package in sorted(OURS):
        for path in sorted((ROOT / package).rglob("*.py")):
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            modules[name.removesuffix(".__init__")] = ast.parse(path.read_text())
    return modules


def _imports(tree: ast.Module, top_level_only: bool) -> list[ast.ImportFrom | ast.Import]:
    """The imports that run: those under `if TYPE_CHECKING:` are for the type checker only."""
    typing_only = {
        id(node)
        for block in ast.walk(tree)
        if isinstance(block, ast.If) and ast.unparse(block.test).endswith("TYPE_CHECKING")
        for stmt in block.body
        for node in ast.walk(stmt)
    }
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    return [
        n for n in nodes if isinstance(n, ast.ImportFrom | ast.Import) and id(n) not in typing_only
    ]


def test_no_module_imports_another_modules_private_names() -> None:
    modules = _our_modules()
    found = []
    for name, tree in modules.items():
        for node in _imports(tree, top_level_only=False):
            if isinstance(node, ast.ImportFrom) and node.module in modules and node.level == 0:
                private = [a.name for a in node.names if a.name.startswith("_")]
                private = [p for p in private if not p.startswith("__")]
                if private and name != FAST_PATH_MODULE and node.module != name:
                    found.append(f"{name} imports {node.module}.{', '.join(private)}")
    assert not found, found


def test_there_is_no_import_circle_between_modules() -> None:
    modules = _our_modules()
    edges: dict[str, set[str]] = {name: set() for name in modules}
    for name, tree in modules.items():
        for node in _imports(tree, top_level_only=False):
            targets = (
                [node.module]
                if isinstance(node, ast.ImportFrom) and node.module
                else [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else []
            )
            for target in targets:
                # A package and its own submodules are one unit (an __init__ re-exports).
                if (
                    target in modules
                    and target != name
                    and not (target.startswith(name + ".") or name.startswith(target + "."))
                ):
                    edges[name].add(target)
    circles = []
    for start in modules:
        stack = [(start, [start])]
        while stack:
            current, path = stack.pop()
            for nxt in edges[current]:
                if nxt == start:
                    circles.append(" -> ".join([*path, start]))
                elif nxt not in path and len(path) < 6:
                    stack.append((nxt, [*path, nxt]))
    assert not circles, circles[:5]
