// Image -> model input tensor, as a card's runtime spec (`runtime.input`) says.
//
// The geometry (letterbox / stretch), the tensor layout and the normalization are pure functions that
// run in Node's test runner; they reproduce generator/preprocess.py (the Python reference), which itself
// reproduces Ultralytics' `LetterBox`. Only `prepareFromBitmap` touches a canvas (an OffscreenCanvas
// in the worker, to read the image's pixels, or to resize huge images with a bilinear `drawImage`).
// `resizeBilinear` is OpenCV's INTER_LINEAR sampling (half-pixel centres, no antialiasing) in plain
// JavaScript, used in Node and, by default, in the browser too.
//
// A `placement` maps model-input pixels back to image pixels:
//   input_x = image_x * scaleX + padX,   input_y = image_y * scaleY + padY

/** Python 3's `round()`: halves go to the even neighbour (Ultralytics' padding relies on it). */
export function roundHalfEven(x) {
  const floor = Math.floor(x);
  const diff = x - floor;
  if (diff < 0.5) return floor;
  if (diff > 0.5) return floor + 1;
  return floor % 2 === 0 ? floor : floor + 1;
}

/**
 * Ultralytics `LetterBox` geometry (center=True, scaleup=True, auto=False); `align` 'top-left' puts the same
 * resized image in the top-left corner instead (YOLOX), as generator/preprocess.py `letterbox`.
 * @param {number} width image width
 * @param {number} height image height
 * @param {[number, number]} size model input `[height, width]`
 * @param {string} [align] 'centre' (default) or 'top-left'
 */
export function letterboxGeometry(width, height, size, align = 'centre') {
  checkDims(width, height, size);
  const [targetH, targetW] = size;
  const r = Math.min(targetH / height, targetW / width);
  const resizedWidth = Math.max(roundHalfEven(width * r), 1);
  const resizedHeight = Math.max(roundHalfEven(height * r), 1);
  const dw = (targetW - resizedWidth) / 2;
  const dh = (targetH - resizedHeight) / 2;
  let top = roundHalfEven(dh - 0.1);
  let bottom = roundHalfEven(dh + 0.1);
  let left = roundHalfEven(dw - 0.1);
  let right = roundHalfEven(dw + 0.1);
  if (align === 'top-left') [top, bottom, left, right] = [0, targetH - resizedHeight, 0, targetW - resizedWidth];
  else if (align !== 'centre') throw new Error(`unknown letterbox align ${JSON.stringify(align)} (centre or top-left)`);
  return {
    resize: 'letterbox',
    inputWidth: targetW,
    inputHeight: targetH,
    resizedWidth,
    resizedHeight,
    left,
    top,
    right,
    bottom,
    placement: { scaleX: r, scaleY: r, padX: left, padY: top, imageWidth: width, imageHeight: height },
  };
}

/** Resize to exactly `size` (`[height, width]`), ignoring the aspect ratio. */
export function stretchGeometry(width, height, size, align = 'centre') {
  if (align !== 'centre') throw new Error('`align` is for letterboxed inputs');
  checkDims(width, height, size);
  const [targetH, targetW] = size;
  return {
    resize: 'stretch',
    inputWidth: targetW,
    inputHeight: targetH,
    resizedWidth: targetW,
    resizedHeight: targetH,
    left: 0,
    top: 0,
    right: 0,
    bottom: 0,
    placement: {
      scaleX: targetW / width,
      scaleY: targetH / height,
      padX: 0,
      padY: 0,
      imageWidth: width,
      imageHeight: height,
    },
  };
}

/** Resize modes by `input.resize`. */
export const RESIZERS = { letterbox: letterboxGeometry, stretch: stretchGeometry };

/** The geometry `input` asks for, for an image of `width` x `height`. */
export function geometryFor(input, width, height) {
  const resizer = RESIZERS[input.resize];
  if (!resizer) throw new Error(`unknown resize mode ${JSON.stringify(input.resize)} (known: ${Object.keys(RESIZERS).join(', ')})`);
  return resizer(width, height, input.size, input.align ?? 'centre');
}

