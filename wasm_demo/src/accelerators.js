// The accelerated backends the demo tries before settling on wasm, in order: WebGPU, then WebNN. Each entry says
// how to find out whether this browser offers it (`probe`) and what onnxruntime-web's session then needs. The
// worker (worker.js) creates a session on the first usable one that loads the model and lets it take over only
// after it gave wasm's boxes on one image (parity.js); the page (ort-wasm.js) asks the same question
// (`anyAccelerator`) to know whether the workers will want the CPU build's wasm. The onnxruntime-web build the
// site ships for this (`ort.webgpu.min.mjs` and its asyncify wasm) registers both the WebGPU and the WebNN
// execution providers.
//
// `mode`: 'auto' (hardware only), 'off' (wasm only), 'force' (software devices too: for tests).

/** Whether `adapter` is a software (fallback) WebGPU adapter: SwiftShader, llvmpipe or one that says so. */
export function isSoftwareAdapter(adapter) {
  const info = adapter?.info ?? {};
  const text = `${info.vendor ?? ''} ${info.architecture ?? ''} ${info.description ?? ''}`.toLowerCase();
  return Boolean(adapter?.isFallbackAdapter || info.isFallbackAdapter || /swiftshader|llvmpipe|software/.test(text));
}

/** The adapter's own words for a measurement record, or null. */
function adapterName(adapter) {
  const info = adapter?.info ?? {};
  return [info.vendor, info.architecture, info.description].filter(Boolean).join(' ') || null;
}

/** An error as a clause: without Chromium's "Failed to execute 'f' on 'T': " preamble and the final full stop. */
const reason = (err) =>
  String(err?.message ?? err)
    .replace(/^Failed to execute '[^']*' on '[^']*': /, '')
    .replace(/\.$/, '');

/**
 * WebGPU: a hardware adapter (a software one takes minutes per inference: refused unless forced).
 * @returns {Promise<null | {refused: string} | {device: string|null, provider: string, setup(ort): void}>}
 *   null where the browser has no WebGPU at all.
 */
async function probeWebGPU(mode, nav) {
  if (!nav?.gpu) return null;
  let adapter;
  try {
    adapter = await nav.gpu.requestAdapter();
  } catch (err) {
    return { refused: `no adapter (${reason(err)})` };
  }
  if (!adapter) return { refused: 'no adapter' };
  if (isSoftwareAdapter(adapter) && mode !== 'force') {
    return { refused: `only a software adapter${adapterName(adapter) ? ` (${adapterName(adapter)})` : ''}, slower than wasm` };
  }
  return {
    device: adapterName(adapter),
    provider: 'webgpu',
    setup: (ort) => {
      ort.env.webgpu.adapter = adapter;
    },
    release: () => {}, // an adapter holds nothing until a device is requested from it
  };
}

// WebNN contexts asked for, in order; a CPU context only when forced: on the CPU the demo runs wasm, which the
// bench measures.
const WEBNN_DEVICES = Object.freeze({ auto: ['gpu', 'npu'], force: ['gpu', 'npu', 'cpu'] });

/**
 * WebNN: the first context the browser creates. onnxruntime-web gets that context, and its device type (which
 * picks the tensor layout), as documented for its WebNN execution provider (WebNNOptionsWithMLContext).
 */
async function probeWebNN(mode, nav) {
  if (typeof nav?.ml?.createContext !== 'function') return null;
  const refusals = new Set();
  for (const deviceType of WEBNN_DEVICES[mode] ?? WEBNN_DEVICES.auto) {
    try {
      const context = await nav.ml.createContext({ deviceType, powerPreference: 'default' });
      return {
        device: `WebNN ${deviceType}`,
        provider: { name: 'webnn', deviceType, context },
        setup: () => {},
        // a context holds the device's resources until destroyed (MLContext.destroy, where the browser has it)
        release: () => context.destroy?.(),
      };
    } catch (err) {
      refusals.add(reason(err));
    }
  }
  return { refused: `no context (${[...refusals].join('; ')})` };
}

export const ACCELERATORS = Object.freeze([
  Object.freeze({ name: 'WebGPU', backend: 'webgpu', probe: probeWebGPU }),
  Object.freeze({ name: 'WebNN', backend: 'webnn', probe: probeWebNN }),
]);

/**
 * What this browser offers, in the order to try: `usable` entries `{name, backend, device, provider, setup,
 * release}` (`release` once no session will use it), and
 * `refused`: one line per backend the browser has but the demo cannot use, saying why (for the panel). A backend
 * the browser lacks altogether is in neither.
 */
export async function findAccelerators(mode = 'auto', nav = globalThis.navigator, accelerators = ACCELERATORS) {
  const usable = [];
  const refused = [];
  if (mode === 'off') return { usable, refused };
  for (const a of accelerators) {
    let found;
    try {
      found = await a.probe(mode, nav);
    } catch (err) {
      found = { refused: reason(err) };
    }
    if (!found) continue;
    if (found.refused) refused.push(`${a.name}: ${found.refused}`);
    else usable.push({ name: a.name, backend: a.backend, ...found });
  }
  return { usable, refused };
}

/**
 * Whether the workers will find an accelerator to try: the page's question, asked before it fetches the CPU
 * build's wasm. What the probe found is freed at once: each worker probes for its own, because an adapter or a
 * context cannot cross to another thread.
 */
export async function anyAccelerator(mode = 'auto', nav = globalThis.navigator) {
  const { usable } = await findAccelerators(mode, nav);
  usable.forEach((a) => a.release());
  return usable.length > 0;
}

/** The backends a measurement record or a panel may name. */
export const BACKENDS = Object.freeze(['wasm', ...ACCELERATORS.map((a) => a.backend)]);

/** A backend as people write it: 'wasm', 'WebGPU', 'WebNN'. */
export function backendLabel(backend) {
  return ACCELERATORS.find((a) => a.backend === backend)?.name ?? backend;
}
