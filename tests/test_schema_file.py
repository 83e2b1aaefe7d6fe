"""The JSON Schemas in catalog/schema/ are generated from the pydantic models and must not go stale."""

from __future__ import annotations

import json

import pytest

from generator.schema_file import REGENERATE, SCHEMAS, schema_text

from .catalogs import ROOT


@pytest.mark.parametrize("path", list(SCHEMAS), ids=str)
def test_schema_file_is_current(path) -> None:
    committed = (ROOT / path).read_text(encoding="utf-8")
    assert committed == schema_text(path), f"{path} is stale; regenerate it with `{REGENERATE}` and commit it"


def test_schema_rejects_unknown_keys_for_editors() -> None:
    schema = json.loads(schema_text())
    assert schema["additionalProperties"] is False
    assert "variants" in schema["required"]
