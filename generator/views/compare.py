"""The compare pages: the picker with every pair listed (while pairs get pages of their own), and the page
that hosts the client-side pair view."""

from __future__ import annotations

from dataclasses import dataclass

from .inputs import SiteInputs
from .pages import COMPARE_INDEX, COMPARE_VIEW, compare_page


@dataclass(frozen=True)
class Link:
    text: str
    page: str


@dataclass(frozen=True)
class PairList:
    """One model's pairs, each a link to its page."""

    name: str
    pairs: tuple[Link, ...]


@dataclass(frozen=True)
class CompareIndexView:
    page: str
    models: tuple[tuple[str, str], ...]  # (id, name), the picker's options
    static_pairs: bool
    pair_lists: tuple[PairList, ...]  # empty when pairs have no pages of their own
    pairs: int


@dataclass(frozen=True)
class ClientPairView:
    page: str


def compare_index_view(inputs: SiteInputs) -> CompareIndexView:
    cards = inputs.cards
    lists = (
        tuple(
            PairList(
                a.name, tuple(Link(f"{a.name} vs {b.name}", compare_page(a.id, b.id)) for b in cards if b.id != a.id)
            )
            for a in cards
        )
        if inputs.static_pairs
        else ()
    )
    n = len(cards)
    return CompareIndexView(
        COMPARE_INDEX, tuple((c.id, c.name) for c in cards), inputs.static_pairs, lists, n * (n - 1) // 2
    )


def client_pair_view(inputs: SiteInputs) -> ClientPairView:
    return ClientPairView(COMPARE_VIEW)
