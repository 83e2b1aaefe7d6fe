"""Writes the card JSON Schema that editors use (via the `yaml-language-server` comment)."""

from __future__ import annotations

import json
from pathlib import Path

from .schema import json_schema

SCHEMA_PATH = Path("catalog/schema/model-card.schema.json")
REGENERATE = "versus schema"


def schema_text() -> str:
    return json.dumps(json_schema(), indent=2, sort_keys=True) + "\n"


def write_schema(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(schema_text(), encoding="utf-8")
    tmp.replace(path)
