"""The JSON Schema in catalog/schema/ is generated from the pydantic models and must not go stale."""

from __future__ import annotations

import json

from generator.schema_file import REGENERATE, SCHEMA_PATH, schema_text

from .catalogs import ROOT


def test_schema_file_is_current() -> None:
    committed = (ROOT / SCHEMA_PATH).read_text(encoding="utf-8")
    assert committed == schema_text(), f"{SCHEMA_PATH} is stale; regenerate it with `{REGENERATE}` and commit it"


def test_schema_rejects_unknown_keys_for_editors() -> None:
    schema = json.loads(schema_text())
    assert schema["additionalProperties"] is False
    assert "variants" in schema["required"]
