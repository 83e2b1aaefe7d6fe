"""The only module that knows about mkdocs: stage the docs folder, build, swap.

A build writes hand-written pages (`site_src/`) and generated ones into a
staging folder, runs mkdocs in strict mode into a fresh output folder beside
the target, and only then swaps it in. A failed build leaves the previous site
untouched; a lock keeps two builds of the same target from interleaving.
"""

from __future__ import annotations

import base64
import contextlib
import csv
import fcntl
import hashlib
import html
import io
import json
import logging
import re
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from mkdocs.commands.build import build as mkdocs_build
from mkdocs.config import load_config
from mkdocs.exceptions import Abort, MkDocsException

from .artifacts import NOT_PUBLISHED, load_artifacts, load_not_exported
from .demo import demo_files
from .export import int8
from .loader import Catalog
from .measurement import json_schema as measurement_schema
from .render import Renderer, catalog_json, model_page, render_page
from .samples import load as shipped_samples
from .settings import ROOT as PROJECT
from .settings import current as current_settings
from .staging import BuildError, copy_files, stage_demo
from .views.tables import Table, table_files

VENDOR = {
    # npm package file -> path in the site. Installed by `npm ci --prefix wasm_demo`.
    "chart.js/dist/chart.umd.min.js": "assets/vendor/chart.umd.min.js",
    "tablesort/dist/tablesort.min.js": "assets/vendor/tablesort.min.js",
    "tablesort/dist/sorts/tablesort.number.min.js": "assets/vendor/tablesort.number.min.js",
    # Cross-origin isolation on static hosts that cannot send COOP/COEP headers (reloads the page once).
    "coi-serviceworker/coi-serviceworker.min.js": "coi-serviceworker.min.js",
}


# A nav entry is repeated on every page; past this many models they are reached from the catalog table.
MAX_NAV_MODELS = 100


@dataclass(frozen=True)
class BuildResult:
    out: Path
    pages: int


def int8_refused(catalog: Catalog, artifact_root: Path | None) -> dict[str, tuple[str, str]]:
    """Variant id -> (int8 artifact id, why) for the variants whose int8 graph `versus export` did not publish."""
    if artifact_root is None:
        return {}
    refused = load_not_exported(artifact_root, NOT_PUBLISHED)
    ids = {int8.artifact_id(v.id): v.id for card in catalog.cards for v in card.variants}
    return {ids[a]: (a, why) for a, why in refused.items() if a in ids}


def build_site(
    catalog: Catalog,
    out: Path,
    *,
    project: Path = PROJECT,
    node_modules: Path | None = None,
    artifacts: Path | None = None,
) -> BuildResult:
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    node_modules = node_modules or project / "wasm_demo" / "node_modules"
    artifacts = artifacts if artifacts is not None else current_settings().artifacts
    with _lock(out), tempfile.TemporaryDirectory(prefix=f".{out.name}.build-", dir=out.parent) as tmp:
        docs, site = Path(tmp) / "docs", Path(tmp) / "site"
        pages = stage_docs(catalog, project / "site_src", docs, node_modules, artifacts, project=project)
        _run_mkdocs(project / "mkdocs.yml", docs, site, nav=_nav(catalog))
        add_content_security_policy(site)
        _swap(site, out)
    return BuildResult(out, pages)


