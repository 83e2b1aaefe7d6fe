// Image files the visitor gives the demo: recognise them from their first bytes (not from a name or a
// MIME type, which can lie), read their size from the header before decoding, and decide how big a
// copy the demo works on. `sniffImage` and `workingSize` are pure (tested in Node); `decodeImageFile`
// needs a browser (createImageBitmap decodes off the main thread). `makeFrame` wraps a decoded image for
// the panels that share it. `sampleCredit` builds a shipped sample's credit line.

import { h } from './dom.js';

/** Above this many pixels the file is refused without decoding it (a decompression bomb, or a mistake). */
export const MAX_IMAGE_PIXELS = 100_000_000;
/** Above this many pixels the demo works on a downscaled copy; boxes still come out in original pixels. */
export const MAX_WORKING_PIXELS = 4096 * 4096;
/** Files larger than this are refused before reading them. */
export const MAX_IMAGE_BYTES = 64 * 1024 * 1024;

export class ImageInputError extends Error {}

function u16be(b, o) {
  return (b[o] << 8) | b[o + 1];
}
function u16le(b, o) {
  return b[o] | (b[o + 1] << 8);
}
function u24le(b, o) {
  return b[o] | (b[o + 1] << 8) | (b[o + 2] << 16);
}
function u32be(b, o) {
  return ((b[o] << 24) >>> 0) + ((b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]);
}
function i32le(b, o) {
  return b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24);
}

function jpegSize(b) {
  let o = 2;
  while (o + 9 < b.length) {
    if (b[o] !== 0xff) return null;
    const marker = b[o + 1];
    if (marker === 0xff) {
      o++;
      continue;
    }
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      o += 2;
      continue;
    }
    const len = u16be(b, o + 2);
    // SOF0..SOF15 except DHT (C4), JPG (C8), DAC (CC)
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return { height: u16be(b, o + 5), width: u16be(b, o + 7) };
    }
    if (len < 2) return null;
    o += 2 + len;
  }
  return null;
}

/**
 * The format and size of an image from its first bytes (64 KB is plenty for the headers read here),
 * or null when the bytes are not an image format the demo knows. The size is null when the header
 * was not within the bytes given.
 * @param {Uint8Array} b
 */
export function sniffImage(b) {
  if (b.length >= 24 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47) {
    return { format: 'png', width: u32be(b, 16), height: u32be(b, 20) };
  }
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) {
    const size = jpegSize(b);
    return { format: 'jpeg', width: size?.width ?? null, height: size?.height ?? null };
  }
  if (b.length >= 10 && b[0] === 0x47 && b[1] === 0x49 && b[2] === 0x46 && b[3] === 0x38) {
    return { format: 'gif', width: u16le(b, 6), height: u16le(b, 8) };
  }
  if (b.length >= 26 && b[0] === 0x42 && b[1] === 0x4d) {
    return { format: 'bmp', width: Math.abs(i32le(b, 18)), height: Math.abs(i32le(b, 22)) };
  }
  const ascii = (o, n) => String.fromCharCode(...b.subarray(o, o + n));
  if (b.length >= 30 && ascii(0, 4) === 'RIFF' && ascii(8, 4) === 'WEBP') {
    const chunk = ascii(12, 4);
    if (chunk === 'VP8X') return { format: 'webp', width: u24le(b, 24) + 1, height: u24le(b, 27) + 1 };
    if (chunk === 'VP8L') {
      const bits = b[21] | (b[22] << 8) | (b[23] << 16) | (b[24] << 24);
      return { format: 'webp', width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
    }
    if (chunk === 'VP8 ') return { format: 'webp', width: u16le(b, 26) & 0x3fff, height: u16le(b, 28) & 0x3fff };
    return { format: 'webp', width: null, height: null };
  }
  if (b.length >= 12 && ascii(4, 4) === 'ftyp' && /avif|avis|heic|heix|mif1/.test(ascii(8, 4))) {
    return { format: ascii(8, 4).startsWith('avi') ? 'avif' : 'heif', width: null, height: null };
  }
  return null;
}

/** The size the demo works on for an image of `width` x `height` (same, or scaled down to fit). */
export function workingSize(width, height, maxPixels = MAX_WORKING_PIXELS) {
  const pixels = width * height;
  if (pixels <= maxPixels) return { width, height, scaled: false };
  const s = Math.sqrt(maxPixels / pixels);
  return { width: Math.max(1, Math.floor(width * s)), height: Math.max(1, Math.floor(height * s)), scaled: true };
}

