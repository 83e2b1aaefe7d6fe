// Fetching onnxruntime-web's wasm once per page (src/ort-wasm.js): its gzipped copy inflated, else the plain file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { randomBytes } from 'node:crypto';

import { fetchWasm, GZIP_SUFFIX } from '../src/ort-wasm.js';

const URL_ = 'https://example.test/ort/ort-wasm-simd-threaded.wasm';
const plain = randomBytes(200_000); // any bytes do: only equality matters

/** A fetch that serves `files` (URL -> bytes) and records what was asked for. */
function server(files) {
  const asked = [];
  const fetchImpl = async (url) => {
    asked.push(url);
    return url in files ? new Response(files[url]) : new Response('not found', { status: 404 });
  };
  return { fetchImpl, asked };
}

test('the gzipped copy is fetched and inflated to the very bytes of the plain file', async () => {
  const { fetchImpl, asked } = server({ [URL_ + GZIP_SUFFIX]: gzipSync(plain), [URL_]: plain });
  const got = await fetchWasm(URL_, fetchImpl);
  assert.deepEqual(Buffer.from(got), plain);
  assert.deepEqual(asked, [URL_ + GZIP_SUFFIX]);
});

test('without a gzipped copy the plain file is fetched', async () => {
  const { fetchImpl, asked } = server({ [URL_]: plain });
  assert.deepEqual(Buffer.from(await fetchWasm(URL_, fetchImpl)), plain);
  assert.deepEqual(asked, [URL_ + GZIP_SUFFIX, URL_]);
});

test('a corrupt or truncated gzipped copy falls back to the plain file', async () => {
  const gz = gzipSync(plain);
  for (const broken of [gz.subarray(0, gz.length >> 1), Buffer.from('not gzip at all')]) {
    const { fetchImpl } = server({ [URL_ + GZIP_SUFFIX]: broken, [URL_]: plain });
    assert.deepEqual(Buffer.from(await fetchWasm(URL_, fetchImpl)), plain);
  }
});

test('nothing to fetch gives null, so each worker loads the binary itself', async () => {
  const { fetchImpl } = server({});
  assert.equal(await fetchWasm(URL_, fetchImpl), null);
  const failing = async () => {
    throw new TypeError('network down');
  };
  assert.equal(await fetchWasm(URL_, failing), null);
});
