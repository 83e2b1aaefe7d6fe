#!/usr/bin/env python3
"""Smoke test of a built site before it is published: serve it on 127.0.0.1, open a comparison page of two
trained models in headless Chromium, and wait until both demo panels show boxes on the page's sample image.

Usage: smoke.py SITE_DIR. The browser is $VERSUS_CHROMIUM (a path, or `bundled` for Playwright's own, as
installed by `playwright install chromium`), else `chromium` on PATH, else Playwright's own. Exit status 0 when both panels drew boxes, 1 with the reason otherwise.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import threading
from pathlib import Path

from generator.bench.browser import CHROMIUM_FLAGS
from generator.serve import make_server

TIMEOUT_MS = 180_000


def pair_page(site: Path) -> str:
    """The comparison page of the first two cards with a trained artifact in the demo manifest."""
    manifest = json.loads((site / "demo" / "manifest.json").read_text(encoding="utf-8"))
    cards = sorted({m["card"] for m in manifest["models"] if m.get("trained")})
    if len(cards) < 2:
        raise SystemExit(
            f"smoke: {site}/demo/manifest.json has {len(cards)} trained model(s); a pair needs two "
            "(did `versus export` run before the build?)"
        )
    a, b = cards[:2]
    page = site / "compare" / f"{a}-vs-{b}" / "index.html"
    if not page.is_file():
        raise SystemExit(f"smoke: {page} is missing: the build made no page for the pair {a} / {b}")
    return f"/compare/{a}-vs-{b}/"


def browser_path() -> str | None:
    chosen = os.environ.get("VERSUS_CHROMIUM")
    if chosen == "bundled":
        return None
    return chosen or shutil.which("chromium")


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    site = Path(argv[0])
    path = pair_page(site)
    from playwright.sync_api import sync_playwright

    server = make_server(site, port=0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}{path}"
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=browser_path(), args=CHROMIUM_FLAGS, headless=True)
            page = browser.new_page()
            page.goto(url)
            page.wait_for_function(
                "() => document.querySelectorAll('.vs-panel[data-result]').length >= 2", timeout=TIMEOUT_MS, polling=100
            )
            results = [
                json.loads(el.get_attribute("data-result")) for el in page.query_selector_all(".vs-panel[data-result]")
            ]
            browser.close()
    finally:
        server.shutdown()
    counts = [len(r.get("detections", [])) for r in results]
    names = [r.get("model", "?") for r in results]
    if len(counts) < 2 or min(counts) == 0:
        print(f"smoke: FAILED on {path}: detections per panel {dict(zip(names, counts))}", file=sys.stderr)
        return 1
    print(f"smoke: {path}: both panels drew boxes ({', '.join(f'{n}: {c}' for n, c in zip(names, counts))})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
