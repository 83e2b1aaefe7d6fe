import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
import { MAX_WORKING_PIXELS, sniffImage, workingSize } from '../src/image-source.js';
import { settings } from './settings.js';

const SAMPLES = settings.sample_images;

function png(width, height) {
  const b = Buffer.alloc(33);
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(b, 0);
  b.writeUInt32BE(13, 8);
  b.write('IHDR', 12, 'latin1');
  b.writeUInt32BE(width, 16);
  b.writeUInt32BE(height, 20);
  return new Uint8Array(b);
}

test('sniffImage: PNG, GIF, BMP, WebP headers', () => {
  assert.deepEqual(sniffImage(png(20000, 30000)), { format: 'png', width: 20000, height: 30000 });
  const gif = new Uint8Array([0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 0x40, 0x01, 0xf0, 0x00]);
  assert.deepEqual(sniffImage(gif), { format: 'gif', width: 320, height: 240 });
  const bmp = new Uint8Array(26);
  bmp.set([0x42, 0x4d]);
  new DataView(bmp.buffer).setInt32(18, 64, true);
  new DataView(bmp.buffer).setInt32(22, -48, true);
  assert.deepEqual(sniffImage(bmp), { format: 'bmp', width: 64, height: 48 });
  const webp = new Uint8Array(30);
  webp.set([...Buffer.from('RIFF'), 0, 0, 0, 0, ...Buffer.from('WEBPVP8X')]);
  webp.set([0x3f, 0x1f, 0x00], 24); // 8000 - 1
  webp.set([0x3f, 0x1f, 0x00], 27);
  assert.deepEqual(sniffImage(webp), { format: 'webp', width: 8000, height: 8000 });
});

test('sniffImage: JPEG sizes from the SOF marker, on real sample images', { skip: !(SAMPLES && existsSync(SAMPLES)) && `no sample images (${SAMPLES ?? 'no sample set'}; README: Settings)` }, () => {
  const names = readdirSync(SAMPLES).filter((n) => n.endsWith('.jpg')).slice(0, 10);
  for (const name of names) {
    const s = sniffImage(new Uint8Array(readFileSync(`${SAMPLES}/${name}`).subarray(0, 65536)));
    assert.equal(s.format, 'jpeg');
    assert.ok(s.width > 0 && s.height > 0 && s.width <= 640 && s.height <= 640, `${name}: ${s.width}x${s.height}`);
  }
});

test('sniffImage: text, ONNX, empty and random bytes are not images', () => {
  assert.equal(sniffImage(new TextEncoder().encode('not an image at all, just text')), null);
  assert.equal(sniffImage(new Uint8Array(0)), null);
  assert.equal(sniffImage(new Uint8Array(deflateSync(Buffer.alloc(1000)))), null);
  assert.equal(sniffImage(new Uint8Array([0x08, 0x08, 0x12, 0x07, 0x70, 0x79, 0x74, 0x6f])), null);
  // a JPEG signature with garbage after it is recognised, with no size: decoding then fails clearly
  assert.deepEqual(sniffImage(new Uint8Array([0xff, 0xd8, 0xff, 0x00, 0x01, 0x02])), { format: 'jpeg', width: null, height: null });
});

test('workingSize: small images unchanged, huge ones downscaled under the limit keeping the aspect', () => {
  assert.deepEqual(workingSize(640, 480), { width: 640, height: 480, scaled: false });
  const w = workingSize(8000, 8000);
  assert.ok(w.scaled && w.width * w.height <= MAX_WORKING_PIXELS && w.width === w.height);
  const tall = workingSize(2000, 20000);
  assert.ok(Math.abs(tall.width / tall.height - 0.1) < 0.001);
});
