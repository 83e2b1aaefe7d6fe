// "Measure on this device": turns the worker's per-run timings into a measurement record, the format
// `versus bench` writes (generator/measurement.py, catalog/schema/measurement.schema.json), so a visitor
// can contribute figures from their own hardware. Pure functions: the page (demo.js) gathers the inputs
// (navigator, timings, memory) and this module decides what they mean, so it is tested in Node.

import { BACKENDS } from './accelerators.js';

export const DEFAULT_RUNS = 20;
export const DEFAULT_WARMUP = 3;
const MAX_RUNS = 1000;
const MAX_WARMUP = 100;
const RECORD_VERSION = 1;
const GIB = 1024 ** 3;

export const SKIP_BROWSER_ONLY = "measured in a visitor's browser: native and accuracy are measured by `versus bench`";
export const SKIP_UNTRAINED = 'untrained test graph: random weights, so accuracy means nothing';

/**
 * Timings (ms) to a figure {median, q1, q3, min, max, runs}: quartiles by linear interpolation between
 * order statistics, exactly as `generator/bench/stats.py` (Python's `statistics.quantiles(method="inclusive")`,
 * the same arithmetic in the same order, so both give bit-identical doubles).
 */
export function figure(samples) {
  if (!samples?.length) throw new Error('figure: no timings to summarise');
  const v = samples.map(Number).sort((a, b) => a - b);
  if (!v.every(Number.isFinite)) throw new Error('figure: timings must be finite numbers');
  let q1, median, q3;
  if (v.length === 1) {
    q1 = median = q3 = v[0];
  } else {
    const n = 4;
    const m = v.length - 1;
    [q1, median, q3] = [1, 2, 3].map((i) => {
      const j = Math.floor((i * m) / n);
      const delta = (i * m) % n;
      return (v[j] * (n - delta) + v[j + 1] * delta) / n;
    });
  }
  return { median, q1, q3, min: v[0], max: v[v.length - 1], runs: v.length };
}

function boundedInt(text, fallback, min, max) {
  if (text === undefined || text === null || text === '') return fallback;
  const n = Number(text);
  return Number.isInteger(n) && n >= min && n <= max ? n : fallback;
}

/** Warm-up and timed runs from `data-measure-warmup` / `data-measure-runs` (a dataset); bad values fall back. */
export function measureSettings(dataset = {}) {
  return {
    warmup: boundedInt(dataset.measureWarmup, DEFAULT_WARMUP, 0, MAX_WARMUP),
    runs: boundedInt(dataset.measureRuns, DEFAULT_RUNS, 1, MAX_RUNS),
  };
}

