"""The rules of the views layer: templates call nothing but macros and formatting filters, the views import only
catalog-level modules, and a pair's figures read the same on its static page and in the client-side pair view."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest
from jinja2 import Environment, meta, nodes

from generator import compare, render
from generator.views.pair import aligned_tables

from .catalogs import ROOT
from .client_align import client_groups

TEMPLATE_DIR = ROOT / "generator" / "templates"
VIEWS_DIR = ROOT / "generator" / "views"

# --- Templates format views, nothing else ----------------------------------------------------

# Jinja's own filters that only format; every other filter is one of render.FILTERS.
FORMATTING = {"join", "length"}
FREE_NAMES = {"view", "page"}  # the only names a template may read that it does not define


def template_problems(source: str, env: Environment) -> list[str]:
    """What in a template is more than formatting a view: a call to anything but a macro, a filter outside the
    formatting ones, or a name that is neither the view, the page nor defined in the template."""
    tree = env.parse(source)
    macros = {m.name for m in tree.find_all(nodes.Macro)}
    for imp in tree.find_all(nodes.FromImport):
        macros |= {n if isinstance(n, str) else n[1] for n in imp.names}
    problems = []
    for call in tree.find_all(nodes.Call):
        if not (isinstance(call.node, nodes.Name) and call.node.name in macros):
            problems.append(f"line {call.lineno}: calls {_expr(call.node)}, which is not a macro")
    allowed = set(render.FILTERS) | FORMATTING
    for f in tree.find_all(nodes.Filter):
        if f.name not in allowed:
            problems.append(f"line {f.lineno}: filter `{f.name}` is not a formatting filter")
    # `meta` counts a name set inside an `if` as undeclared; a name the template assigns anywhere is its own.
    assigned = {n.name for n in tree.find_all(nodes.Name) if n.ctx in ("store", "param")}
    for name in sorted(meta.find_undeclared_variables(tree) - FREE_NAMES - assigned):
        problems.append(f"reads `{name}`, which is neither the view nor defined in the template")
    return problems


def _expr(node: nodes.Node) -> str:
    if isinstance(node, nodes.Name):
        return node.name
    if isinstance(node, nodes.Getattr):
        return f"{_expr(node.node)}.{node.attr}"
    return type(node).__name__


def test_templates_call_nothing_but_macros_and_formatting_filters() -> None:
    env = render.environment()
    assert set(env.globals) == set(Environment().globals), "no globals beyond Jinja's own: templates read the view"
    found = {p.name: template_problems(p.read_text(encoding="utf-8"), env) for p in sorted(TEMPLATE_DIR.glob("*.j2"))}
    assert len(found) >= 12
    assert {name: problems for name, problems in found.items() if problems} == {}


@pytest.mark.parametrize(
    "source, problem",
    [
        ("{{ compare.pairs(cards) }}", "calls compare.pairs"),
        ("{% for d in view.d.by_kind() %}{% endfor %}", "calls view.d.by_kind"),
        ("{{ view.rows | map(attribute='x') | list }}", "filter `map`"),
        ("{% set ns = namespace(any=false) %}", "calls namespace"),
        ("{{ registry.tasks }}", "reads `registry`"),
        ("{{ '{:,}'.format(view.n) }}", "which is not a macro"),
    ],
)
def test_the_template_check_catches_logic(source: str, problem: str) -> None:
    problems = template_problems(source, render.environment())
    assert any(problem in p for p in problems), problems


def test_the_template_check_allows_macros_and_formatting() -> None:
    source = (
        '{% from "_macros.j2" import cite with context %}{% macro m(x) %}{{ x | num }}{% endmacro %}'
        '{{ m(view.a) }}{{ cite(view.c) }}{{ view.t | md }}{{ view.l | join(", ") }}{{ "p.md" | url }}'
    )
    assert template_problems(source, render.environment()) == []


# --- Layering ------------------------------------------------------------------------------------

# What views may import: catalog-level modules (cards, registry, records, manifests, the comparison and
# licence rules) and the standard library's data tools. Never the site, bench, export pipeline or CLI.
ALLOWED_GENERATOR = {
    "generator.compare",
    "generator.licenses",
    "generator.schema",
    "generator.measurement",
    "generator.loader",
    "generator.export.manifest",
    "generator.spdx",
    "generator.tradeoff",
}
ALLOWED_STDLIB = {
    "__future__",
    "dataclasses",
    "collections",
    "collections.abc",
    "functools",
    "typing",
    "itertools",
    "math",
    "re",
}


def imports_of(path: Path) -> set[str]:
    package = "generator.views"
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = package.rsplit(".", node.level - 1)[0] if node.level else ""
            module = ".".join(p for p in (base, node.module or "") if p)
            # `from . import measured` imports a module of the package
            out |= {f"{module}.{a.name}" for a in node.names} if node.module is None else {module}
    return out


def test_views_import_only_catalog_level_modules() -> None:
    modules = sorted(VIEWS_DIR.glob("*.py"))
    assert len(modules) >= 10
    bad = {}
    for path in modules:
        wrong = sorted(
            m
            for m in imports_of(path)
            if not (m in ALLOWED_GENERATOR or m in ALLOWED_STDLIB or m.startswith("generator.views."))
        )
        if wrong:
            bad[path.name] = wrong
    assert bad == {}, (
        "views import catalog-level modules only (see ALLOWED_GENERATOR); move display logic into views instead"
    )


def test_importing_views_loads_no_template_site_or_image_library() -> None:
    names = ", ".join(f"generator.views.{p.stem}" for p in sorted(VIEWS_DIR.glob("*.py")) if p.stem != "__init__")
    code = f"import sys, {names}; print(' '.join(sorted(sys.modules)))"
    loaded = set(
        subprocess.run(
            [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.split()
    )
    assert "generator.views.pair" in loaded
    forbidden = {
        "jinja2",
        "markupsafe",
        "mkdocs",
        "cv2",
        "PIL",
        "numpy",
        "onnx",
        "onnxruntime",
        "yaml",
        "generator.render",
        "generator.site",
        "generator.bench",
        "generator.commands",
        "generator.export.pipeline",
    }
    assert (
        sorted(m for m in loaded if m in forbidden or m.split(".")[0] in {"jinja2", "mkdocs", "cv2", "PIL", "numpy"})
        == []
    )


# --- One source for a pair's figures ---------------------------------------------------------------


def test_pair_pages_and_the_client_view_show_the_same_labels_and_values(catalog, tmp_path: Path) -> None:
    """The client view (versus.js on catalog.json) shows each aligned table under the same label, with the same
    shown values, whose-figure labels and sources, as the static pair page's view."""
    client = {
        pair: [
            [
                g["label"],
                [
                    [r["name"], r["variant"], r["checkpoint"], r["shown"], r["kind_label"], r["source"], r["best"]]
                    for r in g["rows"]
                ],
            ]
            for g in groups
        ]
        for pair, groups in client_groups(catalog, tmp_path).items()
    }
    static = {}
    for a, b in compare.pairs(catalog.cards):
        tables = aligned_tables(compare.aligned_metrics((a, b), catalog.registry), catalog.registry)
        static[f"{a.id}|{b.id}"] = [
            [
                t.label,
                [
                    [
                        r.claim.model,
                        r.claim.variant,
                        r.claim.checkpoint,
                        r.claim.cell.shown,
                        r.claim.cell.kind_label,
                        r.claim.source,
                        r.best,
                    ]
                    for r in t.rows
                ],
            ]
            for t in tables
        ]
    assert sum(len(tables) for tables in static.values()) > 10, "the check must cover some aligned tables"
    assert client == static
