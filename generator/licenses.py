"""Which licences bind a user of a variant, and whether they allow free commercial use. Pure functions
over cards and the registry's licence entries."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from .spdx import NOT_STATED

if TYPE_CHECKING:
    from .schema import ModelCard, Registry, Variant

BLOCKS_FREE_COMMERCIAL_USE = frozenset({"non-commercial", "paid-plan"})


@dataclass(frozen=True)
class Held:
    """One licence a user of a variant is bound by, and what it covers."""

    role: str  # "code", "weights" or "upstream: <component>"
    id: str


def variant_licenses(card: ModelCard, variant: Variant) -> list[Held]:
    """The code's licence, the official weights' licences (all weights' when none is official), and every
    upstream licence: what using this variant's published checkpoint binds a user to."""
    held = [Held("code", card.license.id)]
    official = [w for w in variant.weights if w.official and w.trained] or [w for w in variant.weights if w.trained]
    held += [Held("weights", w.license) for w in official]
    held += [Held(f"upstream: {u.component}", u.id) for u in variant.upstream_licenses]
    return held


def blocking(held: list[Held], registry: Registry) -> list[str]:
    """The licences held that rule out free commercial use, with the clause: `LicenseRef-X: paid-plan`."""
    out = []
    for h in held:
        clauses = (
            set(registry.licenses[h.id].obligations) & BLOCKS_FREE_COMMERCIAL_USE
            if h.id in registry.licenses
            else set()
        )
        if clauses:
            out.append(f"{h.id}: {', '.join(sorted(clauses))}")
    return out


def free_commercial_use(held: list[Held], registry: Registry) -> bool | None:
    """True when no licence held forbids commercial use or asks for a paid plan; None when a licence is not
    stated (nobody can say); False otherwise."""
    if any(h.id == NOT_STATED for h in held):
        return None
    return not blocking(held, registry)


def card_free_commercial_use(card: ModelCard, registry: Registry) -> bool:
    """Whether at least one variant with published trained weights can be used commercially without a paid plan."""
    return any(
        free_commercial_use(variant_licenses(card, v), registry) is True
        for v in card.variants
        if any(w.trained for w in v.weights)
    )


def weights_licenses(card: ModelCard) -> list[str]:
    """Every licence id of the card's trained weights and upstream parts, sorted."""
    return sorted({h.id for v in card.variants for h in variant_licenses(card, v) if h.role != "code"})


def licenses_differ(card: ModelCard) -> bool:
    """Whether any variant's weights or upstream parts are under another licence than the code."""
    return any(h.id != card.license.id for v in card.variants for h in variant_licenses(card, v))
