/**
 * How long a worker that owes an answer may say nothing before it counts as
 * gone. Its code may still be loading on a slow network, so this is generous;
 * but a load that hangs (the network went while fetching it) never ends by itself.
 */
export const WORKER_SILENCE_MS = 20_000;

/** A worker that did not start (its code failed to load) or stopped answering. */
export class WorkerGone extends Error {
  constructor(name: string) {
    super(`the ${name} worker does not answer`);
    this.name = 'WorkerGone';
  }
}

/**
 * Watches a worker that answers what it is sent. `gone` runs once, with the
 * worker terminated, when its code fails to load or throws at the top, or
 * when it owes an answer (`owes`) and says nothing for WORKER_SILENCE_MS.
 * Without this, a call would wait forever on a worker that never runs.
 * Returns what to call after each message that needs an answer.
 */
export function watchWorker(worker: Worker, owes: () => boolean, gone: () => void): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let dead = false;
  const die = () => {
    if (dead) return;
    dead = true;
    clearTimeout(timer);
    worker.terminate();
    gone();
  };
  const restart = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      if (owes()) die();
    }, WORKER_SILENCE_MS);
  };
  worker.addEventListener('error', die);
  // Any word from it shows it runs: the clock starts again for what it still owes.
  worker.addEventListener('message', () => timer !== undefined && restart());
  return () => {
    if (timer === undefined && !dead) restart();
  };
}
