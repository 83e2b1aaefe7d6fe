"""Writes the JSON Schemas that editors and contributors use: the card schema (via the
`yaml-language-server` comment in every card) and the measurement record schema."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from . import measurement, schema

SCHEMA_PATH = Path("catalog/schema/model-card.schema.json")
MEASUREMENT_SCHEMA_PATH = Path("catalog/schema/measurement.schema.json")
SCHEMAS: dict[Path, Callable[[], dict]] = {
    SCHEMA_PATH: schema.json_schema,
    MEASUREMENT_SCHEMA_PATH: measurement.json_schema,
}
REGENERATE = "versus schema"


def schema_text(path: Path = SCHEMA_PATH) -> str:
    return json.dumps(SCHEMAS[path](), indent=2, sort_keys=True) + "\n"


def write_schema(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(schema_text(path), encoding="utf-8")
    tmp.replace(path)
