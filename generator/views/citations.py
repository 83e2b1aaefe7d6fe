"""Citations: each sourced fact points at its card's numbered source list, on the card's own page.

Numbers follow the order of the card's `sources`, so a fact has the same number on every page that cites it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ..schema import Cited, ModelCard
from .pages import model_page


@dataclass(frozen=True)
class Cite:
    """A numbered link to one source in a card's source list. `page` holds the list; on that page itself the
    link is the anchor alone (the render layer's `url` filter decides)."""

    number: int
    title: str  # the source's title, and the part of it the fact comes from
    page: str
    anchor: str  # `src-<source key>`


@dataclass(frozen=True)
class SourceEntry:
    """One entry of a card's source list, in citation order."""

    number: int
    anchor: str
    url: str
    title: str
    kind: str
    accessed: str


def anchor(source: str) -> str:
    return f"src-{source}"


def number(card: ModelCard, source: str) -> int:
    return list(card.sources).index(source) + 1


def cite(card: ModelCard, fact: Cited) -> Cite:
    source = card.sources[fact.source]
    title = source.title + (f" — {fact.part}" if fact.part else "")
    return Cite(number(card, fact.source), title, model_page(card.id), anchor(fact.source))


def cites(card: ModelCard, facts: Iterable[Cited]) -> tuple[Cite, ...]:
    return tuple(cite(card, f) for f in facts)


def sources(card: ModelCard) -> tuple[SourceEntry, ...]:
    return tuple(
        SourceEntry(i, anchor(key), str(s.url), s.title, s.kind, str(s.accessed))
        for i, (key, s) in enumerate(card.sources.items(), start=1)
    )