function checkDims(width, height, size) {
  if (!(Number.isInteger(width) && width > 0 && Number.isInteger(height) && height > 0)) {
    throw new RangeError(`image size must be positive integers, got ${width}x${height}`);
  }
  if (!Array.isArray(size) || size.length !== 2 || !size.every((v) => Number.isInteger(v) && v > 0)) {
    throw new RangeError(`input size must be [height, width] positive integers, got ${JSON.stringify(size)}`);
  }
}

/** Model input dims, batch of one. */
export function inputDims(input) {
  const [h, w] = input.size;
  return input.layout === 'NHWC' ? [1, h, w, 3] : [1, 3, h, w];
}

/**
 * Per tensor channel, a 256-entry table from a 0-255 pixel value to the tensor value, computed in
 * float32 step by step as numpy does in generator/preprocess.py: `(p * scale - mean) / std`.
 * uint8 inputs take raw pixels (their normalization is inside the graph); int8 inputs that value quantized,
 * `round_half_even(value / scale) + zero_point` clipped to -128..127.
 */
export function valueTables(input) {
  const tables = [];
  for (let c = 0; c < 3; c++) {
    if (input.dtype === 'uint8') {
      const t = new Uint8Array(256);
      for (let p = 0; p < 256; p++) t[p] = p;
      tables.push(t);
      continue;
    }
    const scale = Math.fround(input.scale ?? 1);
    const mean = Math.fround((input.mean ?? [0, 0, 0])[c]);
    const std = Math.fround((input.std ?? [1, 1, 1])[c]);
    const t = new Float32Array(256);
    for (let p = 0; p < 256; p++) t[p] = Math.fround(Math.fround(p * scale) - mean) / std;
    if (input.dtype === 'int8') {
      const q = input.quantization;
      if (!q) throw new Error('an int8 input needs `quantization` (scale, zero_point)');
      const ti = new Int8Array(256);
      for (let p = 0; p < 256; p++) ti[p] = Math.max(-128, Math.min(127, roundHalfEven(t[p] / q.scale) + q.zero_point));
      tables.push(ti);
      continue;
    }
    tables.push(t);
  }
  return tables;
}

const DTYPES = { float32: Float32Array, uint8: Uint8Array, int8: Int8Array };

/**
 * The spec's extra graph inputs (`input.extra_inputs`), `[1, 2]` each, from the placement (so they describe
 * the original image even when a huge one was downscaled first), as generator/preprocess.py `extra_inputs`.
 * @returns {Object<string, {data: Float32Array|BigInt64Array, dims: number[], type: string}>}
 */
export function extraInputs(input, placement) {
  const out = {};
  for (const extra of input.extra_inputs ?? []) {
    const { scaleX, scaleY, imageWidth, imageHeight } = placement;
    const values = {
      'image-size-wh': [imageWidth, imageHeight],
      'image-size-hw': [imageHeight, imageWidth],
      'scale-factor-hw': [scaleY, scaleX],
    }[extra.value];
    if (!values) throw new Error(`unknown extra input value ${JSON.stringify(extra.value)}`);
    let data;
    if (extra.dtype === 'int64') data = BigInt64Array.from(values, (v) => BigInt(Math.round(v)));
    else if (extra.dtype === 'float32') data = Float32Array.from(values);
    else throw new Error(`unsupported extra input dtype ${JSON.stringify(extra.dtype)} (float32 or int64)`);
    out[extra.name] = { data, dims: [1, 2], type: extra.dtype };
  }
  return out;
}

/** The graph input that takes the image: the spec's `name`, else the first input that is not an extra one. */
export function imageInputName(input, inputNames) {
  if (input.name) return input.name;
  const extra = new Set((input.extra_inputs ?? []).map((e) => e.name));
  return inputNames.find((n) => !extra.has(n));
}

/**
 * The model input tensor from already-resized RGBA pixels (`resizedWidth` x `resizedHeight`, the size
 * `geometry` asks for): pad, reorder channels, normalize, lay out.
 * @returns {{data: Float32Array|Uint8Array, dims: number[], type: string}}
 */
