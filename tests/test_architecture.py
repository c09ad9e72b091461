"""The dependency arrows of STYLE.md hold: an AST walk over every import in nnlab/.

The rules are the tables below; extend them when a module earns a rule. A scope like
``"nnlab.nn"`` means that module and everything under it (``nnlab.nn.layers``, ...).
Imports anywhere count: at module top, inside functions, under ``if TYPE_CHECKING``.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

PACKAGE_DIR = Path(__file__).resolve().parents[1] / "nnlab"
STDLIB = "<stdlib>"  # stands for sys.stdlib_module_names in ONLY_IMPORTS

# scope -> the only modules it may import
ONLY_IMPORTS: dict[str, tuple[str, ...]] = {
    "nnlab.nn": (STDLIB, "numpy", "nnlab.nn"),
}

# scope -> modules it must never import
NEVER_IMPORTS: dict[str, tuple[str, ...]] = {
    "nnlab.data": ("nnlab.experiments", "nnlab.cli"),
    "nnlab.train": ("nnlab.cli", "nnlab.runs", "nnlab.plots"),
    # figures are drawn from plain data: no run folders, configs, experiments or terminal
    "nnlab.plots": (
        "nnlab.cli",
        "nnlab.experiments",
        "nnlab.runs",
        "nnlab.config",
        "nnlab.config_model",
        "nnlab.config_errors",
        "typer",
    ),
}

# module -> the only scopes allowed to import it
IMPORTED_ONLY_BY: dict[str, tuple[str, ...]] = {
    "typer": ("nnlab.cli",),
    "matplotlib": ("nnlab.plots",),
}

# scope -> names it must never call (as ``name(...)`` or ``anything.name(...)``): no I/O, no printing
NO_CALLS: dict[str, tuple[str, ...]] = {
    "nnlab.nn": (
        "print",
        "open",
        "input",
        "write",
        "write_text",
        "write_bytes",
        "read_text",
        "read_bytes",
        "save",
        "savez",
        "savez_compressed",
        "savetxt",
        "load",
        "loadtxt",
        "genfromtxt",
        "fromfile",
        "tofile",
    ),
}


# --- the walker ---------------------------------------------------------------------------------


def within(module: str, scope: str) -> bool:
    """``module`` is ``scope`` or inside it (by dotted components, so nnlab.cli2 is not nnlab.cli)."""
    return module == scope or module.startswith(scope + ".")


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_modules(source: str, module: str, is_package: bool = False) -> list[tuple[int, str]]:
    """(line, dotted name) for every import in ``source``; relative imports made absolute.

    ``from a import b`` yields ``a`` and ``a.b`` (b may be a submodule, as in ``from nnlab import
    plots``).
    """
    package = module if is_package else module.rpartition(".")[0]
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base_parts = package.split(".")
                base_parts = base_parts[: len(base_parts) - (node.level - 1)]
                base = ".".join(base_parts + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            found.append((node.lineno, base))
            found += [(node.lineno, f"{base}.{alias.name}") for alias in node.names]
    return found


def called_names(source: str) -> list[tuple[int, str]]:
    """(line, name) for every call ``name(...)`` or ``obj.name(...)``."""
    calls = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call):
            if isinstance(node.func, ast.Name):
                calls.append((node.lineno, node.func.id))
            elif isinstance(node.func, ast.Attribute):
                calls.append((node.lineno, node.func.attr))
    return calls


def allowed(imported: str, allowlist: tuple[str, ...]) -> bool:
    top = imported.split(".")[0]
    return any(
        (entry == STDLIB and top in sys.stdlib_module_names) or within(imported, entry)
        for entry in allowlist
    )


def nnlab_modules() -> dict[str, tuple[Path, str, bool]]:
    """module name -> (path, source, is_package) for every .py file under nnlab/."""
    return {
        module_name(p, PACKAGE_DIR): (p, p.read_text(encoding="utf-8"), p.name == "__init__.py")
        for p in sorted(PACKAGE_DIR.rglob("*.py"))
    }


def in_scope(scope: str) -> dict[str, tuple[Path, str, bool]]:
    modules = {m: v for m, v in nnlab_modules().items() if within(m, scope)}
    if not modules:
        pytest.skip(f"no module {scope} yet")
    return modules


def violations_only(scope: str, allowlist: tuple[str, ...]) -> list[str]:
    return [
        f"{path.name}:{line} imports {name}"
        for module, (path, src, pkg) in in_scope(scope).items()
        for line, name in imported_modules(src, module, pkg)
        if not allowed(name, allowlist)
    ]


def violations_never(scope: str, forbidden: tuple[str, ...]) -> list[str]:
    return [
        f"{path.name}:{line} imports {name}"
        for module, (path, src, pkg) in in_scope(scope).items()
        for line, name in imported_modules(src, module, pkg)
        if any(within(name, f) for f in forbidden)
    ]


# --- the rules as tests -------------------------------------------------------------------------


@pytest.mark.parametrize("scope", list(ONLY_IMPORTS))
def test_scope_imports_only_its_allowlist(scope):
    assert violations_only(scope, ONLY_IMPORTS[scope]) == []


@pytest.mark.parametrize("scope", list(NEVER_IMPORTS))
def test_scope_never_imports_forbidden_modules(scope):
    assert violations_never(scope, NEVER_IMPORTS[scope]) == []


@pytest.mark.parametrize("target", list(IMPORTED_ONLY_BY))
def test_module_is_imported_only_by_its_owner(target):
    importers = {
        module
        for module, (_, src, pkg) in nnlab_modules().items()
        for _, name in imported_modules(src, module, pkg)
        if within(name, target)
    }
    owners = IMPORTED_ONLY_BY[target]
    assert {m for m in importers if not any(within(m, o) for o in owners)} == set()


@pytest.mark.parametrize("scope", list(NO_CALLS))
def test_scope_does_no_io_or_printing(scope):
    forbidden = set(NO_CALLS[scope])
    found = [
        f"{path.name}:{line} calls {name}()"
        for _, (path, src, _) in in_scope(scope).items()
        for line, name in called_names(src)
        if name in forbidden
    ]
    assert found == []


# --- the walker itself: the rules above can fail ------------------------------------------------


def test_walker_sees_relative_lazy_and_from_imports():
    source = (
        "import os, numpy as np\n"
        "from . import layers\n"
        "from ..config import Config\n"
        "def f():\n"
        "    import matplotlib.pyplot as plt\n"
        "    from nnlab import plots\n"
    )
    names = {name for _, name in imported_modules(source, "nnlab.nn.model")}
    assert {
        "os",
        "numpy",
        "nnlab.nn",
        "nnlab.nn.layers",
        "nnlab.config",
        "nnlab.config.Config",
        "matplotlib.pyplot",
        "nnlab.plots",
    } <= names
    pkg_names = {name for _, name in imported_modules("from .layers import A", "nnlab.nn", True)}
    assert "nnlab.nn.layers" in pkg_names


def test_allowlist_accepts_stdlib_numpy_and_own_package_only():
    allowlist = ONLY_IMPORTS["nnlab.nn"]
    for ok in ("math", "collections.abc", "__future__", "numpy.typing", "nnlab.nn.layers"):
        assert allowed(ok, allowlist), ok
    for bad in ("nnlab", "nnlab.config", "nnlab.nnx", "yaml", "scipy", "torch"):
        assert not allowed(bad, allowlist), bad


def test_call_scan_finds_print_open_and_savez():
    source = "print(1)\nwith open('f') as fh: pass\nnp.savez('x', a=1)\nx.sum()\n"
    assert {name for _, name in called_names(source)} == {"print", "open", "savez", "sum"}


def test_every_nnlab_module_parses_and_is_seen():
    modules = nnlab_modules()
    assert {"nnlab", "nnlab.cli", "nnlab.nn", "nnlab.nn.layers", "nnlab.nn.optim"} <= set(modules)


# --- the structure rules: no import circle, small modules and functions, one status owner ------

MAX_MODULE_LINES = 600
MAX_FUNCTION_LINES = 60
LONG_OK = "# long:"  # a function over the limit says why on its ``def`` line or the line above


def import_graph() -> dict[str, set[str]]:
    """module -> the nnlab modules it imports (anywhere in the file). ``from pkg import sub``
    depends on ``pkg.sub``, not on ``pkg``'s ``__init__`` (Python runs that first either way)."""
    modules = nnlab_modules()
    graph: dict[str, set[str]] = {}
    for module, (_, src, pkg) in modules.items():
        names = {name for _, name in imported_modules(src, module, pkg)}
        deps = set()
        for name in names:
            if not name.startswith("nnlab"):
                continue
            if any(other.startswith(name + ".") and other in modules for other in names):
                continue  # ``from name import submodule``: the submodule is the dependency
            parts = name.split(".")
            while parts and ".".join(parts) not in modules:
                parts.pop()
            if parts and ".".join(parts) != module:
                deps.add(".".join(parts))
        graph[module] = deps
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_no_import_circle():
    assert cycles(import_graph()) == []


