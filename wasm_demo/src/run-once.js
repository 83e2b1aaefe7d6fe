// One model, one image, one fresh worker: load the model (worker.js downloads it, or takes it from the Cache
// API), run the frame once, stop the worker. The all-models page runs its models through this one after
// another, so only one model holds memory and cores at a time.

import { WorkerClient } from './worker-client.js';
import { PHASE, STATUS } from './worker-protocol.js';

/**
 * Run `frame` (image-source.js makeFrame) through `entry` (a manifest entry) in a new worker at `workerUrl`.
 * `settings`: `{ortBase, numThreads, accelerator, resampler, wasmBinary}` as the worker's LOAD takes them. `onProgress(text,
 * fraction|null)` reports the download and session creation. Resolves with `{ready, result}` (the worker's
 * READY and RESULT messages); rejects with an Error whose message the page can show.
 */
export function runOnce(workerUrl, index, entry, frame, settings, onProgress = () => {}) {
  return new Promise((resolve, reject) => {
    const key = { runOnce: index };
    frame.retain(key);
    let client = null;
    let ready = null;
    let result = null;
    let sent = false;
    let finished = false;
    const finish = (err) => {
      if (finished) return;
      finished = true;
      frame.release(key);
      client?.dispose();
      if (err) reject(err);
      else resolve({ ready, result });
    };
    const send = async () => {
      sent = true;
      let bitmap;
      try {
        bitmap = await createImageBitmap(frame.bitmap);
      } catch (err) {
        finish(new Error(`the image could not be copied for the model (${err.message})`));
        return;
      }
      if (finished) {
        bitmap.close();
        return;
      }
      client.run({ id: 1, bitmap, sourceSize: { width: frame.width, height: frame.height }, options: {} });
    };
    const onMessage = (m) => {
      switch (m.status) {
        case STATUS.LOADING:
          if (m.phase === PHASE.DOWNLOAD) {
            const total = m.total || entry.bytes || 0;
            onProgress(m.fromCache ? 'from cache' : 'downloading', total ? Math.min(1, m.loaded / total) : null);
          } else onProgress('starting the model', null);
          break;
        case STATUS.READY:
          ready = m;
          onProgress('running', null);
          break;
        case STATUS.IDLE:
          if (!sent && ready) send();
          else if (result) finish(null);
          break;
        case STATUS.RESULT:
          result = m;
          break;
        case STATUS.DROPPED:
          finish(new Error('the worker was busy and dropped the image'));
          break;
        case STATUS.ERROR:
          finish(new Error(m.message));
          break;
        default:
          break;
      }
    };
    try {
      client = new WorkerClient(workerUrl, index, {
        onMessage,
        onError: (e) => {
          e.preventDefault?.();
          finish(new Error(`the model worker failed: ${e.message || 'script error (is worker.js served?)'}`));
        },
        onMessageError: () => finish(new Error('the model worker sent an unreadable message')),
      });
    } catch (err) {
      finish(new Error(`this browser cannot start a module worker (${err.message})`));
      return;
    }
    client.load({ ...settings, model: entry, runtime: entry.runtime });
  });
}
