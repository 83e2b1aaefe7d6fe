// Reads what the demo needs from an ONNX file's bytes without a protobuf library: the producer, the
// `metadata_props` (where Ultralytics exports keep `names`, `imgsz`, `task`, ...) and the graph's
// inputs and outputs with their element types and shapes. Only the fields below are decoded; everything
// else (weights included) is skipped by its length, so this takes milliseconds on a 10 MB model.
//
// onnx.proto field numbers used:
//   ModelProto: 2 producer_name, 3 producer_version, 7 graph, 14 metadata_props
//   StringStringEntryProto: 1 key, 2 value
//   GraphProto: 5 initializer (names only, to drop them from the inputs), 11 input, 12 output
//   ValueInfoProto: 1 name, 2 type;  TypeProto: 1 tensor_type;  Tensor: 1 elem_type, 2 shape
//   TensorShapeProto: 1 dim;  Dimension: 1 dim_value, 2 dim_param;  TensorProto: 8 name

export const ELEM_TYPES = {
  1: 'float32', 2: 'uint8', 3: 'int8', 4: 'uint16', 5: 'int16', 6: 'int32', 7: 'int64', 8: 'string',
  9: 'bool', 10: 'float16', 11: 'float64', 12: 'uint32', 13: 'uint64', 16: 'bfloat16',
};

class Reader {
  constructor(bytes, start = 0, end = bytes.length) {
    this.b = bytes;
    this.pos = start;
    this.end = end;
  }
  done() {
    return this.pos >= this.end;
  }
  varint() {
    let result = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new Error('truncated varint');
      const byte = this.b[this.pos++];
      result += (byte & 0x7f) * mul;
      if ((byte & 0x80) === 0) return result;
      mul *= 128;
    }
    throw new Error('varint too long');
  }
  // Returns [field, wireType, value]; length-delimited values are [start, end] ranges.
  next() {
    const tag = this.varint();
    const field = Math.floor(tag / 8);
    const wire = tag & 7;
    if (field === 0) throw new Error('field number 0');
    switch (wire) {
      case 0:
        return [field, wire, this.varint()];
      case 1:
        this.skip(8);
        return [field, wire, null];
      case 2: {
        const len = this.varint();
        const start = this.pos;
        this.skip(len);
        return [field, wire, [start, start + len]];
      }
      case 5:
        this.skip(4);
        return [field, wire, null];
      default:
        throw new Error(`unsupported wire type ${wire}`);
    }
  }
  skip(n) {
    if (this.pos + n > this.end) throw new Error('truncated field');
    this.pos += n;
  }
}

const utf8 = new TextDecoder('utf-8');

function text(bytes, [start, end]) {
  return utf8.decode(bytes.subarray(start, end));
}

function fields(bytes, range, visit) {
  const r = new Reader(bytes, range[0], range[1]);
  while (!r.done()) {
    const [field, wire, value] = r.next();
    visit(field, wire, value);
  }
}

function valueInfo(bytes, range) {
  const info = { name: '', type: null, dims: null };
  fields(bytes, range, (f, w, v) => {
    if (f === 1 && w === 2) info.name = text(bytes, v);
    if (f === 2 && w === 2) {
      fields(bytes, v, (tf, tw, tv) => {
        if (tf !== 1 || tw !== 2) return; // tensor_type
        fields(bytes, tv, (ef, ew, ev) => {
          if (ef === 1 && ew === 0) info.type = ELEM_TYPES[ev] ?? `type ${ev}`;
          if (ef === 2 && ew === 2) {
            info.dims = [];
            fields(bytes, ev, (sf, sw, sv) => {
              if (sf !== 1 || sw !== 2) return;
              let dim = null;
              fields(bytes, sv, (df, dw, dv) => {
                if (df === 1 && dw === 0) dim = dv;
                if (df === 2 && dw === 2) dim = text(bytes, dv);
              });
              info.dims.push(dim);
            });
          }
        });
      });
    }
  });
  return info;
}

/**
 * @param {Uint8Array|ArrayBuffer} data the .onnx file
 * @returns {{producerName: string, producerVersion: string, metadata: Record<string,string>,
 *   inputs: {name, type, dims}[], outputs: {name, type, dims}[]}}
 * @throws Error('not an ONNX model: ...') when the bytes do not parse as one
 */
