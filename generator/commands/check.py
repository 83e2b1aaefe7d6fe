"""`versus check`: validate the catalog (cards, registry, measurement records) and report every problem at once."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..loader import check_catalog


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("check", help="validate every card and measurement record and report all problems")
    parser.add_argument("--catalog", default="catalog", type=Path, help="catalog folder (default: catalog/)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    catalog, problems = check_catalog(args.catalog)
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(f"\n{len(problems)} problem(s); fix them and run `versus check` again.", file=sys.stderr)
        return 1
    assert catalog is not None
    variants = sum(len(c.variants) for c in catalog.cards)
    runs = len({r.run for r in catalog.measurements})
    print(
        f"catalog OK: {len(catalog.cards)} cards, {variants} variants, {len(catalog.measurements)} measurement records in {runs} run{'s' if runs != 1 else ''}"
    )
    return 0
