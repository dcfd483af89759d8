/** The Screen Wake Lock API, where the browser has it. */
interface WakeLockApi {
  request(type: 'screen'): Promise<{ release(): Promise<void> }>;
}

/**
 * Keeps a phone's screen on while a call is under way. The browser drops the
 * lock whenever the page is hidden, so it is asked for again when the page
 * shows. Returns the function that lets the screen sleep again.
 */
export function keepScreenAwake(): () => void {
  const wakeLock = (navigator as Navigator & { wakeLock?: WakeLockApi }).wakeLock;
  if (!wakeLock) return () => undefined;
  let lock: Promise<{ release(): Promise<void> } | undefined> = Promise.resolve(undefined);
  let held = true;
  const acquire = () => {
    if (!held || document.visibilityState !== 'visible') return;
    // Refused (battery saver, no user activation yet): the screen may sleep, the call goes on.
    lock = wakeLock.request('screen').catch(() => undefined);
  };
  acquire();
  document.addEventListener('visibilitychange', acquire);
  return () => {
    held = false;
    document.removeEventListener('visibilitychange', acquire);
    void lock.then((current) => current?.release().catch(() => undefined));
  };
}
