"""The `versus` command: a thin layer over the library; each subcommand lives in its own module."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .loader import CatalogError, check_catalog


def _check(args: argparse.Namespace) -> int:
    catalog, problems = check_catalog(Path(args.catalog))
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(f"\n{len(problems)} problem(s); fix them and run `versus check` again.", file=sys.stderr)
        return 1
    assert catalog is not None
    variants = sum(len(c.variants) for c in catalog.cards)
    print(f"catalog OK: {len(catalog.cards)} cards, {variants} variants")
    return 0


def _schema(args: argparse.Namespace) -> int:
    from .schema_file import SCHEMA_PATH, write_schema

    write_schema(SCHEMA_PATH)
    print(f"wrote {SCHEMA_PATH}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="versus", description="Build the Versus model-comparison site from catalog/.")
    sub = parser.add_subparsers(dest="command", required=True)
    check = sub.add_parser("check", help="validate every card and report all problems")
    check.add_argument("--catalog", default="catalog", help="catalog folder (default: catalog/)")
    check.set_defaults(func=_check)
    schema = sub.add_parser("schema", help="regenerate catalog/schema/model-card.schema.json from the pydantic models")
    schema.set_defaults(func=_schema)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except CatalogError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
