import { TestBed } from '@angular/core/testing';
import { I18n } from '../core/i18n/i18n';
import { VideoTile } from './video-tile';

function videoTrack(): MediaStreamTrack {
  const canvas = document.createElement('canvas');
  canvas.getContext('2d')!.fillRect(0, 0, 1, 1);
  return canvas.captureStream(5).getVideoTracks()[0];
}

describe('VideoTile', () => {
  beforeEach(() => TestBed.inject(I18n).locale.set('en'));

  function render(inputs: Partial<{ name: string; video: MediaStreamTrack; videoPaused: boolean; muted: boolean; self: boolean }>) {
    const fixture = TestBed.createComponent(VideoTile);
    for (const [key, value] of Object.entries(inputs)) fixture.componentRef.setInput(key, value);
    fixture.detectChanges();
    return fixture.nativeElement as HTMLElement;
  }

  it('plays the track in a muted inline video and names the person', () => {
    const track = videoTrack();
    const tile = render({ name: 'Ada', video: track });
    const video = tile.querySelector('video')!;
    expect((video.srcObject as MediaStream).getVideoTracks()[0]).toBe(track);
    expect(video.muted).toBeTrue();
    expect(tile.getAttribute('aria-label')).toBe('Ada');
    expect(tile.textContent).not.toContain('Camera off');
  });

  it('shows the initial and "Camera off" while the camera is paused or absent', () => {
    for (const tile of [render({ name: 'ben', video: videoTrack(), videoPaused: true }), render({ name: 'ben' })]) {
      expect(tile.querySelector('video')).toBeNull();
      expect(tile.querySelector('.tile__avatar')?.textContent?.trim()).toBe('B');
      expect(tile.textContent).toContain('Camera off');
    }
  });

  it('calls unnamed people guests and marks the own tile and muted microphones', () => {
    expect(render({}).getAttribute('aria-label')).toBe('Guest');
    expect(render({ self: true }).getAttribute('aria-label')).toBe('You');
    const own = render({ self: true, name: 'Cem', muted: true });
    expect(own.getAttribute('aria-label')).toBe('Cem (You)');
    expect(own.textContent).toContain('Muted');
  });
});
