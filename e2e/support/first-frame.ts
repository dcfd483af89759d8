import type { Page } from '@playwright/test';

declare global {
  interface Window {
    __firstRemoteFrame: Promise<number>;
  }
}

/** In the page, before the app: the wall-clock time of the first frame any remote tile presents. */
export function watchFirstRemoteFrame(): void {
  window.__firstRemoteFrame = new Promise((resolve) => {
    const watch = () => {
      for (const video of document.querySelectorAll<HTMLVideoElement & { watched?: boolean }>('[data-tile="remote"] video')) {
        if (video.watched) continue;
        video.watched = true;
        video.requestVideoFrameCallback(() => resolve(Date.now()));
      }
    };
    new MutationObserver(watch).observe(document, { subtree: true, childList: true });
  });
}

/** When the page presented its first remote frame (it must have been opened with watchFirstRemoteFrame). */
export function firstRemoteFrame(page: Page): Promise<number> {
  return page.evaluate(() => window.__firstRemoteFrame);
}
