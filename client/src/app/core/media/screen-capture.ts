/** What a screen share sends: the picture, and the sound of a tab or the system where the browser offers it. */
export interface ScreenCapture {
  readonly video: MediaStreamTrack;
  readonly audio: MediaStreamTrack | undefined;
}

/** Whether this browser can share a screen: desktop browsers can, phones have no getDisplayMedia. */
export function canShareScreen(): boolean {
  return typeof navigator.mediaDevices?.getDisplayMedia === 'function';
}

/**
 * Asks the person which screen, window or tab to share. Slides and text must
 * stay sharp, so the picture is captured in full resolution at a low frame
 * rate and marked as detail for the encoder. 'cancelled' when the person
 * closed the picker (browsers report a refusal the same way), 'unavailable'
 * when the browser had nothing to offer or could not capture it.
 */
export async function captureScreen(): Promise<ScreenCapture | 'cancelled' | 'unavailable'> {
  try {
    const stream = await navigator.mediaDevices.getDisplayMedia({
      video: { frameRate: { ideal: 8, max: 15 }, width: { max: 1920 }, height: { max: 1080 } },
      audio: true,
    });
    const [video] = stream.getVideoTracks();
    if (!video) return 'unavailable';
    video.contentHint = 'detail';
    const [audio] = stream.getAudioTracks();
    return { video, audio };
  } catch (error) {
    return error instanceof DOMException && error.name === 'NotAllowedError' ? 'cancelled' : 'unavailable';
  }
}