export function buildTensor(rgba, geometry, input) {
  const { resizedWidth: rw, resizedHeight: rh, inputWidth: W, inputHeight: H, left, top } = geometry;
  if (rgba.length < rw * rh * 4) {
    throw new RangeError(`pixels hold ${rgba.length} bytes, ${rw}x${rh} RGBA needs ${rw * rh * 4}`);
  }
  if (left + rw > W || top + rh > H) throw new RangeError('resized image does not fit the input');
  const Array_ = DTYPES[input.dtype];
  if (!Array_) throw new Error(`unsupported input dtype ${JSON.stringify(input.dtype)} (float32 or uint8)`);
  const layout = input.layout;
  if (layout !== 'NCHW' && layout !== 'NHWC') throw new Error(`unsupported layout ${JSON.stringify(layout)}`);
  const tables = valueTables(input);
  // Source RGBA offset for each tensor channel: RGB keeps R,G,B; BGR takes B,G,R.
  const src = input.color === 'BGR' ? [2, 1, 0] : [0, 1, 2];
  const pad = input.pad_value ?? 114;
  const data = new Array_(W * H * 3);
  const plane = W * H;
  const nchw = layout === 'NCHW';
  for (let c = 0; c < 3; c++) {
    const table = tables[c];
    const padded = table[pad];
    const s = src[c];
    for (let y = 0; y < H; y++) {
      const inside = y >= top && y < top + rh;
      const rowSrc = (y - top) * rw;
      for (let x = 0; x < W; x++) {
        const v = inside && x >= left && x < left + rw ? table[rgba[(rowSrc + x - left) * 4 + s]] : padded;
        if (nchw) data[c * plane + y * W + x] = v;
        else data[(y * W + x) * 3 + c] = v;
      }
    }
  }
  return { data, dims: inputDims(input), type: input.dtype };
}

/**
 * Bilinear resize of RGBA pixels, sampling like OpenCV's INTER_LINEAR (pixel centres at +0.5,
 * edges clamped, no antialiasing), rounded to 0-255.
 */
export function resizeBilinear(rgba, width, height, newWidth, newHeight) {
  if (newWidth === width && newHeight === height) return rgba instanceof Uint8ClampedArray ? rgba : Uint8ClampedArray.from(rgba);
  const out = new Uint8ClampedArray(newWidth * newHeight * 4);
  const xs = axisTaps(width, newWidth);
  const ys = axisTaps(height, newHeight);
  for (let y = 0; y < newHeight; y++) {
    const y0 = ys.i0[y], y1 = ys.i1[y], fy = ys.f[y];
    for (let x = 0; x < newWidth; x++) {
      const x0 = xs.i0[x], x1 = xs.i1[x], fx = xs.f[x];
      const p00 = (y0 * width + x0) * 4, p01 = (y0 * width + x1) * 4;
      const p10 = (y1 * width + x0) * 4, p11 = (y1 * width + x1) * 4;
      const o = (y * newWidth + x) * 4;
      for (let c = 0; c < 4; c++) {
        const top = rgba[p00 + c] + (rgba[p01 + c] - rgba[p00 + c]) * fx;
        const bottom = rgba[p10 + c] + (rgba[p11 + c] - rgba[p10 + c]) * fx;
        out[o + c] = Math.round(top + (bottom - top) * fy);
      }
    }
  }
  return out;
}

function axisTaps(size, newSize) {
  const scale = size / newSize;
  const i0 = new Int32Array(newSize), i1 = new Int32Array(newSize), f = new Float64Array(newSize);
  for (let d = 0; d < newSize; d++) {
    const s = (d + 0.5) * scale - 0.5;
    let x0 = Math.floor(s);
    let fx = s - x0;
    if (x0 < 0) {
      x0 = 0;
      fx = 0;
    }
    if (x0 >= size - 1) {
      x0 = size - 1;
      fx = 0;
    }
    i0[d] = x0;
    i1[d] = Math.min(x0 + 1, size - 1);
    f[d] = fx;
  }
  return { i0, i1, f };
}