def stage_docs(
    catalog: Catalog,
    site_src: Path,
    docs: Path,
    node_modules: Path,
    artifact_root: Path | None = None,
    *,
    project: Path = PROJECT,
) -> int:
    """Hand-written pages, generated pages, catalog.json, vendored scripts and the demo in one docs folder."""
    links = [p for p in site_src.rglob("*") if p.is_symlink()]
    if links:
        raise BuildError(
            f"{links[0]} is a symlink; site_src/ must hold real files so a build never publishes files from elsewhere"
        )
    shutil.copytree(site_src, docs, ignore=shutil.ignore_patterns("*.pyc", "__pycache__"))
    artifacts = load_artifacts(artifact_root) if artifact_root is not None else {}
    not_exported = load_not_exported(artifact_root) if artifact_root is not None else {}
    demo = (
        demo_files(catalog, artifacts, artifact_root, shipped_samples(), not_exported)
        if artifact_root is not None
        else None
    )
    views = Renderer(
        catalog,
        artifacts,
        demo_ready=demo is not None,
        not_exported=not_exported,
        int8_refused=int8_refused(catalog, artifact_root),
    ).views()
    pages = {view.page: render_page(view) for view in views}
    # Each table's CSV next to its page (the page links it by file name).
    csvs = {path: csv_text(table) for path, table in table_files(views).items()}
    for rel, text in {**pages, **csvs}.items():
        if (docs / rel).exists():
            raise BuildError(f"site_src/{rel} clashes with a generated file; rename or remove it")
        target = docs / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8", newline="")
    (docs / "catalog.json").write_text(catalog_json(catalog), encoding="utf-8")
    (docs / MEASUREMENTS_JSON).write_text(measurements_json(catalog), encoding="utf-8")
    (docs / RECORD_SCHEMA).write_text(
        json.dumps(measurement_schema(), indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )
    copy_files(
        docs,
        {dest: node_modules / package_file for package_file, dest in VENDOR.items()},
        "install the site's JavaScript with `npm ci --prefix wasm_demo` and build again",
    )
    if demo is not None:
        stage_demo(demo, docs, node_modules, project)
    return len(pages)


def csv_text(table: Table) -> str:
    """The table as CSV (RFC 4180 quoting, `\\r\\n` line ends as the csv module writes them), header first."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(table.header)
    writer.writerows(table.rows)
    return out.getvalue()


MEASUREMENTS_JSON = "measurements.json"
RECORD_SCHEMA = "measurement.schema.json"  # the same schema as catalog/schema/measurement.schema.json


def measurements_json(catalog: Catalog) -> str:
    """Every measurement record the pages draw on, each exactly as committed (it validates against the record
    schema published beside it), in the catalog's order: run, then artifact."""
    data = {
        "schema": RECORD_SCHEMA,
        "records": [record.model_dump(mode="json") for record in catalog.measurements],
    }
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"


def _nav(catalog: Catalog) -> list:
    """Navigation: model pages are listed (up to MAX_NAV_MODELS); pair pages are reached from the compare page, not the nav
    (a nav entry per pair is repeated on every page and grows the site with the square of the catalog)."""
    models = (
        [{html.escape(c.name): model_page(c.id)} for c in catalog.cards] if len(catalog.cards) <= MAX_NAV_MODELS else []
    )
    return [
        {"Home": "index.md"},
        # mkdocs does not escape nav titles: card names are escaped here.
        {"Models": ["models/index.md", *models]},
        {"Tasks": "tasks.md"},
        {"Compare": "compare/index.md"},
        {"Accuracy vs latency": "chart.md"},
        {"Methodology": "methodology.md"},
        {"Contributing": "contributing.md"},
    ]


class _CollectWarnings(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def _run_mkdocs(config_file: Path, docs: Path, site: Path, *, nav: list) -> None:
    collector = _CollectWarnings()
    logger = logging.getLogger("mkdocs")
    logger.addHandler(collector)
    try:
        config = load_config(config_file=str(config_file), docs_dir=str(docs), site_dir=str(site), strict=True, nav=nav)
        mkdocs_build(config)
    except (Abort, MkDocsException) as exc:
        detail = "\n  ".join(collector.messages) or str(exc)
        raise BuildError(f"mkdocs build failed (strict):\n  {detail}") from None
    finally:
        logger.removeHandler(collector)


# What pages may load and run. Scripts: the site's own files, the theme's inline scripts by hash (added
# per page), and WebAssembly compilation for onnxruntime-web. Everything else: the site's own origin.
CSP = (
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval' {hashes}; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self' blob: data:; "
    "worker-src 'self' blob:; object-src 'none'; base-uri 'self'; form-action 'self'"
)
_INLINE_SCRIPT = re.compile(r"<script(?P<attrs>(?![^>]*\bsrc=)[^>]*)>(?P<body>.*?)</script>", re.DOTALL)


def add_content_security_policy(site: Path) -> None:
    """Give every page a CSP that allows exactly its own inline scripts (by hash), so injected ones never run."""
    for page in site.rglob("*.html"):
        html_text = page.read_text(encoding="utf-8")
        hashes = sorted(
            {
                "'sha256-" + base64.b64encode(hashlib.sha256(m["body"].encode()).digest()).decode() + "'"
                for m in _INLINE_SCRIPT.finditer(html_text)
                if "json" not in m["attrs"]  # data islands are never executed
            }
        )
        meta = f'<meta http-equiv="Content-Security-Policy" content="{CSP.format(hashes=" ".join(hashes))}">'
        page.write_text(html_text.replace("<head>", "<head>\n" + meta, 1), encoding="utf-8")


def _swap(new: Path, out: Path) -> None:
    """Replace `out` with `new`; the old site stays in place until the new one is complete."""
    old = out.with_name(f".{out.name}.old")
    if old.exists():
        shutil.rmtree(old)
    if out.exists():
        out.rename(old)
    new.rename(out)
    if old.exists():
        shutil.rmtree(old, ignore_errors=True)


@contextlib.contextmanager
def _lock(out: Path) -> Iterator[None]:
    lock_path = out.with_name(f".{out.name}.lock")
    with open(lock_path, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
