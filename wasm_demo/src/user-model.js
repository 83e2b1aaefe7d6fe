// "Bring your own model": an ONNX file the visitor drops onto a panel, read in the browser. Which runtime
// spec it runs with comes from its own metadata: the site's export step (`versus.runtime`) or Ultralytics'.

import { formatBytes } from './dom.js';
import { readOnnxInfo, runtimeFromUltralytics } from './onnx-info.js';

export const MAX_MODEL_FILE_BYTES = 512 * 1024 * 1024;

export function isOnnxFile(file) {
  return /\.onnx$/i.test(file?.name ?? '');
}

/** Why `file` cannot be run before reading it (not .onnx, too large), or null. */
export function modelFileProblem(file) {
  if (!isOnnxFile(file)) return `"${file.name}" is not an ONNX model (.onnx).`;
  if (file.size > MAX_MODEL_FILE_BYTES) {
    return `"${file.name}" is ${formatBytes(file.size)}; the demo runs models up to ${formatBytes(MAX_MODEL_FILE_BYTES)}.`;
  }
  return null;
}

/** The runtime spec for a model file's bytes; throws with the reason when the demo cannot run it. */
export function userModelRuntime(bytes) {
  const info = readOnnxInfo(bytes);
  return runtimeFromVersusMetadata(info) ?? runtimeFromUltralytics(info);
}

/** A runtime spec stored in the file by the site's own export step (`versus.runtime`, `versus.class_names`). */
export function runtimeFromVersusMetadata(info) {
  const raw = info.metadata?.['versus.runtime'];
  if (!raw) return null;
  let runtime, names;
  try {
    runtime = JSON.parse(raw);
    names = JSON.parse(info.metadata['versus.class_names'] ?? 'null');
  } catch {
    return null;
  }
  if (!runtime?.input || !runtime?.decoder) return null;
  if (!Array.isArray(runtime.labels)) {
    const labels = [];
    if (names && typeof names === 'object') for (const [k, v] of Object.entries(names)) labels[Number(k)] = v;
    runtime.labels = labels;
  }
  return runtime;
}
