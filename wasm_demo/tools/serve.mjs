#!/usr/bin/env node
// A small static file server for developing the demo: serves a folder on 127.0.0.1 with the headers the
// demo needs for wasm threads (Cross-Origin-Opener-Policy / Cross-Origin-Embedder-Policy), the right MIME
// types for .mjs/.wasm/.onnx, and no caching. Node built-ins only.
//
//   node wasm_demo/tools/serve.mjs [--root DIR] [--port 8790 (0: any free port)] [--no-isolation] [--log]
//
// The site's own `versus serve` does the same for the built site; this one is for wasm_demo/demo.html.

import { createServer } from 'node:http';
import { createReadStream, promises as fs } from 'node:fs';
import { extname, join, normalize, resolve, sep } from 'node:path';

const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const root = resolve(opt('--root', process.cwd()));
const port = Number(opt('--port', 8790));
const isolation = !args.includes('--no-isolation');
const log = args.includes('--log');

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.onnx': 'application/octet-stream',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.png': 'image/png',
  '.webp': 'image/webp',
  '.svg': 'image/svg+xml',
  '.map': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
};

const server = createServer(async (req, res) => {
  const headers = { 'Cache-Control': 'no-store', 'Cross-Origin-Resource-Policy': 'same-origin' };
  if (isolation) {
    headers['Cross-Origin-Opener-Policy'] = 'same-origin';
    headers['Cross-Origin-Embedder-Policy'] = 'require-corp';
  }
  let path;
  try {
    path = decodeURIComponent(new URL(req.url, 'http://localhost').pathname);
  } catch {
    res.writeHead(400, headers).end('bad request');
    return;
  }
  const file = normalize(join(root, path));
  if (file !== root && !file.startsWith(root + sep)) {
    res.writeHead(403, headers).end('forbidden');
    return;
  }
  let target = file;
  try {
    let st = await fs.stat(target);
    if (st.isDirectory()) {
      target = join(target, 'index.html');
      st = await fs.stat(target);
    }
    headers['Content-Type'] = TYPES[extname(target).toLowerCase()] ?? 'application/octet-stream';
    headers['Content-Length'] = st.size;
    if (log) console.log(`200 ${req.method} ${path}`);
    res.writeHead(200, headers);
    if (req.method === 'HEAD') res.end();
    else createReadStream(target).pipe(res);
  } catch {
    if (log) console.log(`404 ${req.method} ${path}`);
    res.writeHead(404, { ...headers, 'Content-Type': 'text/plain' }).end('not found');
  }
});

server.listen(port, '127.0.0.1', () => {
  console.log(`serving ${root} on http://127.0.0.1:${server.address().port}/ (cross-origin isolation ${isolation ? 'on' : 'off'})`);
});
