import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import { SentLayers } from './sent-layers';

const LOWER_AFTER_MS = 1000;

/** A producer or consumer as SentLayers sees it: an id, and a close it hears of. */
function made(id: string) {
  const observer = new EventEmitter();
  return { id, closed: false, observer, close: () => observer.emit('close') };
}

describe('the layers a camera is encoded in: what its viewers show', () => {
  let layers: SentLayers;
  let told: number[];
  const camera = made('camera');

  beforeEach(() => {
    mock.timers.enable({ apis: ['setTimeout'] });
    layers = new SentLayers(LOWER_AFTER_MS);
    told = [];
    layers.addSender(camera, 3, (layer) => told.push(layer));
  });
  afterEach(() => {
    camera.observer.removeAllListeners();
    mock.timers.reset();
  });

  /** A viewer whose tile shows the camera in `layer` (the top one if not said). */
  function viewer(id: string, layer?: number) {
    const consumer = made(id);
    layers.addViewer(consumer, camera.id);
    if (layer !== undefined) layers.prefer(id, layer);
    layers.show(id, true);
    return consumer;
  }

  it('starts in all layers, gives up those nobody shows only after a while, and asks for a larger one at once', () => {
    assert.equal(layers.told(camera.id), 2, 'nobody is there to see it yet: all');
    viewer('ben', 1);
    mock.timers.tick(LOWER_AFTER_MS - 1);
    assert.deepEqual(told, []);
    mock.timers.tick(1);
    assert.deepEqual(told, [1]);
    viewer('cem');
    assert.deepEqual(told, [1, 2], 'a viewer who names no layer gets the top one, as the SFU sends it');
  });

  it('keeps the two smaller layers for a viewer who hides the stream or shows it small, and a larger one shown again within the delay', () => {
    const ben = made('ben');
    layers.addViewer(ben, camera.id);
    layers.prefer('ben', 0);
    mock.timers.tick(LOWER_AFTER_MS);
    assert.deepEqual(told, [1], 'a paused consumer shows nothing');
    layers.show('ben', true);
    mock.timers.tick(LOWER_AFTER_MS);
    assert.deepEqual(told, [1], 'shown in the smallest');
    viewer('cem', 2);
    layers.show('cem', false);
    mock.timers.tick(LOWER_AFTER_MS - 1);
    layers.show('cem', true);
    mock.timers.tick(LOWER_AFTER_MS);
    assert.deepEqual(told, [1, 2], 'hidden and shown again within the delay');
  });

  it('waits a whole delay from the last time a layer was shown', () => {
    viewer('ben', 0);
    mock.timers.tick(LOWER_AFTER_MS / 2);
    layers.prefer('ben', 2);
    layers.prefer('ben', 0);
    mock.timers.tick(LOWER_AFTER_MS / 2);
    assert.deepEqual(told, []);
    mock.timers.tick(LOWER_AFTER_MS / 2);
    assert.deepEqual(told, [1]);
  });

  it('keeps the two smaller layers with everyone hiding it, and all once its last viewer is gone', () => {
    const ben = viewer('ben', 2);
    layers.show('ben', false);
    mock.timers.tick(LOWER_AFTER_MS);
    assert.deepEqual(told, [1]);
    ben.close();
    assert.deepEqual(told, [1, 2], 'nobody left to see it: ready for whoever comes');
  });

  it('never asks beyond a camera’s top layer, and forgets a closed camera', () => {
    const two = made('two-layers');
    const toldTwo: number[] = [];
    layers.addSender(two, 2, (layer) => toldTwo.push(layer));
    assert.equal(layers.told(two.id), 1);
    layers.addViewer(made('dan'), two.id);
    layers.prefer('dan', 2);
    layers.show('dan', true);
    mock.timers.tick(LOWER_AFTER_MS);
    assert.deepEqual(toldTwo, [], 'its top layer is 1');
    const ben = viewer('ben', 0);
    camera.close();
    ben.close();
    mock.timers.tick(LOWER_AFTER_MS);
    assert.equal(layers.told(camera.id), undefined);
    assert.deepEqual(told, [], 'nothing after the camera closed');
  });

  it('ignores a stream of one layer, and consumers of streams it does not know', () => {
    const screen = made('screen');
    const toldScreen: number[] = [];
    layers.addSender(screen, 1, (layer) => toldScreen.push(layer));
    layers.addViewer(made('eve'), screen.id);
    layers.show('eve', true);
    layers.prefer('eve', 0);
    layers.show('nobody', true);
    mock.timers.tick(LOWER_AFTER_MS);
    assert.deepEqual(toldScreen, []);
    assert.equal(layers.told(screen.id), undefined);
  });
});
