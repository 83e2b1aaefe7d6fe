// The demo manifest (format in wasm_demo/README.md): which models the demo can run, where their ONNX
// files are, their runtime specs, and the bundled sample images. Pure: validation and URL resolution
// only, so it is tested in Node.

const LAYOUTS = ['NCHW', 'NHWC'];
const DTYPES = ['float32', 'uint8', 'int8'];
const ALIGNS = ['centre', 'top-left'];
const EXTRA_VALUES = ['image-size-wh', 'image-size-hw', 'scale-factor-hw'];
const COLORS = ['RGB', 'BGR'];
const RESIZES = ['letterbox', 'stretch'];

function isObject(v) {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** A link for a credit: an http(s) URL string, else null (never a javascript: or data: URL). */
function httpUrl(value) {
  return typeof value === 'string' && /^https?:\/\//.test(value) ? value : null;
}

/** Problems with one runtime spec, as strings (empty when valid). */
export function runtimeProblems(runtime, where = 'runtime') {
  const problems = [];
  const bad = (msg) => problems.push(`${where}: ${msg}`);
  if (!isObject(runtime)) return [`${where}: missing`];
  const input = runtime.input;
  if (!isObject(input)) bad('input missing');
  else {
    const size = input.size;
    if (!Array.isArray(size) || size.length !== 2 || !size.every((v) => Number.isInteger(v) && v > 0 && v <= 4096)) {
      bad(`input.size must be [height, width], got ${JSON.stringify(size)}`);
    }
    if (!LAYOUTS.includes(input.layout)) bad(`input.layout must be one of ${LAYOUTS}`);
    if (!DTYPES.includes(input.dtype)) bad(`input.dtype must be one of ${DTYPES}`);
    if (input.color !== undefined && !COLORS.includes(input.color)) bad(`input.color must be one of ${COLORS}`);
    if (!RESIZES.includes(input.resize)) bad(`input.resize must be one of ${RESIZES}`);
    if (input.align !== undefined && !ALIGNS.includes(input.align)) bad(`input.align must be one of ${ALIGNS}`);
    if (input.dtype === 'int8' && !(isObject(input.quantization) && input.quantization.scale > 0 && Number.isInteger(input.quantization.zero_point))) {
      bad('an int8 input needs quantization {scale > 0, zero_point}');
    }
    const extras = input.extra_inputs ?? [];
    if (!Array.isArray(extras) || !extras.every((e) => isObject(e) && typeof e.name === 'string' && EXTRA_VALUES.includes(e.value) && ['float32', 'int64'].includes(e.dtype))) {
      bad(`input.extra_inputs must be [{name, value: ${EXTRA_VALUES.join('|')}, dtype: float32|int64}]`);
    }
    for (const key of ['mean', 'std']) {
      const v = input[key];
      if (v !== undefined && !(Array.isArray(v) && v.length === 3 && v.every(Number.isFinite))) bad(`input.${key} must be 3 numbers`);
    }
    if (input.std && input.std.some((v) => v === 0)) bad('input.std must not be 0');
    if (input.scale !== undefined && !(input.scale > 0)) bad('input.scale must be > 0');
    if (input.pad_value !== undefined && !(Number.isInteger(input.pad_value) && input.pad_value >= 0 && input.pad_value <= 255)) {
      bad('input.pad_value must be 0-255');
    }
  }
  const decoder = runtime.decoder;
  if (!isObject(decoder) || typeof decoder.kind !== 'string') bad('decoder.kind missing');
  else if (['ultralytics', 'yolox', 'gfl'].includes(decoder.kind) && !(Number.isInteger(decoder.classes) && decoder.classes > 0)) {
    bad('decoder.classes must be a positive integer');
  }
  const labels = runtime.labels;
  if (!(Array.isArray(labels) || isObject(labels))) bad('labels must be a list of names indexed by label id');
  return problems;
}

/**
 * Validate a parsed manifest and resolve its URLs against `baseUrl` (the manifest's own URL).
 * @returns {{models: object[], samples: object[], cards: object, commit: string|null, problems: string[]}} models and samples
 *   that are usable; `problems` lists what was left out and why.
 */
export function normalizeManifest(json, baseUrl) {
  const problems = [];
  if (!isObject(json)) return { models: [], samples: [], cards: {}, problems: ['manifest is not a JSON object'] };
  const base = new URL(baseUrl);
  const resolve = (url) => new URL(url, base);
  const models = [];
  const seen = new Set();
  (Array.isArray(json.models) ? json.models : []).forEach((m, i) => {
    const where = `models[${i}]${m && m.variant ? ` (${m.variant})` : ''}`;
    if (!isObject(m)) return problems.push(`${where}: not an object`);
    const own = [];
    if (typeof m.card !== 'string' || !m.card) own.push(`${where}: card missing`);
    if (typeof m.variant !== 'string' || !m.variant) own.push(`${where}: variant missing`);
    if (typeof m.url !== 'string' || !m.url) own.push(`${where}: url missing`);
    own.push(...runtimeProblems(m.runtime, `${where} runtime`));
    let url = null;
    if (typeof m.url === 'string') {
      try {
        url = resolve(m.url);
        if (url.origin !== base.origin) own.push(`${where}: url ${url} is not on this site (the demo loads models from its own origin only)`);
      } catch {
        own.push(`${where}: bad url ${m.url}`);
      }
    }
    // a variant may have several graphs (the float export and an int8 graph): each artifact once
    const key = typeof m.artifact === 'string' && m.artifact ? m.artifact : `${m.variant}|${m.trained === false ? 'untrained' : 'trained'}`;
    if (seen.has(key)) own.push(`${where}: listed twice`);
    if (own.length) return problems.push(...own);
    seen.add(key);
    models.push({
      artifact: typeof m.artifact === 'string' && m.artifact ? m.artifact : null,
      card: m.card,
      variant: m.variant,
      name: typeof m.name === 'string' && m.name ? m.name : m.variant,
      cardName: typeof m.card_name === 'string' && m.card_name ? m.card_name : null,
      trained: m.trained !== false,
      url: url.href,
      bytes: Number.isFinite(m.bytes) && m.bytes > 0 ? m.bytes : null,
      sha256: typeof m.sha256 === 'string' && /^[0-9a-f]{64}$/i.test(m.sha256) ? m.sha256.toLowerCase() : null,
      license: typeof m.license === 'string' ? m.license : null,
      note: typeof m.note === 'string' ? m.note : null,
      runtime: m.runtime,
      graph: {
        label: typeof m.graph?.label === 'string' && m.graph.label ? m.graph.label : null,
        cost: typeof m.graph?.cost === 'string' && m.graph.cost ? m.graph.cost : null,
      },
    });
  });
  const samples = [];
  (Array.isArray(json.samples) ? json.samples : []).forEach((s, i) => {
    if (!isObject(s) || typeof s.url !== 'string') return problems.push(`samples[${i}]: url missing`);
    let url;
    try {
      url = resolve(s.url);
    } catch {
      return problems.push(`samples[${i}]: bad url`);
    }
    if (url.origin !== base.origin) return problems.push(`samples[${i}]: not on this site`);
    samples.push({
      url: url.href,
      name: typeof s.name === 'string' ? s.name : url.pathname.split('/').pop(),
      credit: typeof s.credit === 'string' ? s.credit : 'COCO (CC BY 4.0)',
      creditUrl: typeof s.credit_url === 'string' ? s.credit_url : null,
      license: typeof s.license === 'string' ? s.license : null,
      licenseUrl: httpUrl(s.license_url),
      flickrUrl: httpUrl(s.flickr_url),
      cocoUrl: httpUrl(s.coco_url),
    });
  });
  const cards = {};
  if (isObject(json.cards)) {
    for (const [id, c] of Object.entries(json.cards)) {
      if (!isObject(c)) continue;
      cards[id] = {
        name: typeof c.name === 'string' ? c.name : id,
        message: typeof c.message === 'string' ? c.message : null,
        reason: typeof c.reason === 'string' && c.reason ? c.reason : null,
      };
    }
  }
  const commit = typeof json.commit === 'string' && /^[0-9a-f]{7,40}(\+dirty)?$/.test(json.commit) ? json.commit : null;
  return { models, samples, cards, commit, problems };
}

/** Manifest entries for one card: trained first (in manifest order), then untrained test graphs. */
export function entriesForCard(manifest, card) {
  const list = manifest.models.filter((m) => m.card === card);
  return [...list.filter((m) => m.trained), ...list.filter((m) => !m.trained)];
}

/** Find a model by `card`, `variant`, `card/variant` or artifact id (which also names an untrained graph). */
export function findEntry(manifest, ref) {
  if (!ref) return null;
  const byArtifact = manifest.models.find((m) => m.artifact === ref);
  if (byArtifact) return byArtifact;
  const [a, b] = ref.includes('/') ? ref.split('/', 2) : [null, ref];
  return (
    manifest.models.find((m) => (a ? m.card === a && m.variant === b : m.variant === b && m.trained)) ??
    manifest.models.find((m) => (a ? false : m.variant === b)) ??
    (a ? null : entriesForCard(manifest, b).find((m) => m.trained) ?? null)
  );
}
