import { TestBed } from '@angular/core/testing';
import { provideRouter, Router } from '@angular/router';
import { parseFragment } from '../core/e2ee/room-secret';
import { I18n } from '../core/i18n/i18n';
import { hostRoomId } from '../core/room-link';
import { StartPage } from './start-page';

describe('StartPage', () => {
  beforeEach(() => TestBed.configureTestingModule({ providers: [provideRouter([])] }));

  it('opens a new room with an unguessable id, a fresh secret and the host key the id commits to', async () => {
    const router = TestBed.inject(Router);
    const navigate = spyOn(router, 'navigate').and.resolveTo(true);
    const navigated = async (count: number) => {
      while (navigate.calls.count() < count) await new Promise((resolve) => setTimeout(resolve, 5));
    };
    TestBed.inject(I18n).locale.set('en');
    const fixture = TestBed.createComponent(StartPage);
    fixture.detectChanges();
    const button: HTMLButtonElement = fixture.nativeElement.querySelector('button');
    expect(button.textContent?.trim()).toBe('New meeting');
    button.click();
    button.click();
    await navigated(2);
    const [[first, firstExtras], [second, secondExtras]] = navigate.calls.allArgs() as unknown as Array<[string[], { fragment: string }]>;
    expect(first[0]).toBe('/r');
    expect(first[1]).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(second[1]).not.toBe(first[1]);
    expect(firstExtras.fragment).toMatch(/^k=[A-Za-z0-9_-]{22}&h=[A-Za-z0-9_-]{22}$/);
    expect(secondExtras.fragment).not.toBe(firstExtras.fragment);
    const hostKey = parseFragment(firstExtras.fragment)!.hostKey!;
    expect(await hostRoomId(hostKey)).toBe(first[1]);

    fixture.nativeElement.querySelector('input[type=checkbox]').click();
    button.click();
    await navigated(3);
    expect((navigate.calls.mostRecent().args[1] as { fragment: string }).fragment).toMatch(/&e2ee=required&h=[A-Za-z0-9_-]{22}$/);
  });

  it('speaks German to German browsers', async () => {
    TestBed.inject(I18n).locale.set('de');
    const fixture = TestBed.createComponent(StartPage);
    fixture.detectChanges();
    expect(fixture.nativeElement.querySelector('button').textContent.trim()).toBe('Neues Meeting');
    expect(document.documentElement.lang).toBe('de');
  });
});