export function readOnnxInfo(data) {
  const bytes = data instanceof Uint8Array ? data : new Uint8Array(data);
  const info = { producerName: '', producerVersion: '', metadata: {}, inputs: [], outputs: [] };
  let sawGraph = false;
  let sawIrVersion = false;
  try {
    const initializers = new Set();
    fields(bytes, [0, bytes.length], (f, w, v) => {
      if (f === 1 && w === 0) sawIrVersion = true;
      else if (f === 2 && w === 2) info.producerName = text(bytes, v);
      else if (f === 3 && w === 2) info.producerVersion = text(bytes, v);
      else if (f === 14 && w === 2) {
        let key = '';
        let value = '';
        fields(bytes, v, (ef, ew, ev) => {
          if (ef === 1 && ew === 2) key = text(bytes, ev);
          if (ef === 2 && ew === 2) value = text(bytes, ev);
        });
        info.metadata[key] = value;
      } else if (f === 7 && w === 2) {
        sawGraph = true;
        fields(bytes, v, (gf, gw, gv) => {
          if (gw !== 2) return;
          if (gf === 11) info.inputs.push(valueInfo(bytes, gv));
          else if (gf === 12) info.outputs.push(valueInfo(bytes, gv));
          else if (gf === 5) {
            fields(bytes, gv, (tf, tw, tv) => {
              if (tf === 8 && tw === 2) initializers.add(text(bytes, tv));
            });
          }
        });
      }
    });
    // Old exporters list initializers among the inputs too; they are not fed by the caller.
    info.inputs = info.inputs.filter((i) => !initializers.has(i.name));
  } catch (err) {
    throw new Error(`not an ONNX model: ${err.message}`);
  }
  if (!sawGraph || !sawIrVersion) throw new Error('not an ONNX model: no graph in this file');
  return info;
}

/**
 * Where the serialized graph (ModelProto field 7) sits in the file: `[start, end]` byte offsets, or null.
 * Hashing these bytes identifies a model across re-exports that only change its metadata.
 */
export function graphRange(data) {
  const bytes = data instanceof Uint8Array ? data : new Uint8Array(data);
  let range = null;
  fields(bytes, [0, bytes.length], (f, w, v) => {
    if (f === 7 && w === 2) range = v;
  });
  return range;
}

/**
 * A Python literal of the simple kind Ultralytics writes into metadata (`str(dict)`, `str(list)`):
 * dicts, lists, tuples, strings, numbers, True/False/None. Returns undefined when it cannot parse.
 */
export function parsePythonLiteral(source) {
  let i = 0;
  const s = String(source);
  const ws = () => {
    while (i < s.length && /\s/.test(s[i])) i++;
  };
  const fail = () => {
    throw new SyntaxError(`unexpected ${JSON.stringify(s[i] ?? 'end')} at ${i}`);
  };
  function value() {
    ws();
    const ch = s[i];
    if (ch === '{') return container('{', '}', true);
    if (ch === '[') return container('[', ']', false);
    if (ch === '(') return container('(', ')', false);
    if (ch === "'" || ch === '"') return string();
    const m = /^(?:True|False|None|-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|inf|-inf|nan)/.exec(s.slice(i));
    if (!m) fail();
    i += m[0].length;
    const t = m[0];
    if (t === 'True') return true;
    if (t === 'False') return false;
    if (t === 'None') return null;
    return Number(t === 'inf' ? Infinity : t === '-inf' ? -Infinity : t);
  }
  function string() {
    const quote = s[i++];
    let out = '';
    while (i < s.length && s[i] !== quote) {
      if (s[i] === '\\') {
        const e = s[i + 1];
        const map = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"' };
        if (e in map) {
          out += map[e];
          i += 2;
          continue;
        }
        if (e === 'x' || e === 'u') {
          const len = e === 'x' ? 2 : 4;
          out += String.fromCharCode(parseInt(s.slice(i + 2, i + 2 + len), 16));
          i += 2 + len;
          continue;
        }
        out += e;
        i += 2;
        continue;
      }
      out += s[i++];
    }
    if (s[i] !== quote) fail();
    i++;
    return out;
  }
  function container(open, close, isDict) {
    i++;
    const out = isDict ? {} : [];
    ws();
    while (s[i] !== close) {
      if (i >= s.length) fail();
      const k = value();
      if (isDict) {
        ws();
        if (s[i] !== ':') fail();
        i++;
        out[k] = value();
      } else {
        out.push(k);
      }
      ws();
      if (s[i] === ',') {
        i++;
        ws();
      } else if (s[i] !== close) fail();
    }
    i++;
    return out;
  }
  try {
    const v = value();
    ws();
    if (i !== s.length) return undefined;
    return v;
  } catch {
    return undefined;
  }
}

