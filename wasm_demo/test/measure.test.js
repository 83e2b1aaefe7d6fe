// "Measure on this device": figures as generator/bench/stats.py computes them, and records in the format of
// generator/measurement.py (tests/test_measure_record.py validates this module's records with pydantic).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEFAULT_RUNS,
  DEFAULT_WARMUP,
  SKIP_BROWSER_ONLY,
  SKIP_UNTRAINED,
  browserInfo,
  browserLatency,
  figure,
  machineInfo,
  measureSettings,
  measurementRecord,
  osFamily,
  panelMemory,
  recordFileName,
  recordProblem,
  runId,
  slug,
  softwareInfo,
} from '../src/measure.js';

test('figure: quartiles by linear interpolation, the values Python gives (statistics.quantiles, inclusive)', () => {
  // expected values printed by generator.bench.stats.figure
  assert.deepEqual(figure([3]), { median: 3, q1: 3, q3: 3, min: 3, max: 3, runs: 1 });
  assert.deepEqual(figure([5.5, 1.25]), { median: 3.375, q1: 2.3125, q3: 4.4375, min: 1.25, max: 5.5, runs: 2 });
  assert.deepEqual(figure([4, 2, 1, 3]), { median: 2.5, q1: 1.75, q3: 3.25, min: 1, max: 4, runs: 4 });
  assert.deepEqual(figure([10.1, 9.7, 12.3, 11.0, 10.4]), { median: 10.4, q1: 10.1, q3: 11.0, min: 9.7, max: 12.3, runs: 5 });
  assert.deepEqual(figure([0.7, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6]), { median: 0.4, q1: 0.25, q3: 0.55, min: 0.1, max: 0.7, runs: 7 });
});

test('figure: sorts a copy, refuses nothing and non-numbers', () => {
  const samples = [3, 1, 2];
  figure(samples);
  assert.deepEqual(samples, [3, 1, 2]);
  assert.throws(() => figure([]), /no timings/);
  assert.throws(() => figure([1, NaN]), /finite/);
});

test('measureSettings: data-measure-* attributes within bounds, else the defaults', () => {
  assert.deepEqual(measureSettings({}), { warmup: DEFAULT_WARMUP, runs: DEFAULT_RUNS });
  assert.deepEqual(measureSettings({ measureWarmup: '0', measureRuns: '5' }), { warmup: 0, runs: 5 });
  assert.deepEqual(measureSettings({ measureWarmup: '-1', measureRuns: '0' }), { warmup: DEFAULT_WARMUP, runs: DEFAULT_RUNS });
  assert.deepEqual(measureSettings({ measureWarmup: '2.5', measureRuns: 'many' }), { warmup: DEFAULT_WARMUP, runs: DEFAULT_RUNS });
});

test('runId and slug: as generator.measurement writes them (UTC)', () => {
  assert.equal(runId(new Date('2026-03-04T05:06:07.890Z'), 'browser-linux-8c'), '20260304T050607Z-browser-linux-8c');
  assert.equal(runId('2026-03-04T23:30:00+02:00', 'x'), '20260304T213000Z-x');
  assert.equal(slug('Chrome OS'), 'chrome-os');
  assert.equal(slug('  --  '), 'machine');
});

const CHROME_UA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36';
const FIREFOX_UA = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14.5; rv:140.0) Gecko/20100101 Firefox/140.0';
const SAFARI_UA = 'Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Mobile/15E148 Safari/604.1';

test('browserInfo: the real brand from userAgentData (not the GREASE one), else the user agent', () => {
  const brands = [
    { brand: 'Not)A;Brand', version: '8' },
    { brand: 'Chromium', version: '156' },
    { brand: 'Google Chrome', version: '156' },
  ];
  assert.deepEqual(browserInfo({ userAgentData: { brands } }), { name: 'Google Chrome', version: '156' });
  const full = [
    { brand: 'Chromium', version: '156.0.8078.79' },
    { brand: 'Not:A-Brand', version: '99.0.0.0' },
  ];
  assert.deepEqual(browserInfo({ userAgentData: { brands } }, { fullVersionList: full }), { name: 'Chromium', version: '156.0.8078.79' });
  assert.deepEqual(browserInfo({ userAgent: FIREFOX_UA }), { name: 'Firefox', version: '140.0' });
  assert.deepEqual(browserInfo({ userAgent: SAFARI_UA }), { name: 'Safari', version: '18.0' });
  assert.deepEqual(browserInfo({ userAgent: CHROME_UA }), { name: 'Chrome', version: '156.0.0.0' });
  assert.deepEqual(browserInfo({}), { name: 'unknown browser', version: '' });
});