function megapixels(w, h) {
  return `${((w * h) / 1e6).toFixed(w * h >= 1e7 ? 0 : 1)} MP`;
}

/**
 * A File/Blob -> {bitmap, width, height (the original's), scaled, format}. The bitmap may be a smaller
 * copy (see MAX_WORKING_PIXELS). Throws ImageInputError with a message for the visitor.
 */
export async function decodeImageFile(file) {
  const name = file.name ? `"${file.name}"` : 'This file';
  if (file.size === 0) throw new ImageInputError(`${name} is empty.`);
  if (file.size > MAX_IMAGE_BYTES) {
    throw new ImageInputError(`${name} is ${(file.size / 1048576).toFixed(0)} MB; the demo takes images up to ${MAX_IMAGE_BYTES / 1048576} MB.`);
  }
  const head = new Uint8Array(await file.slice(0, 65536).arrayBuffer());
  const sniffed = sniffImage(head);
  if (!sniffed) {
    const lower = (file.name ?? '').toLowerCase();
    if (lower.endsWith('.onnx')) {
      throw new ImageInputError(`${name} is an ONNX model, not an image: drop it onto one of the two panels to run it there.`);
    }
    throw new ImageInputError(`${name} is not an image the demo can read (JPEG, PNG, WebP, GIF, BMP or AVIF).`);
  }
  if (sniffed.width && sniffed.height && sniffed.width * sniffed.height > MAX_IMAGE_PIXELS) {
    throw new ImageInputError(
      `${name} is ${sniffed.width}×${sniffed.height} (${megapixels(sniffed.width, sniffed.height)}); ` +
        `the demo takes images up to ${MAX_IMAGE_PIXELS / 1e6} MP.`,
    );
  }
  let full;
  try {
    full = await createImageBitmap(file, { imageOrientation: 'from-image', colorSpaceConversion: 'none', premultiplyAlpha: 'none' });
  } catch {
    throw new ImageInputError(`${name} looks like a ${sniffed.format.toUpperCase()} file but could not be decoded (corrupt or truncated?).`);
  }
  return fitBitmap(full, sniffed.format);
}

/** A decoded bitmap -> the working copy (downscaled when huge). Closes `full` when it makes a copy. */
export async function fitBitmap(full, format = 'bitmap') {
  const width = full.width, height = full.height;
  if (!width || !height) {
    full.close?.();
    throw new ImageInputError('The image has no pixels.');
  }
  const work = workingSize(width, height);
  if (!work.scaled) return { bitmap: full, width, height, scaled: false, format };
  try {
    const bitmap = await createImageBitmap(full, { resizeWidth: work.width, resizeHeight: work.height, resizeQuality: 'high' });
    return { bitmap, width, height, scaled: true, format };
  } catch (err) {
    throw new ImageInputError(`The image is too large to process here (${width}×${height}): ${err.message}`);
  } finally {
    full.close?.();
  }
}

/**
 * A frame: one decoded image shared by the panels. `width` and `height` are the original image's size (the
 * bitmap may be a downscaled copy). Each holder retains it while it uses the bitmap; once the page has
 * dropped it and the last holder has released it, the bitmap is closed.
 */
export function makeFrame({ bitmap, width, height, label, still }) {
  const holders = new Set();
  let dropped = false;
  return {
    bitmap,
    width,
    height,
    label,
    still,
    retain(holder) {
      holders.add(holder);
    },
    release(holder) {
      holders.delete(holder);
      if (dropped && !holders.size) bitmap.close();
    },
    drop() {
      dropped = true;
      if (!holders.size) bitmap.close();
    },
  };
}

/**
 * The credit of a shipped sample as nodes for the demo's credit line: its title, the Flickr photo and its
 * licence as links, and the COCO image it is (manifest `samples[]`; links are http(s) only).
 */
export function sampleCredit(sample) {
  const link = (href, text) => (href ? h('a', { href, target: '_blank', rel: 'noopener', text }) : text);
  const parts = [h('span', { text: `${sample.name}: ` })];
  if (sample.flickrUrl || sample.license) {
    parts.push(
      h('span', {}, 'photo from ', link(sample.flickrUrl, 'Flickr'), ', licence ', link(sample.licenseUrl, sample.license ?? 'unknown'), '; '),
    );
  } else {
    parts.push(h('span', { text: `${sample.credit}; ` }));
  }
  parts.push(h('span', {}, link(sample.cocoUrl, 'COCO'), ' (annotations CC BY 4.0). '));
  return parts;
}
