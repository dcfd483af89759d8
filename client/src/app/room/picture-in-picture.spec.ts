import { TestBed } from '@angular/core/testing';
import { cameraTrack } from '../core/testing/scripted-room';
import { PictureInPicture } from './picture-in-picture';

describe('PictureInPicture', () => {
  let handlers: Map<string, MediaSessionActionHandler | null>;
  let requested: HTMLVideoElement[];

  beforeEach(() => {
    handlers = new Map();
    requested = [];
    spyOn(navigator.mediaSession, 'setActionHandler').and.callFake((action, handler) => handlers.set(action, handler));
    spyOn(HTMLVideoElement.prototype, 'requestPictureInPicture').and.callFake(function (this: HTMLVideoElement) {
      requested.push(this);
      return Promise.resolve({} as PictureInPictureWindow);
    });
    spyOn(HTMLVideoElement.prototype, 'play').and.resolveTo();
  });

  function render(track: MediaStreamTrack | undefined) {
    const fixture = TestBed.createComponent(PictureInPicture);
    fixture.componentRef.setInput('track', track);
    fixture.detectChanges();
    const video = (fixture.nativeElement as HTMLElement).querySelector('video')!;
    return { fixture, video };
  }

  it('opens the window on the stage video when the browser asks, as the page goes to the background', async () => {
    const track = cameraTrack();
    const { video } = render(track);
    expect(video.muted).toBeTrue();
    expect(video.hasAttribute('autopictureinpicture')).toBeTrue();
    expect((video.srcObject as MediaStream).getVideoTracks()).toEqual([track]);

    const enter = handlers.get('enterpictureinpicture');
    expect(enter).withContext('the Media Session action is registered').toEqual(jasmine.any(Function));
    enter!({ action: 'enterpictureinpicture' as MediaSessionAction });
    await new Promise((resolve) => setTimeout(resolve));
    expect(requested).toEqual([video]);
  });

  it('follows the stage: another person, another track in the same window', () => {
    const { fixture, video } = render(cameraTrack());
    const next = cameraTrack();
    fixture.componentRef.setInput('track', next);
    fixture.detectChanges();
    expect((video.srcObject as MediaStream).getVideoTracks()).toEqual([next]);
  });

  it('asks for no window when nobody is on stage', async () => {
    render(undefined);
    handlers.get('enterpictureinpicture')!({ action: 'enterpictureinpicture' as MediaSessionAction });
    await new Promise((resolve) => setTimeout(resolve));
    expect(requested).toEqual([]);
  });

  it('tells when the window opens and closes, and gives up the action when the call ends', () => {
    const { fixture, video } = render(cameraTrack());
    const showing: boolean[] = [];
    fixture.componentInstance.showing.subscribe((open) => showing.push(open));
    video.dispatchEvent(new Event('enterpictureinpicture'));
    video.dispatchEvent(new Event('leavepictureinpicture'));
    expect(showing).toEqual([true, false]);

    fixture.destroy();
    expect(handlers.get('enterpictureinpicture')).toBeNull();
  });
});
