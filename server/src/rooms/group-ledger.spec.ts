import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { RaumError } from '../common/errors';
import { privateMessage } from '../testing/mls-fixtures';
import { GroupLedger, readCommitHeader } from './group-ledger';

const group = randomBytes(32);
const commit = (epoch: number, groupId = group) => privateMessage(groupId, epoch);
const kp = (peerId: string) => Buffer.from(`key package of ${peerId}`).toString('base64url');

function raumError(code: string): (error: unknown) => boolean {
  return (error) => {
    assert.ok(error instanceof RaumError, `a RaumError, not ${String(error)}`);
    assert.equal(error.code, code);
    return true;
  };
}

/** The state a test can observe from outside: epoch and members. */
const snapshot = (ledger: GroupLedger) => ({ epoch: ledger.epoch, members: [...ledger.members].sort() });

/** A ledger whose group `creator` holds, with `waiting` peers that have published their KeyPackages. */
function ledgerWith(creator: string, waiting: string[] = []): GroupLedger {
  const ledger = new GroupLedger();
  assert.equal(ledger.admit(creator), 'create');
  for (const peerId of waiting) {
    assert.equal(ledger.admit(peerId), 'join');
    assert.deepEqual(ledger.keyPackage(peerId, kp(peerId)), [...ledger.members]);
  }
  return ledger;
}

describe('readCommitHeader', () => {
  it('reads the group id and epoch of a private commit with a one-byte length', () => {
    const id = Buffer.from('0123456789abcdef0123456789abcdef');
    assert.equal(privateMessage(id, 0)[4], 32, 'the fixture encodes the length in one byte');
    assert.deepEqual(readCommitHeader(privateMessage(id, 0)), { groupId: id.toString('base64url'), epoch: 0 });
    assert.deepEqual(readCommitHeader(privateMessage(id, 7)), { groupId: id.toString('base64url'), epoch: 7 });
    assert.deepEqual(readCommitHeader(privateMessage(Buffer.alloc(0), 2 ** 40)), { groupId: '', epoch: 2 ** 40 });
    assert.deepEqual(readCommitHeader(privateMessage(Buffer.alloc(63, 1), 1)), {
      groupId: Buffer.alloc(63, 1).toString('base64url'),
      epoch: 1,
    });
  });

  it('reads a group id whose length takes the two-byte form', () => {
    for (const size of [64, 200, 255]) {
      const id = randomBytes(size);
      const bytes = privateMessage(id, 3);
      assert.deepEqual([bytes[4], bytes[5]], [0x40, size], 'the fixture encodes the length as 0x40 0xNN');
      assert.deepEqual(readCommitHeader(bytes), { groupId: id.toString('base64url'), epoch: 3 });
    }
  });

  it('reads the same header from a hand-written message', () => {
    const bytes = Buffer.from([0, 1, 0, 2, 0x40, 0x03, 0xaa, 0xbb, 0xcc, 0, 0, 0, 0, 0, 0, 1, 2, 3, 0x00, 0x00, 0x05, 1, 2, 3, 4, 5]);
    assert.deepEqual(readCommitHeader(bytes), { groupId: Buffer.from([0xaa, 0xbb, 0xcc]).toString('base64url'), epoch: 258 });
  });

  it('reads nothing but a commit in a private message of MLS 1.0', () => {
    const id = randomBytes(16);
    assert.equal(readCommitHeader(privateMessage(id, 1, { wireformat: 1 })), undefined, 'a public message');
    assert.equal(readCommitHeader(privateMessage(id, 1, { wireformat: 3 })), undefined, 'a Welcome');
    assert.equal(readCommitHeader(privateMessage(id, 1, { wireformat: 5 })), undefined, 'a KeyPackage');
    assert.equal(readCommitHeader(privateMessage(id, 1, { contentType: 1 })), undefined, 'an application message');
    assert.equal(readCommitHeader(privateMessage(id, 1, { contentType: 2 })), undefined, 'a proposal');
    assert.equal(readCommitHeader(privateMessage(id, 1, { version: 2 })), undefined, 'another protocol version');
  });

  it('reads nothing from truncated or malformed input', () => {
    for (const id of [randomBytes(16), randomBytes(100)]) {
      const bytes = privateMessage(id, 9);
      const headerLength = 4 + (id.length < 64 ? 1 : 2) + id.length + 8 + 1;
      assert.ok(readCommitHeader(bytes.subarray(0, headerLength)), 'the header alone is enough');
      for (let cut = 0; cut < headerLength; cut++) assert.equal(readCommitHeader(bytes.subarray(0, cut)), undefined, `cut at ${cut}`);
    }
    // An eight-byte length, a length past the end, a group id longer than any MLS library makes, an epoch past 2^53.
    assert.equal(readCommitHeader(Buffer.from([0, 1, 0, 2, 0xc0, 0, 0, 0, 0, 0, 0, 1, 0xaa, 0, 0, 0, 0, 0, 0, 0, 0, 3])), undefined);
    assert.equal(readCommitHeader(Buffer.from([0, 1, 0, 2, 0x3f, 1, 2, 3, 0, 0, 0, 0, 0, 0, 0, 0, 3])), undefined);
    assert.equal(readCommitHeader(privateMessage(randomBytes(256), 0)), undefined);
    assert.equal(readCommitHeader(privateMessage(randomBytes(8), 2n ** 53n)), undefined);
    assert.equal(readCommitHeader(Buffer.alloc(0)), undefined);
  });
});

