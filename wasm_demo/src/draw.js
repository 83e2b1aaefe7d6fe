// Drawing a panel's image with its detections on a canvas.

/** One colour per class id, spread around the hue circle. */
export function classColor(id) {
  const hue = (id * 137.508) % 360;
  return `hsl(${hue.toFixed(0)} 85% 45%)`;
}

export function clearCanvas(canvas) {
  const ctx = canvas.getContext('2d');
  ctx.clearRect(0, 0, canvas.width, canvas.height);
}

/**
 * Draw `frame` (a frame from image-source.js makeFrame) on `canvas`, at most 1280 pixels wide, with each
 * detection's box and label (boxes are in the original image's pixels). `caption`, when given, goes in the
 * bottom-left corner: the image itself then says whose boxes these are, also when it is shared without the page.
 */
export function drawDetections(canvas, frame, detections, caption = null) {
  const maxWidth = 1280;
  const scale = Math.min(1, maxWidth / frame.bitmap.width);
  const cw = Math.max(1, Math.round(frame.bitmap.width * scale));
  const ch = Math.max(1, Math.round(frame.bitmap.height * scale));
  if (canvas.width !== cw || canvas.height !== ch) {
    canvas.width = cw;
    canvas.height = ch;
  }
  const ctx = canvas.getContext('2d');
  try {
    ctx.drawImage(frame.bitmap, 0, 0, cw, ch);
  } catch {
    ctx.clearRect(0, 0, cw, ch);
  }
  const sx = cw / frame.width;
  const sy = ch / frame.height;
  const line = Math.max(2, Math.round(cw / 320));
  const font = Math.max(11, Math.round(cw / 45));
  ctx.lineWidth = line;
  ctx.font = `600 ${font}px system-ui, sans-serif`;
  ctx.textBaseline = 'top';
  for (const d of [...detections].reverse()) {
    const [x1, y1, x2, y2] = d.box;
    const color = classColor(d.classId);
    ctx.strokeStyle = color;
    ctx.strokeRect(x1 * sx, y1 * sy, (x2 - x1) * sx, (y2 - y1) * sy);
    const label = `${d.className} ${d.score.toFixed(2)}`;
    const tw = ctx.measureText(label).width + 6;
    const ty = y1 * sy - font - 4 >= 0 ? y1 * sy - font - 4 : y1 * sy;
    ctx.fillStyle = color;
    ctx.fillRect(x1 * sx, ty, tw, font + 4);
    ctx.fillStyle = '#fff';
    ctx.fillText(label, x1 * sx + 3, ty + 2);
  }
  if (caption) {
    const tw = ctx.measureText(caption).width + 8;
    ctx.fillStyle = 'rgba(0,0,0,.72)';
    ctx.fillRect(0, ch - font - 8, tw, font + 8);
    ctx.fillStyle = '#fff';
    ctx.fillText(caption, 4, ch - font - 4);
  }
}
