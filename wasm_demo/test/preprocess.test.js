import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  buildTensor,
  extraInputs,
  imageInputName,
  geometryFor,
  inputDims,
  letterboxGeometry,
  prepareFromRGBA,
  rescalePlacement,
  resizeBilinear,
  roundHalfEven,
  stretchGeometry,
  toImageBox,
  valueTables,
} from '../src/preprocess.js';

test('roundHalfEven is Python 3 round()', () => {
  assert.deepEqual([0.5, 1.5, 2.5, -0.5, -1.5, 2.4, 2.6, 106.4, 106.6, 80].map(roundHalfEven), [0, 2, 2, 0, -2, 2, 3, 106, 107, 80]);
});

test('letterbox: 640x427 into 640x640 pads 106 above and 107 below (Ultralytics rounding)', () => {
  const g = letterboxGeometry(640, 427, [640, 640]);
  assert.deepEqual(
    [g.resizedWidth, g.resizedHeight, g.left, g.top, g.right, g.bottom],
    [640, 427, 0, 106, 0, 107],
  );
  assert.equal(g.placement.scaleX, 1);
  assert.equal(g.top + g.resizedHeight + g.bottom, 640);
});

test('letterbox: bus.jpg 810x1080 -> 480x640 centred, 80 px each side', () => {
  const g = letterboxGeometry(810, 1080, [640, 640]);
  assert.deepEqual([g.resizedWidth, g.resizedHeight, g.left, g.right, g.top, g.bottom], [480, 640, 80, 80, 0, 0]);
  assert.equal(g.placement.scaleX, 640 / 1080);
});

test('letterbox: upscales small images (scaleup) and handles odd padding', () => {
  const g = letterboxGeometry(500, 375, [640, 640]);
  assert.deepEqual([g.resizedWidth, g.resizedHeight, g.top, g.bottom], [640, 480, 80, 80]);
  const odd = letterboxGeometry(333, 500, [640, 640]); // 426.24 -> 426, pad 214 -> 107/107
  assert.deepEqual([odd.resizedWidth, odd.left, odd.right], [426, 107, 107]);
  const odd2 = letterboxGeometry(335, 500, [640, 640]); // 428.8 -> 429, pad 211 -> 105.5: 105 / 106
  assert.deepEqual([odd2.resizedWidth, odd2.left, odd2.right], [429, 105, 106]);
});

test('letterbox: ties in the resized size round half to even like Python', () => {
  const g = letterboxGeometry(10, 5, [640, 5]); // r = 0.5, 5 * 0.5 = 2.5 -> 2
  assert.equal(g.resizedHeight, 2);
  assert.equal(g.resizedWidth, 5);
  assert.equal(g.top, 319);
  assert.equal(g.bottom, 319);
});

test('letterbox: non-square input sizes and a 1-pixel floor', () => {
  const g = letterboxGeometry(1000, 1, [320, 640]);
  assert.equal(g.resizedWidth, 640);
  assert.equal(g.resizedHeight, 1);
  assert.equal(g.top + g.bottom + 1, 320);
});

test('geometry: stretch, unknown resize and bad sizes', () => {
  const g = stretchGeometry(640, 480, [300, 300]);
  assert.deepEqual(g.placement, { scaleX: 300 / 640, scaleY: 300 / 480, padX: 0, padY: 0, imageWidth: 640, imageHeight: 480 });
  assert.throws(() => geometryFor({ resize: 'crop', size: [2, 2] }, 4, 4), /unknown resize/);
  assert.throws(() => letterboxGeometry(0, 10, [640, 640]), RangeError);
  assert.throws(() => letterboxGeometry(10, 10, [640]), RangeError);
});

test('placement round trip: toImageBox inverts the letterbox and clips', () => {
  const g = letterboxGeometry(810, 1080, [640, 640]);
  const p = g.placement;
  const imageBox = [100, 200, 300, 400];
  const inputBox = imageBox.map((v, i) => (i % 2 === 0 ? v * p.scaleX + p.padX : v * p.scaleY + p.padY));
  toImageBox(inputBox, p).forEach((v, i) => assert.ok(Math.abs(v - imageBox[i]) < 1e-9));
  assert.deepEqual(toImageBox([-50, -50, 700, 700], p), [0, 0, 810, 1080]);
});