test('osFamily and machineInfo: what the browser reports, nothing guessed', () => {
  assert.equal(osFamily({ userAgentData: { platform: 'Windows' } }), 'Windows');
  assert.equal(osFamily({ platform: 'MacIntel', userAgent: FIREFOX_UA }), 'macOS');
  assert.equal(osFamily({ platform: 'iPhone', userAgent: SAFARI_UA }), 'iOS');
  assert.equal(osFamily({ platform: 'Linux x86_64', userAgent: CHROME_UA }), 'Linux');
  assert.equal(osFamily({}), null);

  const nav = { hardwareConcurrency: 8, deviceMemory: 8, userAgentData: { platform: 'Linux' } };
  assert.deepEqual(machineInfo(nav, { highEntropy: { architecture: 'x86', bitness: '64' } }), {
    name: 'browser-linux-8c',
    cpu: null,
    cores: 8,
    memory_bytes: 8 * 1024 ** 3,
    os: 'Linux x86 64-bit',
    gpu: null,
  });
  const firefox = machineInfo({ hardwareConcurrency: 4, platform: 'MacIntel', userAgent: FIREFOX_UA }, { gpu: 'apple metal-3' });
  assert.equal(firefox.name, 'browser-macos-4c');
  assert.equal(firefox.memory_bytes, null, 'no navigator.deviceMemory: null, not a guess');
  assert.equal(firefox.gpu, 'apple metal-3');
  assert.equal(machineInfo({ hardwareConcurrency: 2, deviceMemory: 0.5 }).memory_bytes, 512 * 1024 ** 2);
  assert.equal(machineInfo({ hardwareConcurrency: 2 }).name, 'browser-unknown-2c');
  assert.throws(() => machineInfo({}), /hardwareConcurrency/);
});

test('panelMemory: the page and this panel’s worker; null when another worker cannot be told apart', () => {
  const result = {
    bytes: 1000,
    breakdown: [
      { bytes: 100, attribution: [{ url: 'https://x/demo.html', scope: 'Window' }] },
      { bytes: 300, attribution: [{ url: 'https://x/worker.js?panel=0', scope: 'DedicatedWorkerGlobalScope' }] },
      { bytes: 550, attribution: [{ url: 'https://x/worker.js?panel=1', scope: 'DedicatedWorkerGlobalScope' }] },
      { bytes: 50, attribution: [] },
    ],
  };
  assert.equal(panelMemory(result, []), 1000);
  assert.equal(panelMemory(result, ['https://x/worker.js?panel=1']), 450);
  assert.equal(panelMemory(result, ['https://x/worker.js?panel=0']), 700);
  assert.equal(panelMemory(result, ['https://x/worker.js?panel=7']), null);
  assert.equal(panelMemory(null, []), null);
});

const timings = (inference) => ({ preprocessMs: 10, inferenceMs: inference, postprocessMs: 2, totalMs: 12 + inference });

