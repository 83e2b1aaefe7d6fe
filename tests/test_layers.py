"""The package's layering, read from the source with `ast`: imports run down the layers (CLI → commands →
site / export / bench → views and logic → catalog → readers), never up, and form no cycle; the modules that
say they are pure import no I/O, image or inference library. The layer table is the contributor guide's
"Project layout" in data form."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "generator"

# Top layer first. A module named exactly belongs to that layer; otherwise to the first pattern that matches
# its dotted name (a trailing `.*` matches a package and everything in it).
LAYERS: list[tuple[str, tuple[str, ...]]] = [
    ("cli", ("generator.cli", "generator.__main__")),
    ("commands", ("generator.commands.*",)),
    (
        "edges",
        (
            "generator.site",
            "generator.render",
            "generator.staging",
            "generator.serve_site",
            "generator.export.*",
            "generator.bench.*",
            "generator.datasets",
        ),
    ),
    (
        "logic",
        (
            "generator.views.*",
            "generator.compare",
            "generator.tradeoff",
            "generator.licenses",
            "generator.preprocess",
            "generator.decode",
            "generator.demo",
            "generator.synth",
            "generator.coco_eval",
            "generator.labelled_set",
            "generator.schema_file",
        ),
    ),
    # The artifact manifest is a record like the cards: export writes it, the site and the bench read it.
    (
        "catalog",
        (
            "generator.schema.*",
            "generator.problems",
            "generator.measurement",
            "generator.loader",
            "generator.artifacts",
            "generator.export.manifest",
            "generator.vcs",
        ),
    ),
    (
        "readers",
        (
            "generator.yamlfile",
            "generator.jsonfile",
            "generator.spdx",
            "generator.settings",
            "generator.samples",
            "generator.weights",
            "generator.serve",
            "generator",
        ),
    ),
]

# Modules whose docstring calls them pure: they compute, the edges do the I/O.
PURE = (
    "generator.compare",
    "generator.tradeoff",
    "generator.licenses",
    "generator.views.*",
    "generator.demo",
    "generator.export.plan",
    "generator.export.contract",
    "generator.export.agreement",
    "generator.bench.report",
    "generator.synth",
    "generator.preprocess",
)
HEAVY = (
    "cv2",
    "onnxruntime",
    "torch",
    "torchvision",
    "tensorflow",
    "mkdocs",
    "playwright",
    "ultralytics",
    "PIL",
    "urllib.request",
    "subprocess",
    "http",
)


def _matches(name: str, pattern: str) -> bool:
    if pattern.endswith(".*"):
        return name == pattern[:-2] or name.startswith(pattern[:-1])
    return name == pattern


def layer_of(name: str) -> int:
    for index, (_, patterns) in enumerate(LAYERS):
        if name in patterns:
            return index
    for index, (_, patterns) in enumerate(LAYERS):
        if any(_matches(name, p) for p in patterns):
            return index
    raise AssertionError(f"{name} is in no layer of tests/test_layers.py: add it to LAYERS (and to the guide's layout)")


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def imports(path: Path, known: set[str], top_level_only: bool = False) -> set[str]:
    """Package modules (or, with `top_level_only`, any module) that `path` imports; `TYPE_CHECKING` blocks are
    not imports at run time, so they are left out."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out: set[str] = set()

    def visit(node: ast.AST, nested: bool) -> None:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.orelse:
                visit(child, nested)
            return
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            nested = True
        if isinstance(node, ast.Import) and not (top_level_only and nested):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and not (top_level_only and nested):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            out.add(target)
            out.update(f"{target}.{a.name}" for a in node.names if f"{target}.{a.name}" in known)
        for child in ast.iter_child_nodes(node):
            visit(child, nested)

    visit(tree, False)
    if top_level_only:
        return out
    return {m for m in out if m in known and m != name}


def test_every_module_has_a_layer() -> None:
    for name in modules():
        layer_of(name)


def test_no_import_runs_up_a_layer() -> None:
    found = modules()
    known = set(found)
    wrong = []
    for name, path in found.items():
        for target in imports(path, known):
            if target == "generator" or name == "generator":
                continue
            if layer_of(target) < layer_of(name):
                wrong.append(f"{name} ({LAYERS[layer_of(name)][0]}) imports {target} ({LAYERS[layer_of(target)][0]})")
    assert not wrong, "imports that run up the layers:\n  " + "\n  ".join(sorted(wrong))


def test_no_import_cycles() -> None:
    found = modules()
    known = set(found)
    graph = {
        name: {t for t in imports(path, known) if t != "generator" and not name.startswith(t + ".")}
        for name, path in found.items()
    }
    state: dict[str, int] = {}
    cycles = []

    def walk(node: str, stack: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycles.append(" -> ".join(stack[stack.index(nxt) :] + [nxt]))
            elif nxt not in state:
                walk(nxt, stack + [nxt])
        state[node] = 2

    for name in sorted(graph):
        if name not in state:
            walk(name, [name])
    assert not cycles, "import cycles:\n  " + "\n  ".join(cycles)


def _module_level_closure(name: str, found: dict[str, Path]) -> set[str]:
    """Every module imported when `name` is imported: its top-level imports, followed through the package."""
    known = set(found)
    seen: set[str] = set()
    todo = [name]
    out: set[str] = set()
    while todo:
        current = todo.pop()
        if current in seen or current not in found:
            continue
        seen.add(current)
        for target in imports(found[current], known, top_level_only=True):
            out.add(target)
            if target in known:
                todo.append(target)
    return out


@pytest.mark.parametrize("pattern", PURE)
def test_pure_modules_import_no_io_or_image_library(pattern: str) -> None:
    found = modules()
    names = [n for n in found if _matches(n, pattern)]
    assert names, f"{pattern} names no module"
    for name in names:
        heavy = sorted(
            t
            for t in _module_level_closure(name, found)
            if t.split(".")[0] in {h.split(".")[0] for h in HEAVY}
            and any(t == h or t.startswith(h + ".") for h in HEAVY)
        )
        assert not heavy, f"{name} is pure but importing it imports {heavy}"


def test_the_checker_sees_a_violation(tmp_path: Path) -> None:
    """The rules are not vacuous: an upward import and a cycle in a made-up package are found."""
    fake = tmp_path / "generator"
    (fake / "commands").mkdir(parents=True)
    (fake / "__init__.py").write_text("")
    (fake / "commands" / "__init__.py").write_text("")
    (fake / "commands" / "x.py").write_text("from ..schema import A\n")
    (fake / "schema.py").write_text("from .commands import x\n")
    global PACKAGE
    saved, PACKAGE = PACKAGE, fake
    try:
        with pytest.raises(AssertionError, match="generator.schema \\(catalog\\) imports generator.commands.x"):
            test_no_import_runs_up_a_layer()
        with pytest.raises(AssertionError, match="import cycles"):
            test_no_import_cycles()
    finally:
        PACKAGE = saved
