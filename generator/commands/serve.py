"""`versus serve`: build, serve at http://127.0.0.1:8000 and rebuild when anything a build reads changes."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..loader import CatalogError, load_catalog
from ..serve import serve_forever
from ..settings import current as current_settings
from ..site import PROJECT, BuildError, build_site


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("serve", help="build and serve the site locally, rebuilding on change")
    parser.add_argument("--catalog", default="catalog", type=Path, help="catalog folder (default: catalog/)")
    parser.add_argument("--out", default="site", type=Path, help="output folder (default: site/)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", default=8000, type=int)
    parser.set_defaults(func=run)


def watched_paths(catalog: Path, artifacts: Path, project: Path = PROJECT) -> list[Path]:
    """Everything a build reads: the catalog, the pages and templates, the demo's code and shipped samples, and
    the exported artifacts (a `versus export` in another terminal shows up without a restart)."""
    return [
        catalog,
        project / "site_src",
        project / "generator" / "templates",
        project / "mkdocs.yml",
        project / "wasm_demo" / "src",
        project / "wasm_demo" / "samples",
        artifacts,
    ]


def run(args: argparse.Namespace) -> int:
    def rebuild() -> bool:
        try:
            build_site(load_catalog(args.catalog), args.out)
            return True
        except CatalogError as exc:
            for problem in exc.problems:
                print(problem, file=sys.stderr)
        except BuildError as exc:
            print(exc, file=sys.stderr)
        print("still serving the last good build", file=sys.stderr)
        return False

    if not rebuild() and not args.out.exists():
        return 1
    artifacts = current_settings().artifacts
    artifacts.mkdir(parents=True, exist_ok=True)  # watched from the start, so a first export triggers a rebuild
    serve_forever(args.out.resolve(), watched_paths(args.catalog, artifacts), rebuild, args.host, args.port)
    return 0
