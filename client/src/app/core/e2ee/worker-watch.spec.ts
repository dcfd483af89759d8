import { watchWorker, WORKER_SILENCE_MS } from './worker-watch';

/** Stands in for a Worker: events are dispatched by the test. */
class FakeWorker extends EventTarget {
  terminated = false;

  terminate(): void {
    this.terminated = true;
  }

  answer(): void {
    this.dispatchEvent(new MessageEvent('message', { data: {} }));
  }
}

describe('watchWorker', () => {
  let worker: FakeWorker;
  let owed: number;
  let gone: number;
  let sent: () => void;

  beforeEach(() => {
    jasmine.clock().install();
    worker = new FakeWorker();
    owed = 0;
    gone = 0;
    sent = watchWorker(
      worker as unknown as Worker,
      () => owed > 0,
      () => gone++,
    );
  });
  afterEach(() => jasmine.clock().uninstall());

  it('gives up at once, terminating it, when its code fails to load', () => {
    worker.dispatchEvent(new Event('error'));
    worker.dispatchEvent(new Event('error'));
    expect(gone).toBe(1);
    expect(worker.terminated).toBeTrue();
  });

  it('gives up on a worker that owes an answer and stays silent', () => {
    owed = 1;
    sent();
    jasmine.clock().tick(WORKER_SILENCE_MS - 1);
    expect(gone).toBe(0);
    jasmine.clock().tick(1);
    expect(gone).toBe(1);
    expect(worker.terminated).toBeTrue();
  });

  it('keeps a worker that answers, however long the work takes in all', () => {
    owed = 3;
    sent();
    for (let answered = 0; answered < 3; answered++) {
      jasmine.clock().tick(WORKER_SILENCE_MS - 1);
      worker.answer();
    }
    owed = 0;
    jasmine.clock().tick(10 * WORKER_SILENCE_MS);
    expect(gone).toBe(0);
    expect(worker.terminated).toBeFalse();
  });

  it('never gives up on an idle worker, and watches again when it is next asked', () => {
    jasmine.clock().tick(10 * WORKER_SILENCE_MS);
    expect(gone).toBe(0);
    owed = 1;
    sent();
    jasmine.clock().tick(WORKER_SILENCE_MS);
    expect(gone).toBe(1);
  });
});
