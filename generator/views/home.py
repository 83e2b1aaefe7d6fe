"""The home page: catalog counts and the featured pairs with what this build can show of each."""

from __future__ import annotations

from dataclasses import dataclass

from .. import compare
from .inputs import SiteInputs
from .pages import HOME, pair_target


@dataclass(frozen=True)
class FeaturedView:
    title: str  # "A vs B"
    target: str  # the pair's page, or the client-side view
    query: str  # "" or "?a=…&b=…"
    why: str
    aligned: int  # figures measured the same way
    tables: int  # the keys they fall in
    demo: str  # what the pair's demo runs in this build, in words


@dataclass(frozen=True)
class HomeView:
    page: str
    models: int
    variants: int
    featured: tuple[FeaturedView, ...]


def featured(inputs: SiteInputs) -> tuple[FeaturedView, ...]:
    out = []
    for pair in inputs.catalog.featured:
        a, b = sorted((inputs.catalog.card(pair.a), inputs.catalog.card(pair.b)), key=lambda c: c.id)
        aligned = compare.aligned_metrics((a, b), inputs.registry, inputs.claims_of)
        plan = compare.demo_plan(a, b, inputs.registry, inputs.runnable)
        target, query = pair_target(a.id, b.id, inputs.static_pairs)
        out.append(
            FeaturedView(
                f"{a.name} vs {b.name}",
                target,
                query,
                pair.why,
                sum(len(row.claims) for row in aligned),
                len(aligned),
                plan.reason,
            )
        )
    return tuple(out)


def home_view(inputs: SiteInputs) -> HomeView:
    cards = inputs.cards
    return HomeView(HOME, len(cards), sum(len(c.variants) for c in cards), featured(inputs))
