/** Capture settings: 720p where the camera has it, voice processing on. */
const CAMERA: MediaTrackConstraints = { width: { ideal: 1280 }, height: { ideal: 720 }, frameRate: { ideal: 24, max: 30 } };
const MICROPHONE: MediaTrackConstraints = { echoCancellation: true, noiseSuppression: true, autoGainControl: true };

export type CaptureFailure = 'denied' | 'unavailable';

export type Capture = { ok: true; track: MediaStreamTrack } | { ok: false; reason: CaptureFailure };

/** Opens the camera or microphone; a refusal or a missing device is a result, not an exception. */
export async function capture(kind: 'camera' | 'microphone'): Promise<Capture> {
  if (!navigator.mediaDevices?.getUserMedia) return { ok: false, reason: 'unavailable' };
  try {
    const stream = await navigator.mediaDevices.getUserMedia(kind === 'camera' ? { video: CAMERA } : { audio: MICROPHONE });
    const [track] = stream.getTracks();
    return { ok: true, track };
  } catch (error) {
    const denied = error instanceof DOMException && (error.name === 'NotAllowedError' || error.name === 'SecurityError');
    return { ok: false, reason: denied ? 'denied' : 'unavailable' };
  }
}
