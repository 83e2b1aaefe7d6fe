"""Serve a built site on localhost and rebuild it when the catalog or pages change.

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
    """Coalesce a burst of file events (an editor's save) into one rebuild."""

    def __init__(self, rebuild: Callable[[], None], delay: float = 0.3) -> None:
        self.rebuild, self.delay = rebuild, delay
        self._timer: threading.Timer | None = None
        self._lock = threading.Lock()

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type in ("opened", "closed_no_write") or "/." in str(event.src_path):
            return
        with self._lock:
            if self._timer:
                self._timer.cancel()
            self._timer = threading.Timer(self.delay, self.rebuild)
            self._timer.daemon = True
            self._timer.start()


def watch(paths: list[Path], rebuild: Callable[[], None]) -> BaseObserver:
    observer = Observer()
    handler = _Debounced(rebuild)
    for path in paths:
        if path.exists():
            observer.schedule(handler, str(path), recursive=True)
    observer.daemon = True
    observer.start()
    return observer


def serve_forever(site: Path, watched: list[Path], rebuild: Callable[[], bool], host: str, port: int) -> None:
    def on_change() -> None:
        started = time.perf_counter()
        if rebuild():
            print(f"rebuilt in {time.perf_counter() - started:.1f} s", file=sys.stderr)

    observer = watch(watched, on_change)
    server = make_server(site, host, port)
    print(f"serving {site} at http://{host}:{port}/ (Ctrl-C to stop); watching {', '.join(map(str, watched))}")
    try:
        server.serve_forever()
    finally:
        observer.stop()
        server.server_close()
