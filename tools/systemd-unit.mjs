// The systemd unit for this checkout: deploy/systemd/raum.service with the
// paths filled in that only the build knows — which Node runs Raum and which
// mediasoup worker it starts. A worker built into the builder's home is
// copied next to Raum first: the service's user cannot read that home
// (ProtectHome=true), and nothing under /opt/raum depends on who built it.
import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

/** The template with its @ROOT@, @NODE@ and @WORKER@ placeholders filled in. */
export function renderUnit(template, { root, node, worker }) {
  return template.replaceAll('@ROOT@', root).replaceAll('@NODE@', node).replaceAll('@WORKER@', worker);
}

/** A path inside the checkout for the worker: the given one, or a copy in .tools/. */
function workerInside(root, worker) {
  if (!relative(root, worker).startsWith('..')) return worker;
  const copy = join(root, '.tools', 'mediasoup-worker', 'mediasoup-worker');
  const same = existsSync(copy) && statSync(copy).size === statSync(worker).size && statSync(copy).mtimeMs >= statSync(worker).mtimeMs;
  if (!same) {
    mkdirSync(dirname(copy), { recursive: true });
    copyFileSync(worker, copy);
  }
  return copy;
}

/** Writes dist/systemd/raum.service for this checkout; returns its path. */
export function writeUnit({ root, node, worker }) {
  const template = readFileSync(join(root, 'deploy', 'systemd', 'raum.service'), 'utf8');
  const unit = renderUnit(template, { root, node, worker: workerInside(root, worker) });
  const path = join(root, 'dist', 'systemd', 'raum.service');
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, unit);
  return path;
}
