/** Capture settings: 720p where the camera has it, voice processing on. */
const CAMERA: MediaTrackConstraints = { width: { ideal: 1280 }, height: { ideal: 720 }, frameRate: { ideal: 24, max: 30 } };
const MICROPHONE: MediaTrackConstraints = { echoCancellation: true, noiseSuppression: true, autoGainControl: true };

/**
 * Why a device did not open: the person or the browser refused it
 * ('denied'), there is none or not the one asked for ('unavailable'), or
 * the system could not start it, mostly because another app holds it
 * ('in-use').
 */
export type CaptureFailure = 'denied' | 'unavailable' | 'in-use';

export type Capture = { ok: true; track: MediaStreamTrack } | { ok: false; reason: CaptureFailure };

/**
 * Opens the camera or microphone, with `device` (a deviceId or facingMode
 * constraint) on top of the capture settings; a refusal or a missing device
 * is a result, not an exception.
 */
export async function capture(
  kind: 'camera' | 'microphone',
  device: MediaTrackConstraints = {},
  media: Pick<MediaDevices, 'getUserMedia'> | undefined = navigator.mediaDevices,
): Promise<Capture> {
  if (!media?.getUserMedia) return { ok: false, reason: 'unavailable' };
  try {
    const stream = await media.getUserMedia(
      kind === 'camera' ? { video: { ...CAMERA, ...device } } : { audio: { ...MICROPHONE, ...device } },
    );
    const [track] = stream.getTracks();
    return { ok: true, track };
  } catch (error) {
    return { ok: false, reason: failureOf(error) };
  }
}

function failureOf(error: unknown): CaptureFailure {
  const name = error instanceof Error || error instanceof DOMException ? error.name : '';
  if (name === 'NotAllowedError' || name === 'SecurityError') return 'denied';
  // Chromium and Firefox say NotReadableError (older Chromium TrackStartError) when the OS cannot start the device.
  if (name === 'NotReadableError' || name === 'TrackStartError') return 'in-use';
  return 'unavailable';
}
