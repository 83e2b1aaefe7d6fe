"""Where each generated page lives, as its source path under the docs folder; the render layer makes links."""

from __future__ import annotations

from .. import compare

HOME = "index.md"
CATALOG = "models/index.md"
TASKS = "tasks.md"
CHART = "chart.md"
COMPARE_INDEX = "compare/index.md"
COMPARE_VIEW = "compare/view.md"  # the client-side pair view, for pairs without a page of their own


def model_page(card_id: str) -> str:
    return f"models/{card_id}.md"


def compare_page(a: str, b: str) -> str:
    return f"compare/{compare.pair_slug(a, b)}.md"


def pair_target(a: str, b: str, static_pairs: bool) -> tuple[str, str]:
    """Where a link to the pair goes, as (page, query): its own page, or the client-side view with `?a=&b=`."""
    if static_pairs:
        return compare_page(a, b), ""
    first, second = sorted((a, b))
    return COMPARE_VIEW, f"?a={first}&b={second}"


def all_models_page(task: str) -> str:
    """The page that runs one image through every trained model of `task` (beside the demo's manifest)."""
    return f"demo/{task}.md"
