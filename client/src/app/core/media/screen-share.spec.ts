import { cameraTrack } from '../testing/scripted-room';
import type { Call } from './call';
import { ScreenShare } from './screen-share';

describe('ScreenShare', () => {
  const serially = (work: () => Promise<void>) => work();

  function refusing(name: string): void {
    spyOn(navigator.mediaDevices, 'getDisplayMedia').and.rejectWith(new DOMException('no screen', name));
  }

  it('says so when the browser has no screen to offer, and shares nothing', async () => {
    refusing('NotFoundError');
    const share = new ScreenShare(() => undefined, serially);
    await share.start();
    expect(share.failed()).toBeTrue();
    expect(share.track()).toBeUndefined();
  });

  it('stays quiet when the person cancels the picker', async () => {
    refusing('NotAllowedError');
    const share = new ScreenShare(() => undefined, serially);
    await share.start();
    expect(share.failed()).toBeFalse();
    expect(share.track()).toBeUndefined();
  });

  it('sends the picture, marked as detail, to the call, and forgets an earlier failure', async () => {
    const picture = cameraTrack();
    const sent: Array<[string, MediaStreamTrack]> = [];
    const call = { setMedia: async (source: string, track: MediaStreamTrack) => void sent.push([source, track]) } as unknown as Call;
    const share = new ScreenShare(() => call, serially);
    share.failed.set(true);
    spyOn(navigator.mediaDevices, 'getDisplayMedia').and.resolveTo(new MediaStream([picture]));
    await share.start();
    expect(share.failed()).toBeFalse();
    expect(share.track()).toBe(picture);
    expect(picture.contentHint).toBe('detail');
    expect(sent).toEqual([['screen', picture]]);
    share.release();
    expect(picture.readyState).toBe('ended');
  });
});