describe('GroupLedger', () => {
  it('lets the first peer create the group and everyone after it join', () => {
    const ledger = new GroupLedger();
    assert.equal(ledger.admit('a'), 'create');
    assert.equal(ledger.admit('b'), 'join');
    assert.equal(ledger.admit('c'), 'join');
    assert.deepEqual(snapshot(ledger), { epoch: 0, members: ['a'] });
  });

  it('hands a waiting peer’s KeyPackage to the members only, and takes none from a member', () => {
    const ledger = ledgerWith('a', ['b']);
    assert.equal(ledger.admit('c'), 'join');
    assert.deepEqual(ledger.keyPackage('c', kp('c')), ['a'], 'not b, who is waiting too');
    assert.throws(() => ledger.keyPackage('a', kp('a')), raumError('invalid-state'));
    assert.deepEqual(snapshot(ledger), { epoch: 0, members: ['a'] });
  });

  it('accepts the first commit for an epoch and refuses a second one as stale, changing nothing', () => {
    const ledger = ledgerWith('a', ['b', 'c']);
    assert.deepEqual(ledger.commit('a', commit(0), ['b'], []), { epoch: 1, recipients: [], welcomed: ['b'], waiting: [['c', kp('c')]] });
    assert.deepEqual(snapshot(ledger), { epoch: 1, members: ['a', 'b'] });

    // b, unaware of a's commit, commits for epoch 0 too (in MLS it cannot yet, but a slow member can).
    assert.throws(() => ledger.commit('b', commit(0), ['c'], []), raumError('stale-epoch'));
    assert.throws(() => ledger.commit('a', commit(0), ['c'], ['b']), raumError('stale-epoch'));
    assert.throws(() => ledger.commit('a', commit(2), ['c'], []), raumError('stale-epoch'), 'an epoch the group has not reached');
    assert.deepEqual(snapshot(ledger), { epoch: 1, members: ['a', 'b'] });

    // c is still waiting: the commit for the current epoch adds it.
    assert.deepEqual(ledger.commit('b', commit(1), ['c'], []), { epoch: 2, recipients: ['a'], welcomed: ['c'], waiting: [] });
    assert.deepEqual(snapshot(ledger), { epoch: 2, members: ['a', 'b', 'c'] });
  });

  it('takes commits from members only', () => {
    const ledger = ledgerWith('a', ['b']);
    assert.throws(() => ledger.commit('b', commit(0), [], []), raumError('invalid-state'), 'a waiting peer');
    assert.throws(() => ledger.commit('stranger', commit(0), [], []), raumError('invalid-state'));
    assert.deepEqual(snapshot(ledger), { epoch: 0, members: ['a'] });
    assert.equal(ledger.commit('a', commit(0), ['b'], []).epoch, 1, 'b was still waiting');
  });

  it('takes only MLS commits, in private messages', () => {
    const ledger = ledgerWith('a', ['b']);
    for (const bytes of [
      privateMessage(group, 0, { contentType: 1 }),
      privateMessage(group, 0, { wireformat: 1 }),
      Buffer.from('not MLS at all'),
      Buffer.alloc(0),
    ]) {
      assert.throws(() => ledger.commit('a', bytes, ['b'], []), raumError('bad-request'));
    }
    assert.deepEqual(snapshot(ledger), { epoch: 0, members: ['a'] });
  });

  it('holds to the group id of the first commit: a commit for another group is stale', () => {
    const ledger = ledgerWith('a', ['b', 'c']);
    // Before the first commit, the server has not seen the group id: any is taken.
    ledger.commit('a', commit(0, Buffer.from('the-first-group')), ['b'], []);
    assert.throws(() => ledger.commit('a', commit(1, Buffer.from('another-group')), ['c'], []), raumError('stale-epoch'));
    assert.deepEqual(snapshot(ledger), { epoch: 1, members: ['a', 'b'] });
    assert.equal(ledger.commit('a', commit(1, Buffer.from('the-first-group')), ['c'], []).epoch, 2);
  });

  it('adds only peers waiting with a KeyPackage, or nobody', () => {
    const ledger = ledgerWith('a', ['b']);
    assert.equal(ledger.admit('c'), 'join', 'c is in the room but published no KeyPackage');
    for (const added of [['c'], ['b', 'c'], ['stranger'], ['a']]) {
      assert.throws(() => ledger.commit('a', commit(0), added, []), raumError('not-found'), added.join());
      assert.deepEqual(snapshot(ledger), { epoch: 0, members: ['a'] }, 'nothing changed');
    }
    assert.deepEqual(ledger.commit('a', commit(0), ['b'], []).welcomed, ['b'], 'b is still waiting');
    assert.throws(() => ledger.commit('a', commit(1), ['b'], []), raumError('not-found'), 'once added, b waits no more');
  });

  it('sends a commit to the members before it but its committer, and the Welcome to the newcomers', () => {
    const ledger = ledgerWith('a', ['b', 'c']);
    ledger.commit('a', commit(0), ['b', 'c'], []);
    for (const peerId of ['d', 'e']) {
      ledger.admit(peerId);
      assert.deepEqual(ledger.keyPackage(peerId, kp(peerId)), ['a', 'b', 'c']);
    }
    assert.deepEqual(ledger.commit('b', commit(1), ['d', 'e'], []), {
      epoch: 2,
      recipients: ['a', 'c'],
      welcomed: ['d', 'e'],
      waiting: [],
    });
  });

  it('forgets removed members: they get the commit that removes them, and no other', () => {
    const ledger = ledgerWith('a', ['b', 'c']);
    ledger.commit('a', commit(0), ['b', 'c'], []);
    assert.deepEqual(ledger.commit('a', commit(1), [], ['b']), { epoch: 2, recipients: ['b', 'c'], welcomed: [], waiting: [] });
    assert.deepEqual(snapshot(ledger), { epoch: 2, members: ['a', 'c'] });
    assert.throws(() => ledger.commit('b', commit(2), [], []), raumError('invalid-state'));
    assert.deepEqual(ledger.commit('c', commit(2), [], []).recipients, ['a']);
    // Removing someone who is not a member (they left the room already) is only routing: nothing to do.
    assert.deepEqual(ledger.commit('a', commit(3), [], ['stranger']), { epoch: 4, recipients: ['c'], welcomed: [], waiting: [] });
  });

  it('tells newcomers of the KeyPackages still waiting, so they can add them when the committer is gone', () => {
    const ledger = ledgerWith('a', ['b', 'c', 'd']);
    // a's commit adds b only (c's and d's KeyPackages came while a was making it): b learns of both.
    assert.deepEqual(ledger.commit('a', commit(0), ['b'], []).waiting, [
      ['c', kp('c')],
      ['d', kp('d')],
    ]);
    assert.equal(ledger.left('c'), undefined);
    assert.equal(ledger.left('a'), undefined, 'b holds the group');
    assert.deepEqual(ledger.commit('b', commit(1), ['d'], ['a']), { epoch: 2, recipients: [], welcomed: ['d'], waiting: [] });
    assert.deepEqual(snapshot(ledger), { epoch: 2, members: ['b', 'd'] });
  });

  it('keeps the group while a member is left, and forgets a waiting peer that leaves', () => {
    const ledger = ledgerWith('a', ['c']);
    ledger.commit('a', commit(0), ['c'], []);
    ledger.admit('d');
    ledger.keyPackage('d', kp('d'));
    assert.equal(ledger.left('d'), undefined);
    assert.throws(() => ledger.commit('a', commit(1), ['d'], []), raumError('not-found'), 'd left: nobody adds it');
    assert.equal(ledger.left('a'), undefined, 'c still holds the group');
    assert.deepEqual(snapshot(ledger), { epoch: 1, members: ['c'] });
    assert.equal(ledger.commit('c', commit(1), [], ['a']).epoch, 2);
  });

  it('restarts the group when its members are gone: the first waiting creates it and gets the other KeyPackages', () => {
    const ledger = ledgerWith('a', ['b']);
    ledger.commit('a', commit(0), ['b'], []);
    for (const peerId of ['c', 'd', 'e']) {
      ledger.admit(peerId);
      ledger.keyPackage(peerId, kp(peerId));
    }
    assert.equal(ledger.left('d'), undefined);
    assert.equal(ledger.left('a'), undefined);
    assert.deepEqual(ledger.left('b'), { creator: 'c', keyPackages: [['e', kp('e')]] });
    assert.deepEqual(snapshot(ledger), { epoch: 0, members: ['c'] });
    assert.equal(ledger.admit('f'), 'join', 'the new group has a member');
    // A new group: a new group id at epoch 0, adding those who waited.
    assert.deepEqual(ledger.commit('c', commit(0, Buffer.from('a-new-group')), ['e'], []), {
      epoch: 1,
      recipients: [],
      welcomed: ['e'],
      waiting: [],
    });
    assert.throws(() => ledger.commit('c', commit(1), [], []), raumError('stale-epoch'), 'the old group is gone');
  });

  it('forgets the group when everybody is gone and nobody waits: the next one creates it', () => {
    const ledger = ledgerWith('a', ['b']);
    ledger.commit('a', commit(0), ['b'], []);
    assert.equal(ledger.left('a'), undefined);
    assert.equal(ledger.left('b'), undefined);
    assert.equal(ledger.admit('c'), 'create');
    assert.deepEqual(snapshot(ledger), { epoch: 0, members: ['c'] });
    assert.equal(ledger.commit('c', commit(0, Buffer.from('a-new-group')), [], []).epoch, 1);
  });

  describe('races', () => {
    it('two joins at once: both KeyPackages reach the member, one commit adds both', () => {
      const ledger = ledgerWith('a');
      assert.equal(ledger.admit('b'), 'join');
      assert.equal(ledger.admit('c'), 'join');
      assert.deepEqual(ledger.keyPackage('c', kp('c')), ['a']);
      assert.deepEqual(ledger.keyPackage('b', kp('b')), ['a']);
      assert.deepEqual(ledger.commit('a', commit(0), ['b', 'c'], []), { epoch: 1, recipients: [], welcomed: ['b', 'c'], waiting: [] });
      assert.deepEqual(snapshot(ledger), { epoch: 1, members: ['a', 'b', 'c'] });
      // Two members add the next newcomer at once: the first commit wins.
      ledger.admit('d');
      ledger.keyPackage('d', kp('d'));
      assert.deepEqual(ledger.commit('c', commit(1), ['d'], []), { epoch: 2, recipients: ['a', 'b'], welcomed: ['d'], waiting: [] });
      assert.throws(() => ledger.commit('b', commit(1), ['d'], []), raumError('stale-epoch'));
      assert.deepEqual(snapshot(ledger), { epoch: 2, members: ['a', 'b', 'c', 'd'] });
    });

    it('a join during a leave, its KeyPackage in first: the newcomer creates the group', () => {
      const ledger = ledgerWith('a');
      assert.equal(ledger.admit('b'), 'join');
      assert.deepEqual(ledger.keyPackage('b', kp('b')), ['a']);
      assert.deepEqual(ledger.left('a'), { creator: 'b', keyPackages: [] });
      assert.deepEqual(snapshot(ledger), { epoch: 0, members: ['b'] });
    });

    it('a join during a leave, the leave first: the newcomer’s KeyPackage makes it the creator', () => {
      const ledger = ledgerWith('a');
      assert.equal(ledger.admit('b'), 'join', 'a still holds the group when b joins');
      assert.equal(ledger.left('a'), undefined, 'b has published nothing yet');
      // Nobody holds the group to add b: b starts a new one rather than wait forever.
      assert.deepEqual(ledger.keyPackage('b', kp('b')), { creator: 'b', keyPackages: [] });
      assert.deepEqual(snapshot(ledger), { epoch: 0, members: ['b'] });
      assert.equal(ledger.admit('c'), 'join');
      assert.deepEqual(ledger.keyPackage('c', kp('c')), ['b']);
      assert.deepEqual(ledger.commit('b', commit(0), ['c'], []).welcomed, ['c']);
    });

    it('a join during a leave, someone new in between: the newest creates, the earlier one is added', () => {
      const ledger = ledgerWith('a');
      assert.equal(ledger.admit('b'), 'join');
      assert.equal(ledger.left('a'), undefined);
      assert.equal(ledger.admit('c'), 'create', 'nobody holds the group');
      assert.deepEqual(ledger.keyPackage('b', kp('b')), ['c']);
      assert.deepEqual(ledger.commit('c', commit(0), ['b'], []).welcomed, ['b']);
    });
  });
});
