// The webcam as an image source: what to tell the visitor when the camera cannot start, and frames taken
// from the playing <video>.

import { fitBitmap, makeFrame } from './image-source.js';

/** The visitor's explanation for a getUserMedia (or video.play) failure. */
export function cameraMessage(err) {
  const name = err?.name ?? '';
  if (name === 'NotAllowedError' || name === 'PermissionDeniedError') {
    return 'Camera permission was denied. Allow the camera for this site in the browser settings, or use an image instead.';
  }
  if (name === 'NotFoundError' || name === 'DevicesNotFoundError' || name === 'OverconstrainedError') {
    return 'No camera was found on this device.';
  }
  if (name === 'NotReadableError' || name === 'TrackStartError') return 'The camera is in use by another application.';
  if (name === 'SecurityError' || name === 'NoMediaDevices') return 'The camera needs a secure page (https or localhost).';
  return `The camera could not be started (${err?.message ?? name ?? 'unknown error'}).`;
}

/** Whether the video has a frame to take yet. */
export function videoReady(video) {
  return video.readyState >= 2 && Boolean(video.videoWidth);
}

/** The video's current picture as a frame (`still`: kept as the image, e.g. to measure on; else a live frame). */
export async function videoFrame(video, still) {
  const fitted = await fitBitmap(await createImageBitmap(video), 'video');
  return makeFrame({ ...fitted, label: 'webcam', still });
}
