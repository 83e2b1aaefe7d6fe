"""Playwright driving Debian's chromium (never a downloaded browser), and a served site, for e2e tests."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from generator.bench.browser import CHROMIUM_FLAGS  # one list for the tests and the bench


def chromium_path() -> str:
    path = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(path).exists():
        pytest.fail("chromium is not installed; .ci/test installs Debian's chromium (apt-get install chromium)")
    return path


@contextmanager
def serve(site: Path) -> Iterator[str]:
    from generator.serve import make_server

    server = make_server(site, port=0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def browser_page(*extra_flags: str) -> Iterator[object]:
    """A page in a fresh headless chromium; `extra_flags` are added to CHROMIUM_FLAGS."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=chromium_path(), args=[*CHROMIUM_FLAGS, *extra_flags], headless=True
        )
        try:
            yield browser.new_page()
        finally:
            browser.close()
