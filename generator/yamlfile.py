"""Reading YAML safely, keeping the line of every key so errors can point at it.

Cards come from contributors: the reader refuses anchors and aliases (the
"billion laughs"), non-standard tags (which could construct Python objects),
duplicate keys, oversized files and deep nesting before anything is built.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

MAX_BYTES = 1_000_000
MAX_DEPTH = 40
_SAFE_TAGS = {"tag:yaml.org,2002:" + t for t in ("map", "seq", "str", "int", "float", "bool", "null", "timestamp")}
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

Loc = tuple[str | int, ...]


class YamlError(Exception):
    """A file that is not acceptable YAML; `line` is 1-based."""

    def __init__(self, line: int, message: str, hint: str) -> None:
        super().__init__(message)
        self.line, self.message, self.hint = line, message, hint


@dataclass
class LineMap:
    """Maps a location inside the document (keys and list indexes) to its line."""

    lines: dict[Loc, int] = field(default_factory=dict)

    def line_of(self, loc: Loc) -> int:
        """The line of the deepest part of `loc` that exists in the file.

        Validation locations can hold steps the file does not have (a single
        value wrapped into a list, a union member's tag): those are skipped.
        """
        current: Loc = ()
        best = self.lines.get(current, 1)
        for step in loc:
            candidate = (*current, step)
            if candidate in self.lines:
                current = candidate
                best = self.lines[current]
        return best


def read_yaml(path: Path) -> tuple[Any, LineMap]:
    """Parse one YAML document from `path` into plain data and its line map."""
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise YamlError(
                1, f"file is {size:,} bytes, over the {MAX_BYTES:,}-byte limit", "a card is a few KB; split or trim it"
            )
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise YamlError(1, f"not UTF-8 text ({exc.reason})", "save the file as UTF-8") from None
    return parse_yaml(text)


def parse_yaml(text: str) -> tuple[Any, LineMap]:
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            raise YamlError(1, "the file is empty", "start from `versus new <id>`")
        lines = LineMap()
        _walk(node, (), 0, lines, set())
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        message = f"malformed YAML: {exc.problem or exc.context}"
        if exc.context and exc.context_mark and exc.problem_mark and exc.context_mark.line != exc.problem_mark.line:
            message += f" ({exc.context} started on line {exc.context_mark.line + 1})"
        hint = "check indentation, colons, quotes and brackets on that line and the one it names"
        last_line = text.count("\n") + 1  # libyaml marks end-of-file problems one line past the end
        raise YamlError(min(mark.line + 1, last_line) if mark else 1, message, hint) from None
    except yaml.YAMLError as exc:
        raise YamlError(1, f"malformed YAML: {exc}", "check the file's syntax") from None
    except RecursionError:
        raise YamlError(1, "structure nested too deeply", f"cards nest at most {MAX_DEPTH} levels") from None
    finally:
        loader.dispose()
    return data, lines


def _walk(node: yaml.Node, loc: Loc, depth: int, lines: LineMap, seen: set[int]) -> None:
    line = node.start_mark.line + 1
    if id(node) in seen:
        raise YamlError(
            lines.lines.get(loc, line), "anchors and aliases (& and *) are not allowed", "write the value out in full"
        )
    seen.add(id(node))
    if depth > MAX_DEPTH:
        raise YamlError(
            line, f"structure nested more than {MAX_DEPTH} levels deep", "cards are shallow; flatten this part"
        )
    if node.tag not in _SAFE_TAGS:
        raise YamlError(
            line,
            f"tag {node.tag!r} is not allowed",
            "remove the `!` tag; cards hold plain strings, numbers, dates, lists and mappings",
        )
    if isinstance(node, yaml.MappingNode):
        keys: set[Any] = set()
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise YamlError(
                    key_node.start_mark.line + 1, "mapping keys must be plain words", "write the key as text"
                )
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise YamlError(
                    key_node.start_mark.line + 1, "merge keys (<<) are not allowed", "write the keys out in full"
                )
            key = key_node.value
            key = int(key) if key_node.tag == "tag:yaml.org,2002:int" and key.lstrip("-").isdigit() else key
            if key in keys:
                raise YamlError(
                    key_node.start_mark.line + 1,
                    f"key {key!r} appears twice in this mapping",
                    "keep one; the second would silently replace the first",
                )
            keys.add(key)
            lines.lines[(*loc, key)] = key_node.start_mark.line + 1
            _walk(value_node, (*loc, key), depth + 1, lines, seen)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            lines.lines[(*loc, index)] = item.start_mark.line + 1
            _walk(item, (*loc, index), depth + 1, lines, seen)
    if not loc:
        lines.lines[()] = line
