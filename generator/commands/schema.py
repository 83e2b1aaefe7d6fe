"""`versus schema`: regenerate the card JSON Schema from the pydantic models."""

from __future__ import annotations

import argparse

from ..schema_file import SCHEMA_PATH, write_schema


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("schema", help=f"regenerate {SCHEMA_PATH} from the pydantic models")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    write_schema(SCHEMA_PATH)
    print(f"wrote {SCHEMA_PATH}")
    return 0