test('browserLatency: one figure per stage from the timed runs; cold is one sample; threads null on an accelerator', () => {
  const runs = [timings(100), timings(120), timings(110)];
  const wasm = browserLatency({ backend: 'wasm', requestedThreads: 4, threads: 2, crossOriginIsolated: true, warmup: 3, coldMs: 900, runs, memoryBytes: 4.2e7 });
  assert.deepEqual(wasm.inference, figure([100, 120, 110]));
  assert.deepEqual(wasm.end_to_end, figure([112, 132, 122]));
  assert.deepEqual(wasm.cold, figure([900]));
  assert.equal(wasm.threads, 2);
  assert.equal(wasm.requested_threads, 4);
  assert.equal(wasm.memory_bytes, 42_000_000);
  assert.equal(wasm.cross_origin_isolated, true);
  const gpu = browserLatency({ backend: 'webgpu', requestedThreads: 4, threads: 4, crossOriginIsolated: false, warmup: 0, coldMs: null, runs });
  assert.equal(gpu.threads, null);
  assert.equal(gpu.cold, null);
  assert.equal(gpu.memory_bytes, null);
  const webnn = browserLatency({ backend: 'webnn', requestedThreads: 1, threads: 1, crossOriginIsolated: true, warmup: 0, coldMs: null, runs });
  assert.deepEqual([webnn.backend, webnn.threads], ['webnn', null]);
  assert.throws(() => browserLatency({ backend: 'webgl', runs }), /unknown backend/);
  assert.throws(() => browserLatency({ backend: 'wasm', runs: [] }), /no timed runs/);
});

const ENTRY = {
  artifact: 'yolov12n.untrained',
  card: 'yolov12',
  variant: 'yolov12n.v1',
  sha256: 'a'.repeat(64),
  bytes: 10659708,
  trained: false,
};

test('measurementRecord: a complete `versus demo` record; native and accuracy skipped with reasons', () => {
  const machine = machineInfo({ hardwareConcurrency: 2, userAgentData: { platform: 'Linux' } });
  const latency = browserLatency({ backend: 'wasm', requestedThreads: 2, threads: 2, crossOriginIsolated: true, warmup: 3, coldMs: 900, runs: [timings(100)] });
  const record = measurementRecord({
    entry: ENTRY,
    latency,
    machine,
    software: softwareInfo({ name: 'Chromium', version: '156.0.8078.79' }, '1.30.0'),
    started: new Date('2026-01-02T03:04:05.600Z'),
    updated: new Date('2026-01-02T03:04:35Z'),
  });
  assert.equal(record.run, '20260102T030405Z-browser-linux-2c');
  assert.equal(record.recorded_by, 'versus demo');
  assert.equal(record.complete, true);
  assert.equal(record.commit, null);
  assert.deepEqual(record.artifact, {
    artifact_id: 'yolov12n.untrained',
    card_id: 'yolov12',
    variant_id: 'yolov12n.v1',
    sha256: 'a'.repeat(64),
    bytes: 10659708,
    trained: false,
  });
  assert.deepEqual(record.software, { browser: 'Chromium 156.0.8078.79', 'onnxruntime-web': '1.30.0' });
  assert.deepEqual(record.browser, [latency]);
  assert.deepEqual(record.native, []);
  assert.equal(record.accuracy, null);
  assert.deepEqual(record.skipped, { native: SKIP_BROWSER_ONLY, accuracy: SKIP_UNTRAINED });
  const trained = measurementRecord({ entry: { ...ENTRY, trained: true }, latency, machine, software: {}, started: 0, updated: 0, commit: 'abc' });
  assert.equal(trained.skipped.accuracy, SKIP_BROWSER_ONLY);
  assert.equal(trained.commit, 'abc');
});

test('recordProblem: a dropped file or a manifest entry without identity gets no record, and says why', () => {
  assert.equal(recordProblem(ENTRY), null);
  assert.match(recordProblem({ user: true, card: 'user-file', variant: 'mine.onnx' }), /not a catalog artifact/);
  assert.match(recordProblem({ ...ENTRY, sha256: null, artifact: undefined }), /no artifact, sha256 for yolov12n\.v1/);
  assert.throws(
    () => measurementRecord({ entry: { user: true }, latency: {}, machine: { name: 'm' }, software: {}, started: 0, updated: 0 }),
    /not a catalog artifact/,
  );
});

test('recordFileName: versus-measurement-<artifact>.json, nothing but safe characters', () => {
  assert.equal(recordFileName('yolo11n.coco'), 'versus-measurement-yolo11n.coco.json');
  assert.equal(recordFileName('a/../b c'), 'versus-measurement-a-..-b-c.json');
});
