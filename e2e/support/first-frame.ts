import type { Page } from '@playwright/test';

declare global {
  interface Window {
    __firstRemoteFrame: Promise<number>;
    __joinClicked?: number;
  }
}

/** In the page, before the app: the wall-clock time of the Join click and of the first frame any remote tile presents. */
export function watchFirstRemoteFrame(): void {
  document.addEventListener(
    'click',
    (event) => {
      const button = (event.target as Element | null)?.closest('button');
      if (button?.textContent?.trim() === 'Join') window.__joinClicked ??= Date.now();
    },
    true,
  );
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

/** When the Join button was clicked, for a page opened with watchFirstRemoteFrame. */
export async function joinClicked(page: Page): Promise<number> {
  const clicked = await page.evaluate(() => window.__joinClicked);
  if (clicked === undefined) throw new Error('the Join click was not seen');
  return clicked;
}
