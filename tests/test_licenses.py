"""Licences per artefact on the real catalog: what binds a user of a variant, and free commercial use."""

from __future__ import annotations

from generator import licenses


def held(catalog, card_id: str, variant_id: str) -> list[tuple[str, str]]:
    card = catalog.card(card_id)
    variant = next(v for v in card.variants if v.id == variant_id)
    return [(h.role, h.id) for h in licenses.variant_licenses(card, variant)]


def free(catalog, card_id: str, variant_id: str) -> bool | None:
    card = catalog.card(card_id)
    variant = next(v for v in card.variants if v.id == variant_id)
    return licenses.free_commercial_use(licenses.variant_licenses(card, variant), catalog.registry)


def test_weights_under_a_paid_platform_licence_are_not_free_for_commercial_use(catalog) -> None:
    assert ("weights", "LicenseRef-Roboflow-PML-1.0") in held(catalog, "rf-detr", "rf-detr-xlarge.coco")
    assert free(catalog, "rf-detr", "rf-detr-xlarge.coco") is False
    assert free(catalog, "rf-detr", "rf-detr-nano.coco") is True  # Apache-2.0 code and weights


def test_copyleft_is_free_commercial_use_with_duties(catalog) -> None:
    """AGPL asks for source disclosure, not for money or a non-commercial purpose."""
    assert free(catalog, "yolo11", "yolo11n.coco") is True


def test_an_unstated_weights_licence_leaves_the_answer_unknown(catalog) -> None:
    rows = [(v.id, free(catalog, "yolox", v.id)) for v in catalog.card("yolox").variants]
    assert rows and all(answer is None for _, answer in rows), rows


def test_upstream_licences_bind_the_variant(catalog) -> None:
    ids = [i for role, i in held(catalog, "deimv2", "deimv2-x.coco") if role.startswith("upstream")]
    assert ids == ["LicenseRef-DINOv3"]


def test_a_card_is_free_for_commercial_use_when_one_trained_variant_is(catalog) -> None:
    assert licenses.card_free_commercial_use(catalog.card("rf-detr"), catalog.registry)
    assert not licenses.card_free_commercial_use(catalog.card("fcos"), catalog.registry)  # non-commercial code
