"""Serve a built site on localhost and rebuild it when the catalog, pages, demo code, samples or artifacts change.

The server sends the cross-origin isolation headers so the in-browser demo can use
threads. Rebuilds reuse `versus build`: a card that fails validation is reported
and the last good site keeps being served.
"""

from __future__ import annotations

import functools
import sys
import threading
import time
from collections.abc import Callable
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver

ISOLATION_HEADERS = {
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Embedder-Policy": "require-corp",
    "Cross-Origin-Resource-Policy": "same-origin",
}


class SiteHandler(SimpleHTTPRequestHandler):
    extensions_map = {  # noqa: RUF012 - the base class declares it per instance
        **SimpleHTTPRequestHandler.extensions_map,
        ".mjs": "text/javascript",
        ".wasm": "application/wasm",
        ".onnx": "application/octet-stream",
    }

    def end_headers(self) -> None:
        for name, value in ISOLATION_HEADERS.items():
            self.send_header(name, value)
        self.send_header("Cache-Control", "no-cache")
        super().end_headers()

    def log_message(self, format: str, *args: object) -> None:  # quiet: one line per error only
        if args and str(args[1] if len(args) > 1 else "").startswith(("4", "5")):
            super().log_message(format, *args)


def make_server(site: Path, host: str = "127.0.0.1", port: int = 8000) -> ThreadingHTTPServer:
    handler = functools.partial(SiteHandler, directory=str(site))
    return ThreadingHTTPServer((host, port), handler)


class _Debounced(FileSystemEventHandler):
    """Coalesce a burst of file events (an editor's save, an export writing a folder) into one rebuild, handed
    the paths that changed."""

    def __init__(self, rebuild: Callable[[list[str]], None], delay: float = 0.3) -> None:
        self.rebuild, self.delay = rebuild, delay
        self._timer: threading.Timer | None = None
        self._lock = threading.Lock()
        self._changed: set[str] = set()

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type in ("opened", "closed_no_write") or "/." in str(event.src_path):
            return
        with self._lock:
            self._changed.add(str(event.src_path))
            if self._timer:
                self._timer.cancel()
            self._timer = threading.Timer(self.delay, self._fire)
            self._timer.daemon = True
            self._timer.start()

    def _fire(self) -> None:
        with self._lock:
            changed, self._changed = sorted(self._changed), set()
        self.rebuild(changed)


def watch(paths: list[Path], rebuild: Callable[[list[str]], None], delay: float = 0.3) -> BaseObserver:
    """Call `rebuild(changed paths)` after changes under any of `paths` (those that exist)."""
    observer = Observer()
    handler = _Debounced(rebuild, delay)
    for path in paths:
        if path.exists():
            observer.schedule(handler, str(path), recursive=True)
    observer.daemon = True
    observer.start()
    return observer


def describe(changed: list[str], watched: list[Path], limit: int = 3) -> str:
    """What changed, for the rebuild line: each path as `<watched folder's name>/<path inside it>`."""
    roots = [w.resolve() for w in watched]
    names = []
    for raw in changed:
        path = Path(raw).resolve()
        root = next((r for r in roots if path == r or path.is_relative_to(r)), None)
        names.append(raw if root is None else (root / path.relative_to(root)).relative_to(root.parent).as_posix())
    shown = ", ".join(names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


def serve_forever(site: Path, watched: list[Path], rebuild: Callable[[], bool], host: str, port: int) -> None:
    def on_change(changed: list[str]) -> None:
        started = time.perf_counter()
        if rebuild():
            print(
                f"rebuilt in {time.perf_counter() - started:.1f} s after changes to {describe(changed, watched)}",
                file=sys.stderr,
            )

    observer = watch(watched, on_change)
    server = make_server(site, host, port)
    print(f"serving {site} at http://{host}:{port}/ (Ctrl-C to stop); watching {', '.join(map(str, watched))}")
    try:
        server.serve_forever()
    finally:
        observer.stop()
        server.server_close()
