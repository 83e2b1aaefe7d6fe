// The project's paths as generator/settings.py resolves them (README: Settings), so the JavaScript tests look
// where the Python side looks and no path is worked out twice. Runs `python3 -m generator.settings --json` from
// the repository root: that module needs only Python's standard library.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const CHECKOUT = fileURLToPath(new URL('../..', import.meta.url));

function load() {
  try {
    return JSON.parse(execFileSync('python3', ['-m', 'generator.settings', '--json'], { cwd: CHECKOUT, encoding: 'utf8' }));
  } catch (err) {
    throw new Error(`wasm_demo/test/settings.js: \`python3 -m generator.settings --json\` failed in ${CHECKOUT}: ${err.stderr || err.message}`);
  }
}

export const settings = load();
