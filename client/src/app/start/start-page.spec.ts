import { TestBed } from '@angular/core/testing';
import { provideRouter, Router } from '@angular/router';
import { I18n } from '../core/i18n/i18n';
import { StartPage } from './start-page';

describe('StartPage', () => {
  beforeEach(() => TestBed.configureTestingModule({ providers: [provideRouter([])] }));

  it('opens a new room with an unguessable id and a fresh secret in the fragment', () => {
    const router = TestBed.inject(Router);
    const navigate = spyOn(router, 'navigate').and.resolveTo(true);
    TestBed.inject(I18n).locale.set('en');
    const fixture = TestBed.createComponent(StartPage);
    fixture.detectChanges();
    const button: HTMLButtonElement = fixture.nativeElement.querySelector('button');
    expect(button.textContent?.trim()).toBe('New meeting');
    button.click();
    button.click();
    const [[first, firstExtras], [second, secondExtras]] = navigate.calls.allArgs() as unknown as Array<[string[], { fragment: string }]>;
    expect(first[0]).toBe('/r');
    expect(first[1]).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(second[1]).not.toBe(first[1]);
    expect(firstExtras.fragment).toMatch(/^k=[A-Za-z0-9_-]{22}$/);
    expect(secondExtras.fragment).not.toBe(firstExtras.fragment);

    fixture.nativeElement.querySelector('input[type=checkbox]').click();
    button.click();
    expect((navigate.calls.mostRecent().args[1] as { fragment: string }).fragment).toMatch(/&e2ee=required$/);
  });

  it('speaks German to German browsers', async () => {
    TestBed.inject(I18n).locale.set('de');
    const fixture = TestBed.createComponent(StartPage);
    fixture.detectChanges();
    expect(fixture.nativeElement.querySelector('button').textContent.trim()).toBe('Neues Meeting');
    expect(document.documentElement.lang).toBe('de');
  });
});
