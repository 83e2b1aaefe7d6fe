"""`versus schema`: regenerate the JSON Schemas from the pydantic models."""

from __future__ import annotations

import argparse

from ..schema_file import SCHEMAS, write_schema


def register(sub: argparse._SubParsersAction) -> None:
    names = ", ".join(str(p) for p in SCHEMAS)
    parser = sub.add_parser("schema", help=f"regenerate {names} from the pydantic models")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    for path in SCHEMAS:
        write_schema(path)
        print(f"wrote {path}")
    return 0
