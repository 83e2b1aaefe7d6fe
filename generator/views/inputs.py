"""What every page view is computed from, with the facts several pages share computed once."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from .. import compare
from ..export.manifest import OnnxArtifact
from ..schema import ModelCard, Registry

if TYPE_CHECKING:
    from ..loader import Catalog


@dataclass(frozen=True, eq=False)
class SiteInputs:
    """The catalog, this build's artifacts (by variant id, trained first), whether the build publishes the demo,
    and whether every pair gets its own page (the render layer decides from the catalog's size)."""

    catalog: Catalog
    artifacts: Mapping[str, Sequence[OnnxArtifact]] = field(default_factory=dict)
    demo_ready: bool = False
    static_pairs: bool = True
    not_exported: Mapping[str, str] = field(default_factory=dict)  # variant id -> why `versus export` could not
    # variant id -> (int8 artifact id, why): an int8 graph `versus export` made and did not publish
    int8_refused: Mapping[str, tuple[str, str]] = field(default_factory=dict)

    def not_exported_of(self, card: ModelCard) -> tuple[tuple[str, str], ...]:
        """(variant id, why) for the card's variants that the export could not give a trained artifact, in card
        order: the pages say so, plainly, instead of only showing no demo."""
        runnable = set(self.runnable.get(card.id, ()))
        return tuple(
            (v.id, self.not_exported[v.id]) for v in card.variants if v.id in self.not_exported and v.id not in runnable
        )

    @property
    def registry(self) -> Registry:
        return self.catalog.registry

    @property
    def cards(self) -> tuple[ModelCard, ...]:
        return self.catalog.cards

    @cached_property
    def _claims(self) -> dict[str, tuple[compare.Claim, ...]]:
        return {card.id: tuple(compare.claims(card, self.registry)) for card in self.cards}

    def claims_of(self, card: ModelCard) -> tuple[compare.Claim, ...]:
        """A card's claims, computed once per build: pair pages compare each card many times."""
        return self._claims[card.id]

    @cached_property
    def runnable(self) -> dict[str, list[str]]:
        """Per card, the variant ids of the trained artifacts this build exported: what the demo can run."""
        out: dict[str, list[str]] = {}
        for arts in self.artifacts.values():
            for a in arts:
                if a.trained:
                    out.setdefault(a.card_id, []).append(a.variant_id)
        return out
