// Which accelerated backends the demo tries and why it refuses others (src/accelerators.js), on stand-in
// navigator objects shaped like the WebGPU and WebNN APIs.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { anyAccelerator, BACKENDS, backendLabel, findAccelerators, isSoftwareAdapter } from '../src/accelerators.js';

const adapter = (info, extra = {}) => ({ info, ...extra });
const hardware = adapter({ vendor: 'nvidia', architecture: 'ampere', description: '' });
const swiftshader = adapter({ vendor: 'google', architecture: 'swiftshader', description: 'SwiftShader Device (Subzero)' });
const gpu = (a) => ({ requestAdapter: async () => a });
/**
 * A WebNN stand-in: `devices` are the device types it makes a context for; `asked` records every request,
 * `destroyed` every context destroyed (a context has `destroy` unless `withDestroy` is false, as in older browsers).
 */
function ml(
  devices,
  message = "Failed to execute 'createContext' on 'ML': WebNN is not supported on this platform.",
  withDestroy = true,
) {
  const asked = [];
  const destroyed = [];
  return {
    asked,
    destroyed,
    createContext: async (options) => {
      asked.push(options.deviceType);
      if (!devices.includes(options.deviceType)) throw new DOMException(message, 'NotSupportedError');
      const context = { kind: `context:${options.deviceType}` };
      if (withDestroy) context.destroy = () => destroyed.push(context.kind);
      return context;
    },
  };
}

test('a browser with neither API: wasm, and nothing to explain', async () => {
  assert.deepEqual(await findAccelerators('auto', {}), { usable: [], refused: [] });
  assert.deepEqual(await findAccelerators('auto', undefined), { usable: [], refused: [] });
});

test('a hardware WebGPU adapter comes first, its setup hands the adapter to onnxruntime-web', async () => {
  const nav = { gpu: gpu(hardware), ml: ml(['gpu']) };
  const { usable, refused } = await findAccelerators('auto', nav);
  assert.deepEqual(refused, []);
  assert.deepEqual(usable.map((u) => [u.name, u.backend, u.device]), [
    ['WebGPU', 'webgpu', 'nvidia ampere'],
    ['WebNN', 'webnn', 'WebNN gpu'],
  ]);
  assert.equal(usable[0].provider, 'webgpu');
  const ort = { env: { webgpu: {} } };
  usable[0].setup(ort);
  assert.equal(ort.env.webgpu.adapter, hardware);
  assert.equal(usable[1].provider.name, 'webnn');
  assert.equal(usable[1].provider.deviceType, 'gpu');
  assert.equal(usable[1].provider.context.kind, 'context:gpu');
});

test('a software adapter is refused with its name unless forced', async () => {
  assert.equal(isSoftwareAdapter(swiftshader), true);
  assert.equal(isSoftwareAdapter(adapter({ vendor: 'x' }, { isFallbackAdapter: true })), true);
  assert.equal(isSoftwareAdapter(hardware), false);
  const auto = await findAccelerators('auto', { gpu: gpu(swiftshader) });
  assert.deepEqual(auto.usable, []);
  assert.deepEqual(auto.refused, ['WebGPU: only a software adapter (google swiftshader SwiftShader Device (Subzero)), slower than wasm']);
  const forced = await findAccelerators('force', { gpu: gpu(swiftshader) });
  assert.deepEqual(forced.usable.map((u) => u.backend), ['webgpu']);
});

test('WebGPU without an adapter, or one that throws, is refused and says so', async () => {
  assert.deepEqual((await findAccelerators('auto', { gpu: gpu(null) })).refused, ['WebGPU: no adapter']);
  const broken = { requestAdapter: async () => { throw new Error('GPU process lost.'); } };
  assert.deepEqual((await findAccelerators('auto', { gpu: broken })).refused, ['WebGPU: no adapter (GPU process lost)']);
});

test('WebNN: GPU, then NPU; a CPU context only when forced; the browser refusal is quoted once', async () => {
  const npuOnly = ml(['npu', 'cpu']);
  const { usable } = await findAccelerators('auto', { ml: npuOnly });
  assert.deepEqual(npuOnly.asked, ['gpu', 'npu']);
  assert.deepEqual(usable.map((u) => [u.device, u.provider.deviceType]), [['WebNN npu', 'npu']]);

  const cpuOnly = ml(['cpu']);
  const auto = await findAccelerators('auto', { ml: cpuOnly });
  assert.deepEqual(cpuOnly.asked, ['gpu', 'npu'], 'auto never asks for a CPU context: on the CPU the demo runs wasm');
  assert.deepEqual(auto, { usable: [], refused: ['WebNN: no context (WebNN is not supported on this platform)'] });
  const forced = await findAccelerators('force', { ml: ml(['cpu']) });
  assert.deepEqual(forced.usable.map((u) => u.provider.deviceType), ['cpu']);
});

test("'off' asks the browser nothing", async () => {
  const webnn = ml(['gpu']);
  let asked = false;
  const nav = { gpu: { requestAdapter: async () => { asked = true; return hardware; } }, ml: webnn };
  assert.deepEqual(await findAccelerators('off', nav), { usable: [], refused: [] });
  assert.equal(asked, false);
  assert.deepEqual(webnn.asked, []);
});

test('the backends a record may name, as pages write them', () => {
  assert.deepEqual(BACKENDS, ['wasm', 'webgpu', 'webnn']);
  assert.deepEqual(BACKENDS.map(backendLabel), ['wasm', 'WebGPU', 'WebNN']);
});

test('releasing a WebNN accelerator destroys its context; WebGPU holds nothing to free', async () => {
  const webnn = ml(['gpu']);
  const { usable } = await findAccelerators('auto', { gpu: gpu(hardware), ml: webnn });
  usable.forEach((a) => a.release());
  assert.deepEqual(webnn.destroyed, ['context:gpu']);
  const older = ml(['gpu'], undefined, false);
  const [found] = (await findAccelerators('auto', { ml: older })).usable;
  assert.doesNotThrow(() => found.release(), 'a context without destroy() is left to garbage collection');
});

test("the page's question: whether any accelerator is usable, its contexts freed at once", async () => {
  const webnn = ml(['npu']);
  assert.equal(await anyAccelerator('auto', { ml: webnn }), true);
  assert.deepEqual(webnn.destroyed, ['context:npu']);
  assert.equal(await anyAccelerator('auto', { gpu: gpu(swiftshader), ml: ml([]) }), false);
  assert.equal(await anyAccelerator('off', { gpu: gpu(hardware) }), false);
});
