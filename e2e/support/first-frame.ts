import type { Page } from '@playwright/test';

declare global {
  interface Window {
    __firstRemoteFrame: Promise<number>;
    __firstFrameFrom: Record<string, number>;
    __firstSharpFrame: Promise<number>;
    __joinClicked?: number;
  }
}

/**
 * In the page, before the app: the wall-clock time of the Join click, of the first frame any remote tile presents,
 * of the first each participant's tile presents, and of the first a tile presents in the layer it asked for (a
 * camera's first frame may come in a smaller one while the sender starts the larger).
 */
export function watchFirstRemoteFrame(): void {
  document.addEventListener(
    'click',
    (event) => {
      const button = (event.target as Element | null)?.closest('button');
      if (button?.textContent?.trim() === 'Join') window.__joinClicked ??= Date.now();
    },
    true,
  );
  window.__firstFrameFrom = {};
  let sharp: (at: number) => void;
  let sharpSeen = false;
  window.__firstSharpFrame = new Promise((resolve) => (sharp = resolve));
  // The frame width of the layer a tile this wide asks for, from a 1280×720 camera (as the client's layerFor).
  const layerWidth = (video: HTMLVideoElement) => {
    const pixels = video.getBoundingClientRect().width * devicePixelRatio;
    return pixels <= 360 ? 320 : pixels <= 720 ? 640 : 1280;
  };
  window.__firstRemoteFrame = new Promise((resolve) => {
    const watch = () => {
      for (const video of document.querySelectorAll<HTMLVideoElement & { watched?: boolean }>('[data-tile="remote"] video')) {
        if (video.watched) continue;
        video.watched = true;
        video.requestVideoFrameCallback(() => {
          const now = Date.now();
          resolve(now);
          const peerId = video.closest('[data-peer-id]')?.getAttribute('data-peer-id');
          if (peerId) window.__firstFrameFrom[peerId] ??= now;
        });
        // Frame by frame, until some tile has shown its own layer.
        const untilSharp = (_: number, frame: VideoFrameCallbackMetadata) => {
          if (sharpSeen) return;
          if (frame.width < layerWidth(video)) return void video.requestVideoFrameCallback(untilSharp);
          sharpSeen = true;
          sharp(Date.now());
        };
        video.requestVideoFrameCallback(untilSharp);
      }
    };
    new MutationObserver(watch).observe(document, { subtree: true, childList: true });
  });
}

/** When the page presented its first remote frame in the layer its tile asked for (see watchFirstRemoteFrame). */
export function firstSharpFrame(page: Page): Promise<number> {
  return page.evaluate(() => window.__firstSharpFrame);
}

/** When the page presented its first remote frame (it must have been opened with watchFirstRemoteFrame). */
export function firstRemoteFrame(page: Page): Promise<number> {
  return page.evaluate(() => window.__firstRemoteFrame);
}

/** Who this page has seen a frame from so far (it must have been opened with watchFirstRemoteFrame). */
export function seenFrom(page: Page): Promise<string[]> {
  return page.evaluate(() => Object.keys(window.__firstFrameFrom));
}

/** When this page presented the first frame of someone not in `seen` (see seenFrom). */
export async function firstFrameOfNewcomer(page: Page, seen: string[]): Promise<number> {
  const handle = await page.waitForFunction(
    (before) => Object.entries(window.__firstFrameFrom).find(([peerId]) => !before.includes(peerId))?.[1],
    seen,
  );
  return (await handle.jsonValue()) as number;
}

/** When the Join button was clicked, for a page opened with watchFirstRemoteFrame. */
export async function joinClicked(page: Page): Promise<number> {
  const clicked = await page.evaluate(() => window.__joinClicked);
  if (clicked === undefined) throw new Error('the Join click was not seen');
  return clicked;
}
