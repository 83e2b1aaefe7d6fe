"""Reading JSON records safely, keeping the line of every key so errors can point at it.

Measurement records come from contributors too (a visitor's browser writes one): the reader refuses
oversized files, duplicate keys and deep nesting, and maps every key to its line like `yamlfile` does
for cards, so a record's problems read `path:line: field: message (hint: ...)`.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_right
from pathlib import Path
from typing import Any

from .yamlfile import MAX_BYTES, MAX_DEPTH, LineMap, Loc, YamlError

_SPACE = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()
_scanstring: Any = json.decoder.scanstring  # type: ignore[attr-defined]  # public, but not in typeshed


def _skip_space(text: str, pos: int) -> int:
    """The position of the next non-blank character at or after `pos`."""
    match = _SPACE.match(text, pos)
    assert match is not None  # the pattern matches the empty string
    return match.end()


def read_json(path: Path) -> tuple[Any, LineMap]:
    """Parse `path` into plain data and its line map; YamlError (line, message, hint) when it is not acceptable."""
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise YamlError(
            1,
            f"file is {size:,} bytes, over the {MAX_BYTES:,}-byte limit",
            "a record is a few KB; is this really a measurement record?",
        )
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise YamlError(1, f"not UTF-8 text ({exc.reason})", "save the file as UTF-8") from None
    return parse_json(text)


def parse_json(text: str) -> tuple[Any, LineMap]:
    try:
        data = json.loads(text, object_pairs_hook=_no_duplicates)
    except json.JSONDecodeError as exc:
        raise YamlError(
            exc.lineno, f"malformed JSON: {exc.msg}", "check commas, quotes and brackets on that line"
        ) from None
    except _Duplicate as exc:
        raise YamlError(
            1, f"key {exc.key!r} appears twice in one object", "keep one; the second would silently replace the first"
        ) from None
    except RecursionError:
        raise YamlError(1, "structure nested too deeply", f"records nest at most {MAX_DEPTH} levels") from None
    if _depth(data) > MAX_DEPTH:
        raise YamlError(
            1,
            f"structure nested more than {MAX_DEPTH} levels deep",
            "records are shallow; is this really a measurement record?",
        )
    lines = LineMap()
    newlines = [m.start() for m in re.finditer("\n", text)]
    _walk(text, _skip_space(text, 0), (), lines, lambda pos: bisect_right(newlines, pos) + 1)
    lines.lines[()] = 1
    return data, lines


class _Duplicate(Exception):
    def __init__(self, key: str) -> None:
        self.key = key


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _Duplicate(key)
        out[key] = value
    return out


def _depth(data: Any) -> int:
    if isinstance(data, dict):
        return 1 + max(map(_depth, data.values()), default=0)
    if isinstance(data, list):
        return 1 + max(map(_depth, data), default=0)
    return 0


def _walk(text: str, pos: int, loc: Loc, lines: LineMap, line_at: Any) -> int:
    """Record the line of every key and list item below `loc`; return the end of the value at `pos`.
    The text is already known to be valid JSON, so this only tracks positions."""
    opener = text[pos]
    if opener not in "{[":
        return _DECODER.raw_decode(text, pos)[1]
    closer, index = ("}" if opener == "{" else "]"), 0
    pos = _skip_space(text, pos + 1)
    while text[pos] != closer:
        if opener == "{":
            key, after = _scanstring(text, pos + 1)
            step: str | int = key
            lines.lines[(*loc, step)] = line_at(pos)
            pos = _skip_space(text, _skip_space(text, after) + 1)  # past the colon
        else:
            step = index
            lines.lines[(*loc, step)] = line_at(pos)
            index += 1
        pos = _skip_space(text, _walk(text, pos, (*loc, step), lines, line_at))
        if text[pos] == ",":
            pos = _skip_space(text, pos + 1)
    return pos + 1
