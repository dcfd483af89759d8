/**
 * Calls `listener` when the device's network changes (Wi-Fi to mobile data,
 * back online), where the browser says so; returns the function that stops.
 */
export function onNetworkChange(listener: () => void): () => void {
  // The Network Information API, where the browser has it (Chromium, on phones above all).
  const connection = (navigator as Navigator & { connection?: EventTarget }).connection;
  addEventListener('online', listener);
  connection?.addEventListener('change', listener);
  return () => {
    removeEventListener('online', listener);
    connection?.removeEventListener('change', listener);
  };
}
