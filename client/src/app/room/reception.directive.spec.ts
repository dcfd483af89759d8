import { Component } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import type { Reception } from '../core/media/call-types';
import { ReceptionDirective } from './reception.directive';

@Component({
  imports: [ReceptionDirective],
  template: `<div style="width: 200px; height: 100px" (raumReception)="seen.push($event)"></div>`,
})
class Tile {
  readonly seen: Reception[] = [];
}

describe('ReceptionDirective', () => {
  it('first reports a tile on screen as shown: never a hidden guess before both observers answered', async () => {
    const fixture = TestBed.createComponent(Tile);
    fixture.autoDetectChanges();
    const { seen } = fixture.componentInstance;
    for (let waited = 0; seen.length === 0 && waited < 2000; waited += 20) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(seen.length).toBeGreaterThan(0);
    expect(seen[0].visible).withContext('the first report of a tile in view').toBeTrue();
    expect(seen.every((reception) => reception.visible)).toBeTrue();
    expect(seen.at(-1)!.layer).toBe(200 * devicePixelRatio <= 360 ? 0 : 1);
  });
});
