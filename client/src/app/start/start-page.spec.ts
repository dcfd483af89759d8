import { TestBed } from '@angular/core/testing';
import { provideRouter, Router } from '@angular/router';
import { I18n } from '../core/i18n/i18n';
import { StartPage } from './start-page';

describe('StartPage', () => {
  beforeEach(() => TestBed.configureTestingModule({ providers: [provideRouter([])] }));

  it('opens a new room with an unguessable id from its one button', () => {
    const router = TestBed.inject(Router);
    const navigate = spyOn(router, 'navigate').and.resolveTo(true);
    TestBed.inject(I18n).locale.set('en');
    const fixture = TestBed.createComponent(StartPage);
    fixture.detectChanges();
    const button: HTMLButtonElement = fixture.nativeElement.querySelector('button');
    expect(button.textContent?.trim()).toBe('New meeting');
    button.click();
    button.click();
    const [[first], [second]] = navigate.calls.allArgs() as unknown as [[string[]], [string[]]];
    expect(first[0]).toBe('/r');
    expect(first[1]).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(second[1]).not.toBe(first[1]);
  });

  it('speaks German to German browsers', async () => {
    TestBed.inject(I18n).locale.set('de');
    const fixture = TestBed.createComponent(StartPage);
    fixture.detectChanges();
    expect(fixture.nativeElement.querySelector('button').textContent.trim()).toBe('Neues Meeting');
    expect(document.documentElement.lang).toBe('de');
  });
});
