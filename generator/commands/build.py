"""`versus build`: validate the catalog, then build the static site atomically."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from ..loader import load_catalog
from ..site import BuildError, build_site


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("build", help="build the static site (refuses an invalid catalog)")
    parser.add_argument("--catalog", default="catalog", type=Path, help="catalog folder (default: catalog/)")
    parser.add_argument("--out", default="site", type=Path, help="output folder (default: site/)")
    parser.add_argument(
        "--artifacts",
        default=None,
        type=Path,
        help="exported artifacts to publish with the demo (default: $VERSUS_ARTIFACTS, else artifacts/ in the repository)",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    catalog = load_catalog(args.catalog)
    try:
        result = build_site(catalog, args.out, artifacts=args.artifacts)
    except BuildError as exc:
        print(f"build failed, {args.out}/ left as it was: {exc}", file=sys.stderr)
        return 1
    elapsed = time.perf_counter() - started
    print(f"built {result.pages} pages for {len(catalog.cards)} models into {result.out} in {elapsed:.1f} s")
    return 0
