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


def test_the_truth_engine_fields_are_described_with_an_example() -> None:
    """Editors show these descriptions as a card is typed; a field without one is a field nobody fills right."""
    import json

    from .catalogs import CATALOG

    defs = json.loads((CATALOG / "schema" / "model-card.schema.json").read_text(encoding="utf-8"))["$defs"]
    fields = {
        "Metric": ["source_kind", "protocol", "input_size", "checkpoint"],
        "Variant": ["checkpoint", "pretraining", "upstream_licenses"],
        "Weights": ["license", "license_url"],
        "Protocol": ["evaluator", "max_detections", "score_threshold", "nms"],
        "UpstreamLicense": ["id", "component"],
        "License": ["id"],
    }
    for model, names in fields.items():
        for name in names:
            prop = defs[model]["properties"][name]
            assert prop.get("description") and prop.get("examples"), f"{model}.{name}"
