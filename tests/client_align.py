"""The client-side pair view's align (site_src/assets/versus.js) run in Node on the catalog's catalog.json, for
every pair: the tests compare its groups with what the static pair pages show."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from generator.render import catalog_json

from .catalogs import ROOT

NODE_ALIGN = """
const VersusAlign = require(process.argv[1]);
const data = JSON.parse(require('fs').readFileSync(process.argv[2], 'utf8'));
const ids = Object.keys(data.views).sort();
const out = {};
for (let i = 0; i < ids.length; i++) for (let j = i + 1; j < ids.length; j++) {
  out[ids[i] + '|' + ids[j]] = VersusAlign.align(data.views[ids[i]], data.views[ids[j]]).map(g => ({
    key: g.key, label: g.rows[0].metric.label,
    rows: g.rows.map(r => ({name: r.view.name, variant: r.metric.variant, checkpoint: r.metric.checkpoint,
                            value: r.metric.value, shown: r.metric.shown, kind_label: r.metric.kind_label,
                            source: r.metric.source, best: r.best}))}));
}
process.stdout.write(JSON.stringify(out));
"""


def client_groups(catalog, folder: Path) -> dict[str, list[dict]]:
    """Per pair `a|b` (ids sorted), the aligned groups the client view makes: key, label and rows."""
    path = folder / "catalog.json"
    path.write_text(catalog_json(catalog), encoding="utf-8")
    done = subprocess.run(
        ["node", "-e", NODE_ALIGN, str(ROOT / "site_src" / "assets" / "versus.js"), str(path)],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return json.loads(done.stdout)