test('rescalePlacement maps a downscaled copy back to the original', () => {
  const copy = letterboxGeometry(2000, 1000, [640, 640]).placement; // copy of an 8000x4000 original
  const p = rescalePlacement(copy, 8000, 4000);
  const inputBox = [64, 160 + 32, 128, 160 + 64];
  const box = toImageBox(inputBox, p);
  const expect = [64 / copy.scaleX * 4, 32 / copy.scaleY * 4, 128 / copy.scaleX * 4, 64 / copy.scaleY * 4];
  box.forEach((v, i) => assert.ok(Math.abs(v - expect[i]) < 1e-6, `${v} vs ${expect[i]}`));
});

test('valueTables: float32 steps like numpy, uint8 identity', () => {
  const t = valueTables({ dtype: 'float32', scale: 1 / 255, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] });
  const f = Math.fround;
  assert.equal(t[0][255], f(f(f(255 * f(1 / 255)) - f(0.485)) / f(0.229)));
  assert.equal(valueTables({ dtype: 'float32', scale: 1 / 255 })[1][255], f(255 * f(1 / 255)));
  assert.equal(valueTables({ dtype: 'uint8' })[2][200], 200);
});

function rgbaImage(width, height, fn) {
  const px = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) {
    const [r, g, b] = fn(x, y);
    px.set([r, g, b, 255], (y * width + x) * 4);
  }
  return px;
}

test('buildTensor: NCHW float, padding, channel order', () => {
  const input = { size: [4, 4], layout: 'NCHW', dtype: 'float32', color: 'RGB', resize: 'letterbox', pad_value: 114, scale: 1 };
  const geometry = letterboxGeometry(4, 2, [4, 4]); // 4x2 image: rows 1-2 hold it, rows 0 and 3 padded
  assert.deepEqual([geometry.top, geometry.bottom], [1, 1]);
  const px = rgbaImage(4, 2, (x, y) => [x, 10 + y, 20]);
  const t = buildTensor(px, geometry, input);
  assert.deepEqual(t.dims, [1, 3, 4, 4]);
  assert.ok(t.data instanceof Float32Array);
  assert.deepEqual(Array.from(t.data.slice(0, 4)), [114, 114, 114, 114]); // R, row 0 = padding
  assert.deepEqual(Array.from(t.data.slice(4, 8)), [0, 1, 2, 3]); // R, row 1
  assert.deepEqual(Array.from(t.data.slice(16 + 8, 16 + 12)), [11, 11, 11, 11]); // G, row 2
  assert.deepEqual(Array.from(t.data.slice(32 + 4, 32 + 8)), [20, 20, 20, 20]); // B, row 1
});

test('buildTensor: NHWC uint8 BGR', () => {
  const input = { size: [2, 3], layout: 'NHWC', dtype: 'uint8', color: 'BGR', resize: 'stretch' };
  const geometry = stretchGeometry(3, 2, [2, 3]);
  const px = rgbaImage(3, 2, (x, y) => [1 + x, 100 + y, 200]);
  const t = buildTensor(px, geometry, input);
  assert.deepEqual(t.dims, [1, 2, 3, 3]);
  assert.ok(t.data instanceof Uint8Array);
  assert.deepEqual(Array.from(t.data.slice(0, 6)), [200, 100, 1, 200, 100, 2]);
  assert.deepEqual(Array.from(t.data.slice(9, 12)), [200, 101, 1]);
  assert.deepEqual(inputDims(input), [1, 2, 3, 3]);
});

test('buildTensor: mean/std normalization per tensor channel', () => {
  const input = { size: [1, 1], layout: 'NCHW', dtype: 'float32', color: 'BGR', resize: 'stretch', scale: 1, mean: [1, 2, 3], std: [2, 4, 8] };
  const t = buildTensor(rgbaImage(1, 1, () => [10, 20, 30]), stretchGeometry(1, 1, [1, 1]), input);
  // channel 0 is B = 30: (30 - 1) / 2; channel 1 G: (20 - 2) / 4; channel 2 R: (10 - 3) / 8
  assert.deepEqual(Array.from(t.data), [14.5, 4.5, 0.875]);
});

test('buildTensor: refuses short pixel buffers and unknown dtypes', () => {
  const g = stretchGeometry(2, 2, [2, 2]);
  assert.throws(() => buildTensor(new Uint8ClampedArray(4), g, { size: [2, 2], layout: 'NCHW', dtype: 'float32' }), RangeError);
  assert.throws(() => buildTensor(new Uint8ClampedArray(16), g, { size: [2, 2], layout: 'NCHW', dtype: 'float16' }), /dtype/);
});

