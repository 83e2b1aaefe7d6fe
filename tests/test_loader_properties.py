"""Property-based: whatever YAML a contributor writes, `versus check` answers with problems, never a crash,
and every problem names the file and a line inside it."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.loader import check_catalog

from .catalogs import FIXTURES, make_catalog

VALID = yaml.safe_load((FIXTURES / "cards" / "valid" / "tiny-detector.yaml").read_text())
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.dates().map(str),
    st.sampled_from(["TODO", "<script>", "../../etc/passwd", "javascript:x", "1e999"]),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=12), inner, max_size=4)),
    max_leaves=12,
)


@pytest.fixture(scope="module")
def catalog_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_catalog(tmp_path_factory.mktemp("prop"))


def assert_reported_well(root: Path, text: str) -> None:
    card = root / "models" / "tiny-detector.yaml"
    card.write_text(text, encoding="utf-8")
    catalog, problems = check_catalog(root)
    assert (catalog is None) == bool(problems)
    # Lines as the loader reads the file (universal newlines: a lone "\r" ends a line too).
    line_count = max(1, text.replace("\r\n", "\n").replace("\r", "\n").count("\n") + 1)
    for problem in problems:
        assert problem.path == card
        assert 1 <= problem.line <= line_count, str(problem)
        assert problem.message and problem.hint
        assert str(problem).startswith(f"{card}:{problem.line}:")


@SETTINGS
@given(st.text(max_size=400))
def test_any_text_gives_problems_not_crashes(catalog_dir: Path, text: str) -> None:
    assert_reported_well(catalog_dir, text)


def paths(data: Any, prefix: tuple = ()) -> list[tuple]:
    found = [prefix] if prefix else []
    if isinstance(data, dict):
        for k, v in data.items():
            found += paths(v, (*prefix, k))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            found += paths(v, (*prefix, i))
    return found


ALL_PATHS = paths(VALID)


@SETTINGS
@given(st.lists(st.tuples(st.sampled_from(ALL_PATHS), st.one_of(st.just("<delete>"), values)), min_size=1, max_size=4))
def test_mutated_cards_give_located_problems(catalog_dir: Path, mutations: list) -> None:
    data = copy.deepcopy(VALID)
    for path, value in mutations:
        parent = data
        try:
            for step in path[:-1]:
                parent = parent[step]
            if value == "<delete>":
                del parent[path[-1]]
            else:
                parent[path[-1]] = value
        except (KeyError, IndexError, TypeError):
            continue  # an earlier mutation removed this path
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    assert_reported_well(catalog_dir, text)
