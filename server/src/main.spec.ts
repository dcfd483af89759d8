import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';

describe('starting the server', () => {
  it('refuses an invalid configuration with a message naming the variable, and exits non-zero', () => {
    const result = spawnSync(process.execPath, ['--require', '@swc-node/register', join(__dirname, 'main.ts')], {
      env: { ...process.env, RAUM_PORT: 'eighty' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    assert.equal(result.status, 2);
    assert.equal(result.stdout, '');
    assert.equal(result.stderr.trim(), 'Invalid configuration: RAUM_PORT must be a whole number from 0 to 65535');
  });
});