def test_the_cycle_finder_finds_a_circle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_module_over_600_lines():
    long = {m: src.count("\n") for m, (_, src, _) in nnlab_modules().items()}
    assert {m: n for m, n in long.items() if n > MAX_MODULE_LINES} == {}


def long_functions(src: str) -> list[tuple[str, int]]:
    """(name, lines) of functions over the limit without a ``# long:`` reason."""
    lines = src.splitlines()
    out = []
    for node in ast.walk(ast.parse(src)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            n = node.end_lineno - node.lineno + 1
            first = node.decorator_list[0].lineno if node.decorator_list else node.lineno
            around = " ".join(lines[max(first - 2, 0) : node.lineno])
            if n > MAX_FUNCTION_LINES and LONG_OK not in around:
                out.append((node.name, n))
    return out


def test_no_function_over_60_lines_without_a_reason():
    found = {
        f"{m}.{name}": n
        for m, (_, src, _) in nnlab_modules().items()
        for name, n in long_functions(src)
    }
    assert found == {}


def test_the_length_check_sees_a_long_function_and_its_reason():
    body = "\n".join(f"    x{i} = {i}" for i in range(62))
    assert long_functions(f"def f():\n{body}\n") == [("f", 63)]
    assert long_functions(f"# long: a table\ndef f():\n{body}\n") == []


STATUS_WRITERS = ("set_status", "start_meta", "update_meta", "_write_status", "_record")


def test_only_runs_writes_a_status():
    """No driver records a folder's status itself: every folder goes through the lifecycle in
    ``nnlab.runs`` (``runs.start`` / ``runs.reopen``)."""
    found = [
        f"{path.name}:{line} calls {name}()"
        for module, (path, src, _) in nnlab_modules().items()
        if module != "nnlab.runs"
        for line, name in called_names(src)
        if name in STATUS_WRITERS
    ]
    assert found == []
    meta_writes = [
        f"{path.name}: writes meta.json"
        for module, (path, src, _) in nnlab_modules().items()
        if module != "nnlab.runs"
        and any(w in src for w in ('write_json("meta.json"', 'file("meta.json").write'))
    ]
    assert meta_writes == []


# Third-party modules nnlab and its tests may import: pyproject.toml's dependencies (and its
# test and dask extras), by import name, and what one of those guarantees to bring. click is
# not one: typer carries its own copy (typer._click) and no longer installs click, so a test
# that imported click passed where an older typer had left it installed and failed on a fresh
# machine.
DECLARED_IMPORTS = {
    "numpy": "numpy", "typer": "typer", "yaml": "pyyaml", "rich": "rich", "h5py": "h5py",
    "matplotlib": "matplotlib", "pydantic": "pydantic", "sklearn": "scikit-learn",
    "pooch": "pooch", "threadpoolctl": "threadpoolctl", "pytest": "the test extra",
    "distributed": "the dask extra", "dask": "the dask extra",
    "pydantic_core": "pydantic's own", "annotated_types": "pydantic's own",
    "requests": "pooch's own", "urllib3": "pooch's (requests') own",
}  # fmt: skip


def test_every_third_party_import_is_a_declared_dependency():
    root = Path(__file__).resolve().parents[1]
    undeclared = []
    for folder in ("nnlab", "tests"):
        for path in sorted((root / folder).rglob("*.py")):
            module = ".".join(path.relative_to(root).with_suffix("").parts)
            package = path.name == "__init__.py"
            for line, name in imported_modules(path.read_text(), module, package):
                top = name.split(".")[0]
                if (
                    top
                    and top not in sys.stdlib_module_names
                    and top not in ("nnlab", "tests", "__future__")
                    and top not in DECLARED_IMPORTS
                ):
                    undeclared.append(f"{path.relative_to(root)}:{line}: {name}")
    assert undeclared == []