/** Same as `generator.measurement.slug`: lower-case words joined by dashes. */
export function slug(text) {
  const s = String(text ?? '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return s || 'machine';
}

/** `YYYYMMDDTHHMMSSZ-<machine name>` (UTC), as `generator.measurement.run_id`. */
export function runId(date, machineName) {
  const iso = new Date(date).toISOString(); // 2025-01-02T03:04:05.678Z
  const stamp = `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}T${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
  return `${stamp}-${machineName}`;
}

/** The operating system's family from userAgentData, else from navigator.platform / the user agent. */
export function osFamily(nav) {
  const declared = nav?.userAgentData?.platform;
  if (declared) return declared;
  const text = `${nav?.platform ?? ''} ${nav?.userAgent ?? ''}`;
  const known = [
    [/android/i, 'Android'],
    [/iphone|ipad|ipod/i, 'iOS'],
    [/cros/i, 'Chrome OS'],
    [/win/i, 'Windows'],
    [/mac/i, 'macOS'],
    [/linux/i, 'Linux'],
  ];
  return known.find(([re]) => re.test(text))?.[1] ?? null;
}

const GREASE = /not.?a.?brand|^chromium$/i; // userAgentData lists fake brands, and Chromium under every Chrome

/**
 * Browser name and version. `highEntropy` is userAgentData.getHighEntropyValues(['fullVersionList', ...])
 * when the page could get it (full versions); else the low-entropy brands; else the user agent string.
 */
export function browserInfo(nav, highEntropy = null) {
  const list = highEntropy?.fullVersionList ?? nav?.userAgentData?.brands;
  if (Array.isArray(list) && list.length) {
    const real = list.find((b) => !GREASE.test(b.brand)) ?? list.find((b) => /^chromium$/i.test(b.brand));
    if (real) return { name: real.brand, version: String(real.version) };
  }
  const ua = nav?.userAgent ?? '';
  const patterns = [
    [/Edg\/([\d.]+)/, 'Microsoft Edge'],
    [/OPR\/([\d.]+)/, 'Opera'],
    [/Firefox\/([\d.]+)/, 'Firefox'],
    [/HeadlessChrome\/([\d.]+)/, 'HeadlessChrome'],
    [/Chrome\/([\d.]+)/, 'Chrome'],
    [/Version\/([\d.]+).*Safari\//, 'Safari'],
  ];
  for (const [re, name] of patterns) {
    const m = ua.match(re);
    if (m) return { name, version: m[1] };
  }
  return { name: 'unknown browser', version: '' };
}

/**
 * The machine as the browser reports it: no CPU model (browsers do not say), logical cores, memory from
 * navigator.deviceMemory (GiB, rounded by the browser and capped, Chrome: at 8), the OS family; `gpu` is the
 * accelerator a panel ran on (WebGPU adapter, WebNN device), if any. Name: `browser-<os>-<cores>c`.
 */
export function machineInfo(nav, { highEntropy = null, gpu = null } = {}) {
  const cores = nav?.hardwareConcurrency;
  if (!(Number.isInteger(cores) && cores >= 1)) throw new Error('this browser does not report its number of cores (navigator.hardwareConcurrency)');
  const family = osFamily(nav);
  const arch = [highEntropy?.architecture, highEntropy?.bitness ? `${highEntropy.bitness}-bit` : null].filter(Boolean).join(' ');
  const gib = nav?.deviceMemory;
  return {
    name: `${slug(`browser ${family ?? 'unknown'}`)}-${cores}c`,
    cpu: null,
    cores,
    memory_bytes: Number.isFinite(gib) && gib > 0 ? Math.round(gib * GIB) : null,
    os: family ? (arch ? `${family} ${arch}` : family) : null,
    gpu: gpu || null,
  };
}

/**
 * Memory of the page and one panel's worker, from performance.measureUserAgentSpecificMemory(): the total
 * minus what is attributed to the other panels' workers (each panel's worker has its own URL). Null when
 * there is no result, or when other workers exist but cannot be told apart (a figure for two models would
 * be false for one).
 */
export function panelMemory(result, otherWorkerUrls = []) {
  if (!result || !Number.isFinite(result.bytes)) return null;
  if (!otherWorkerUrls.length) return result.bytes;
  const others = new Set(otherWorkerUrls.map(String));
  let theirs = 0;
  let found = 0;
  for (const entry of result.breakdown ?? []) {
    if ((entry.attribution ?? []).some((a) => others.has(a.url))) {
      theirs += entry.bytes;
      found += 1;
    }
  }
  if (!found) return null;
  return Math.max(0, result.bytes - theirs);
}

/**
 * A BrowserLatency section from the timed runs (warm-up runs already left out). `runs` are the worker's
 * `timings` objects: {preprocessMs, inferenceMs, postprocessMs, totalMs}. `coldMs`: session creation plus
 * the worker's first inference (one sample), or null. `requestedThreads`: the demo's thread setting;
 * `threads`: what onnxruntime-web used (1 without cross-origin isolation).
 */
export function browserLatency({ backend, requestedThreads, threads, crossOriginIsolated, warmup, coldMs, runs, memoryBytes = null }) {
  if (!BACKENDS.includes(backend)) throw new Error(`unknown backend ${JSON.stringify(backend)}`);
  if (!runs?.length) throw new Error('no timed runs');
  const pick = (key) => runs.map((t) => t[key]);
  return {
    backend,
    requested_threads: requestedThreads,
    threads: backend === 'wasm' ? threads : null,
    cross_origin_isolated: crossOriginIsolated === true,
    warmup,
    cold: Number.isFinite(coldMs) ? figure([coldMs]) : null,
    inference: figure(pick('inferenceMs')),
    preprocess: figure(pick('preprocessMs')),
    postprocess: figure(pick('postprocessMs')),
    end_to_end: figure(pick('totalMs')),
    memory_bytes: Number.isFinite(memoryBytes) && memoryBytes >= 0 ? Math.round(memoryBytes) : null,
  };
}

/**
 * Why a demo manifest entry cannot have a record (null when it can): a record names a catalog artifact by
 * id and hash, which a dropped file has not, and which an old manifest may lack.
 */
export function recordProblem(entry) {
  if (!entry) return 'no model';
  if (entry.user) return 'your own file is not a catalog artifact, so no record is offered for it';
  const missing = ['artifact', 'card', 'variant', 'sha256', 'bytes'].filter((k) => !entry[k]);
  if (missing.length) return `the demo manifest gives no ${missing.join(', ')} for ${entry.variant ?? 'this model'}`;
  return null;
}

/** A complete `versus demo` measurement record for one manifest entry (throws with the reason when it cannot). */
export function measurementRecord({ entry, latency, machine, software, started, updated, commit = null }) {
  const problem = recordProblem(entry);
  if (problem) throw new Error(problem);
  const trained = entry.trained !== false;
  return {
    record_version: RECORD_VERSION,
    run: runId(started, machine.name),
    recorded_by: 'versus demo',
    started: new Date(started).toISOString(),
    updated: new Date(updated).toISOString(),
    commit: commit || null,
    machine,
    software,
    artifact: {
      artifact_id: entry.artifact,
      card_id: entry.card,
      variant_id: entry.variant,
      sha256: entry.sha256,
      bytes: entry.bytes,
      trained,
    },
    complete: true,
    native: [],
    browser: [latency],
    accuracy: null,
    skipped: { native: SKIP_BROWSER_ONLY, accuracy: trained ? SKIP_BROWSER_ONLY : SKIP_UNTRAINED },
  };
}

/** The software section: browser and onnxruntime-web versions (keys as `versus bench` writes them). */
export function softwareInfo(browser, ortVersion) {
  const software = { browser: `${browser.name} ${browser.version}`.trim() };
  if (ortVersion) software['onnxruntime-web'] = String(ortVersion);
  return software;
}

export function recordFileName(artifactId) {
  return `versus-measurement-${String(artifactId).replace(/[^A-Za-z0-9._-]+/g, '-')}.json`;
}