/** Whole pipeline on RGBA pixels in plain JavaScript (Node, tests, fallback). */
export function prepareFromRGBA(rgba, width, height, input) {
  const geometry = geometryFor(input, width, height);
  const resized = resizeBilinear(rgba, width, height, geometry.resizedWidth, geometry.resizedHeight);
  const tensor = buildTensor(resized, geometry, input);
  return { ...tensor, placement: geometry.placement, geometry, extra: extraInputs(input, geometry.placement) };
}

/** Source images up to this many pixels are resized in JavaScript ('auto' resampler); larger ones by the canvas. */
export const JS_RESIZE_MAX_PIXELS = 12_000_000;

/**
 * Browser pipeline: an ImageBitmap (or anything `drawImage` takes, with `width`/`height`) to the
 * input tensor. `sourceSize` is the original image's size when `bitmap` was already downscaled from it
 * (huge images): the placement then maps boxes to the original image's pixels.
 * `resampler`: 'js' reads the bitmap's pixels and resizes with `resizeBilinear` (OpenCV's sampling, so
 * the tensor matches the Python reference within one level); 'canvas' lets `drawImage` resize (faster on
 * huge images, but Chromium's filter differs from OpenCV's when shrinking); 'auto' picks 'js' up to
 * JS_RESIZE_MAX_PIXELS.
 */
export function prepareFromBitmap(bitmap, input, sourceSize = null, resampler = 'auto') {
  const width = bitmap.width, height = bitmap.height;
  const geometry = geometryFor(input, width, height);
  const { resizedWidth: rw, resizedHeight: rh } = geometry;
  if (typeof OffscreenCanvas === 'undefined') {
    throw new Error('this browser has no OffscreenCanvas: cannot read images in a worker');
  }
  const same = rw === width && rh === height;
  const useJs = resampler === 'js' || (resampler === 'auto' && width * height <= JS_RESIZE_MAX_PIXELS);
  let pixels;
  if (same || useJs) {
    const canvas = new OffscreenCanvas(width, height);
    const ctx = canvas.getContext('2d', { willReadFrequently: true });
    ctx.drawImage(bitmap, 0, 0);
    const full = ctx.getImageData(0, 0, width, height).data;
    pixels = same ? full : resizeBilinear(full, width, height, rw, rh);
  } else {
    const canvas = new OffscreenCanvas(rw, rh);
    const ctx = canvas.getContext('2d', { willReadFrequently: true });
    ctx.imageSmoothingEnabled = true;
    ctx.imageSmoothingQuality = 'low'; // bilinear
    ctx.drawImage(bitmap, 0, 0, rw, rh);
    pixels = ctx.getImageData(0, 0, rw, rh).data;
  }
  const tensor = buildTensor(pixels, geometry, input);
  let placement = geometry.placement;
  if (sourceSize && (sourceSize.width !== width || sourceSize.height !== height)) {
    placement = rescalePlacement(placement, sourceSize.width, sourceSize.height);
  }
  return { ...tensor, placement, geometry, extra: extraInputs(input, placement), resampler: same ? 'none' : useJs ? 'js' : 'canvas' };
}

/**
 * A placement computed on a downscaled copy, made to map to the original image instead
 * (`original = copy * originalWidth / copyWidth`).
 */
export function rescalePlacement(placement, originalWidth, originalHeight) {
  const fx = placement.imageWidth / originalWidth;
  const fy = placement.imageHeight / originalHeight;
  return {
    scaleX: placement.scaleX * fx,
    scaleY: placement.scaleY * fy,
    padX: placement.padX,
    padY: placement.padY,
    imageWidth: originalWidth,
    imageHeight: originalHeight,
  };
}

/** Model-input boxes `[x1, y1, x2, y2]` to image pixels, clipped to the image (as Placement.to_image). */
export function toImageBox(box, placement) {
  const { scaleX, scaleY, padX, padY, imageWidth, imageHeight } = placement;
  return [
    clamp((box[0] - padX) / scaleX, 0, imageWidth),
    clamp((box[1] - padY) / scaleY, 0, imageHeight),
    clamp((box[2] - padX) / scaleX, 0, imageWidth),
    clamp((box[3] - padY) / scaleY, 0, imageHeight),
  ];
}

function clamp(v, lo, hi) {
  return v < lo ? lo : v > hi ? hi : v;
}
