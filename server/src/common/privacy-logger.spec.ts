import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PrivacyLogger, redact } from './privacy-logger';

describe('PrivacyLogger', () => {
  it('prints warnings and errors only', () => {
    const lines: string[] = [];
    const logger = new PrivacyLogger((line) => lines.push(line));
    logger.log('started');
    logger.debug('details');
    logger.verbose('more');
    logger.warn('careful', 'rooms');
    logger.error('broken', 'Error: stack', 'signalling');
    assert.deepEqual(lines, ['WARN [rooms] careful\n', 'ERROR [signalling] broken\nError: stack\n']);
  });

  it('redacts addresses a dependency put into a message', () => {
    const lines: string[] = [];
    new PrivacyLogger((line) => lines.push(line)).warn('peer 192.168.1.20:5000 and [2001:db8::1]:443 and fe80::1 failed');
    assert.equal(lines[0], 'WARN [raum] peer [address] and [address] and [address] failed\n');
  });

  it('redacts ids a dependency put into a message', () => {
    assert.equal(redact('Producer with id "0c9d3a1e-5b7f-4e2a-9d61-3f0b8c2a7e45" not found'), 'Producer with id "[id]" not found');
  });

  it('leaves ordinary text alone', () => {
    assert.equal(redact('worker 2 died: code 1'), 'worker 2 died: code 1');
    assert.equal(redact('RTC::RtpListener::AddProducer() at Channel.js:309:18'), 'RTC::RtpListener::AddProducer() at Channel.js:309:18');
  });
});