/**
 * A runtime spec (the manifest's `runtime` format) for an ONNX file exported by Ultralytics, from its
 * metadata (`task`, `imgsz`, `names`) and its input/output shapes. Ultralytics' predictor defaults:
 * letterbox padded with 114, RGB, /255, conf 0.25, iou 0.7, 300 detections.
 * @throws Error with a message for the visitor when the file cannot be run by the demo
 */
export function runtimeFromUltralytics(info) {
  const meta = info.metadata ?? {};
  if (!('names' in meta) || !('imgsz' in meta)) {
    throw new Error(
      'this ONNX file carries no Ultralytics metadata (names, imgsz), so the demo cannot tell how to feed ' +
        'and decode it; export it with Ultralytics (`yolo export format=onnx`)',
    );
  }
  const task = meta.task ?? 'detect';
  if (task !== 'detect') throw new Error(`this is an Ultralytics "${task}" model; the demo runs detection models only`);
  const imgsz = parsePythonLiteral(meta.imgsz);
  const size = Array.isArray(imgsz) ? imgsz.map(Number) : [Number(imgsz), Number(imgsz)];
  if (size.length !== 2 || !size.every((v) => Number.isInteger(v) && v > 0 && v <= 4096)) {
    throw new Error(`cannot read the input size from the metadata imgsz=${meta.imgsz}`);
  }
  const names = parsePythonLiteral(meta.names);
  if (!names || typeof names !== 'object') throw new Error('cannot read the class names from the metadata');
  const ids = Object.keys(names).map(Number);
  if (!ids.length || !ids.every((v) => Number.isInteger(v) && v >= 0)) throw new Error('the metadata names have no class ids');
  const labels = [];
  for (const id of ids) labels[id] = String(names[id]);
  const classes = Math.max(...ids) + 1;
  for (let k = 0; k < classes; k++) if (labels[k] === undefined) labels[k] = null;

  const input = info.inputs[0];
  if (!input) throw new Error('the model has no input');
  if (info.inputs.length > 1) throw new Error(`the model has ${info.inputs.length} inputs; the demo feeds models with one image input`);
  if (input.type !== 'float32') {
    throw new Error(`the model's input is ${input.type}; Ultralytics ONNX exports for the demo must take float32 (export without half=True)`);
  }
  const dims = input.dims ?? [];
  let layout = 'NCHW';
  if (dims.length === 4 && dims[3] === 3 && dims[1] !== 3) layout = 'NHWC';
  else if (dims.length !== 4 || (dims[1] !== 3 && typeof dims[1] === 'number')) {
    throw new Error(`unexpected input shape [${dims.join(', ')}]: expected [1, 3, H, W]`);
  }
  const spatial = layout === 'NCHW' ? [dims[2], dims[3]] : [dims[1], dims[2]];
  const fixed = spatial.every((v) => typeof v === 'number' && v > 0);
  const inputSize = fixed ? spatial : size;

  const out = info.outputs[0];
  const odims = out?.dims ?? [];
  const end2end = String(meta.end2end) === 'True' || (odims.length === 3 && odims[2] === 6 && odims[1] !== 4 + classes);
  let decoder;
  if (end2end) {
    decoder = {
      kind: 'ultralytics-end2end',
      coordinates: 'pixels',
      classes,
      score_threshold: 0.25,
      max_detections: typeof odims[1] === 'number' ? odims[1] : 300,
    };
  } else {
    if (odims.length === 3 && typeof odims[1] === 'number' && odims[1] !== 4 + classes) {
      throw new Error(
        `the output shape [${odims.join(', ')}] does not fit a detection head with ${classes} classes ` +
          `(expected [1, ${4 + classes}, N]); segmentation and pose exports are not supported`,
      );
    }
    decoder = {
      kind: 'ultralytics',
      coordinates: 'pixels',
      classes,
      score_activation: 'none',
      class_aware_nms: true,
      score_threshold: 0.25,
      iou_threshold: 0.7,
      max_detections: 300,
    };
  }
  return {
    task: 'object-detection',
    input: {
      name: input.name,
      size: inputSize,
      layout,
      dtype: 'float32',
      color: 'RGB',
      resize: 'letterbox',
      pad_value: 114,
      scale: 1 / 255,
      mean: [0, 0, 0],
      std: [1, 1, 1],
    },
    decoder,
    labels,
  };
}
