import { TestBed } from '@angular/core/testing';
import { SwUpdate, type VersionEvent } from '@angular/service-worker';
import { Subject } from 'rxjs';
import { AppUpdate } from './app-update';
import { InstallPrompt } from './install-prompt';

describe('AppUpdate', () => {
  let versions: Subject<VersionEvent>;
  let activateUpdate: jasmine.Spy;
  let update: AppUpdate;
  let reloads: number;

  beforeEach(() => {
    versions = new Subject();
    activateUpdate = jasmine.createSpy('activateUpdate').and.resolveTo(true);
    reloads = 0;
    TestBed.configureTestingModule({
      providers: [{ provide: SwUpdate, useValue: { isEnabled: true, versionUpdates: versions, activateUpdate } }],
    });
    update = TestBed.inject(AppUpdate);
    spyOn(update as unknown as { reloadPage(): void }, 'reloadPage').and.callFake(() => reloads++);
  });

  const ready = () => versions.next({ type: 'VERSION_READY', currentVersion: { hash: 'a' }, latestVersion: { hash: 'b' } } as VersionEvent);

  it('offers a ready version, and reloads into it only when asked', async () => {
    expect(update.offer()).toBeFalse();
    versions.next({ type: 'VERSION_DETECTED', version: { hash: 'b' } } as VersionEvent);
    expect(update.offer()).withContext('detected is not ready').toBeFalse();
    ready();
    expect(update.offer()).toBeTrue();
    expect(reloads).toBe(0);
    await update.applyNow();
    expect(activateUpdate).toHaveBeenCalled();
    expect(reloads).toBe(1);
  });

  it('never offers it during a call, and offers it once every call has ended', () => {
    const first = update.callStarted();
    ready();
    expect(update.offer()).toBeFalse();
    const second = update.callStarted();
    first();
    first();
    expect(update.offer()).withContext('one call still under way').toBeFalse();
    second();
    expect(update.offer()).toBeTrue();
  });
});

describe('InstallPrompt', () => {
  it('offers installation only after the browser does, shows its prompt once, and forgets it once installed', async () => {
    const install = TestBed.inject(InstallPrompt);
    expect(install.available()).toBeFalse();
    const prompt = jasmine.createSpy('prompt').and.resolveTo(undefined);
    const offered = Object.assign(new Event('beforeinstallprompt', { cancelable: true }), { prompt });
    dispatchEvent(offered);
    expect(offered.defaultPrevented).withContext('the browser’s own banner waits for the button').toBeTrue();
    expect(install.available()).toBeTrue();
    await install.install();
    expect(prompt).toHaveBeenCalledTimes(1);
    expect(install.available()).toBeFalse();
    dispatchEvent(Object.assign(new Event('beforeinstallprompt', { cancelable: true }), { prompt }));
    dispatchEvent(new Event('appinstalled'));
    expect(install.available()).toBeFalse();
  });
});