test('resizeBilinear: identity, constant image, half-pixel centres', () => {
  const px = rgbaImage(4, 1, (x) => [x * 10, 0, 0]);
  assert.deepEqual(Array.from(resizeBilinear(px, 4, 1, 4, 1)), Array.from(px));
  const flat = rgbaImage(5, 3, () => [7, 8, 9]);
  const r = resizeBilinear(flat, 5, 3, 11, 2);
  for (let i = 0; i < 11 * 2; i++) assert.deepEqual(Array.from(r.slice(i * 4, i * 4 + 3)), [7, 8, 9]);
  // 4 -> 2: each output pixel is the mean of two inputs (0,10)->5, (20,30)->25
  const half = resizeBilinear(px, 4, 1, 2, 1);
  assert.deepEqual([half[0], half[4]], [5, 25]);
  // 2 -> 4: 0,10 -> 0, 2.5, 7.5, 10 (edges clamped) -> rounded
  const two = rgbaImage(2, 1, (x) => [x * 10, 0, 0]);
  const up = resizeBilinear(two, 2, 1, 4, 1);
  assert.deepEqual([up[0], up[4], up[8], up[12]], [0, 3, 8, 10]);
});

test('prepareFromRGBA: whole pipeline shape and placement', () => {
  const input = { size: [640, 640], layout: 'NCHW', dtype: 'float32', color: 'RGB', resize: 'letterbox', pad_value: 114, scale: 1 / 255 };
  const px = rgbaImage(64, 48, (x, y) => [x * 4, y * 5, 128]);
  const p = prepareFromRGBA(px, 64, 48, input);
  assert.equal(p.data.length, 3 * 640 * 640);
  assert.equal(p.placement.scaleX, 10);
  assert.equal(p.placement.padY, 80);
  assert.equal(p.data[0], Math.fround(114 * Math.fround(1 / 255)));
});

test('letterbox align top-left: same resize, all padding right and bottom', () => {
  const c = letterboxGeometry(640, 480, [416, 416]);
  const t = letterboxGeometry(640, 480, [416, 416], 'top-left');
  assert.equal(t.resizedWidth, c.resizedWidth);
  assert.equal(t.resizedHeight, c.resizedHeight);
  assert.deepEqual([t.left, t.top, t.right, t.bottom], [0, 0, 0, 416 - t.resizedHeight]);
  assert.deepEqual([t.placement.padX, t.placement.padY], [0, 0]);
  assert.equal(geometryFor({ size: [416, 416], resize: 'letterbox', align: 'top-left' }, 640, 480).top, 0);
  assert.throws(() => letterboxGeometry(640, 480, [416, 416], 'bottom'), /align/);
  assert.throws(() => geometryFor({ size: [8, 8], resize: 'stretch', align: 'top-left' }, 4, 4), /letterbox/);
});

test('int8 input: the float value quantized half to even, clipped', () => {
  const input = { dtype: 'int8', scale: 1 / 255, quantization: { scale: 0.018658448, zero_point: -14 } };
  const [t] = valueTables(input);
  assert.ok(t instanceof Int8Array);
  assert.equal(t[0], -14);
  assert.equal(t[255], Math.min(127, roundHalfEven(Math.fround(Math.fround(255 * Math.fround(1 / 255))) / 0.018658448) - 14));
  assert.throws(() => valueTables({ dtype: 'int8' }), /quantization/);
});

test('extra inputs come from the placement; the image input is the one that is not extra', () => {
  const input = {
    extra_inputs: [
      { name: 'orig_target_sizes', value: 'image-size-wh', dtype: 'int64' },
      { name: 'scale_factor', value: 'scale-factor-hw', dtype: 'float32' },
    ],
  };
  const placement = { scaleX: 0.5, scaleY: 0.25, padX: 0, padY: 0, imageWidth: 640, imageHeight: 1280 };
  const extra = extraInputs(input, placement);
  assert.deepEqual([...extra.orig_target_sizes.data], [640n, 1280n]);
  assert.deepEqual(extra.orig_target_sizes.dims, [1, 2]);
  assert.deepEqual([...extra.scale_factor.data], [0.25, 0.5]);
  assert.equal(imageInputName(input, ['orig_target_sizes', 'images']), 'images');
  assert.equal(imageInputName({ name: 'x' }, ['a', 'x']), 'x');
});
