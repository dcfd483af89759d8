import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Outbox } from './outbox';

describe('outbox', () => {
  const numbered = (text: string) => (seq: number) => `${seq}:${text}`;

  it('numbers messages, sends them while attached and keeps them until acknowledged', () => {
    const sent: string[] = [];
    const outbox = new Outbox(1000, () => assert.fail('no overflow'));
    outbox.attach((text) => sent.push(text));
    outbox.push(numbered('a'));
    outbox.push(numbered('b'));
    assert.deepEqual(sent, ['1:a', '2:b']);
    assert.equal(outbox.bytes, 6);
    outbox.acknowledge(1);
    assert.equal(outbox.bytes, 3);
    outbox.acknowledge(99);
    assert.equal(outbox.bytes, 0);
  });

  it('replays what a client missed, exactly once, when it comes back', () => {
    const outbox = new Outbox(1000, () => assert.fail('no overflow'));
    const first: string[] = [];
    outbox.attach((text) => first.push(text));
    outbox.push(numbered('a'));
    outbox.push(numbered('b'));
    outbox.detach();
    outbox.push(numbered('c'));
    // The client got 1:a only (2:b was lost with the socket).
    const second: string[] = [];
    assert.equal(
      outbox.attach((text) => second.push(text), 1),
      true,
    );
    assert.deepEqual(second, ['2:b', '3:c']);
    outbox.push(numbered('d'));
    assert.deepEqual(second, ['2:b', '3:c', '4:d']);
    assert.deepEqual(first, ['1:a', '2:b']);
  });

  it('refuses to continue from a point it cannot, and changes nothing', () => {
    const outbox = new Outbox(1000, () => assert.fail('no overflow'));
    outbox.push(numbered('a'));
    outbox.push(numbered('b'));
    outbox.acknowledge(1);
    const sent: string[] = [];
    assert.equal(outbox.canContinueFrom(0), false, '1:a is gone already');
    assert.equal(
      outbox.attach((text) => sent.push(text), 0),
      false,
    );
    assert.equal(
      outbox.attach((text) => sent.push(text), 3),
      false,
      'a message that was never sent',
    );
    assert.equal(sent.length, 0);
    assert.equal(
      outbox.attach((text) => sent.push(text), 2),
      true,
    );
    assert.deepEqual(sent, []);
  });

  it('overflows instead of holding more than its limit', () => {
    let overflowed = 0;
    const outbox = new Outbox(10, () => overflowed++);
    outbox.push(() => 'x'.repeat(10));
    assert.equal(overflowed, 0);
    outbox.push(() => 'y');
    assert.equal(overflowed, 1);
  });
});
