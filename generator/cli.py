"""The `versus` command. Each subcommand lives in its own module under
`generator.commands` and registers itself; this file only dispatches."""

from __future__ import annotations

import argparse
import importlib
import sys

from .loader import CatalogError
from .settings import SettingsError

# Subcommand modules, in the order `versus --help` lists them. Each has
# `register(subparsers)`, which adds its parser and sets `func`.
COMMANDS = ("check", "new", "build", "serve", "schema", "export", "bench", "synth")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="versus", description="Build the Versus model-comparison site from catalog/.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMANDS:
        importlib.import_module(f"generator.commands.{name}").register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except CatalogError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print(f"\n{len(exc.problems)} problem(s); fix them and run `versus check`.", file=sys.stderr)
        return 1
    except SettingsError as exc:
        print(f"versus {args.command}: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
