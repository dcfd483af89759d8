import { MlsError } from './errors';
import { MlsGroup, SENDER_SECRET_BYTES, type GroupView, type ProposedCommit } from './group';
import { deriveLinkKeys, type LinkKeys } from './link-keys';
import * as mls from './ts-mls';

/** MlsGroup on ts-mls with the browser's WebCrypto: every member below is a real MLS client. */
describe('MlsGroup (MLS with the link’s admission MAC and PSK)', () => {
  const ROOM = 'AAAAAAAAAAAAAAAAAAAAAA';
  let keys: LinkKeys;
  let otherKeys: LinkKeys;

  beforeAll(async () => {
    keys = await deriveLinkKeys(crypto.getRandomValues(new Uint8Array(16)), ROOM);
    otherKeys = await deriveLinkKeys(crypto.getRandomValues(new Uint8Array(16)), ROOM);
  });

  const member = (peerId: string, linkKeys = keys, e2ee = true) => MlsGroup.create(linkKeys, { peerId, e2ee });
  const hex = (bytes: Uint8Array) => [...bytes].map((byte) => byte.toString(16).padStart(2, '0')).join('');
  const utf8 = (text: string) => new TextEncoder().encode(text);
  const text = (bytes: Uint8Array | undefined) => bytes && new TextDecoder().decode(bytes);
  const peerIds = (view: GroupView) => [...view.members].sort((a, b) => a.leaf - b.leaf).map((m) => `${m.peerId}@${m.leaf}`);

  /** The Adds for these newcomers, as the committer admits them (each must be admissible). */
  async function addsFor(committer: MlsGroup, newcomers: readonly MlsGroup[]) {
    const adds = [];
    for (const newcomer of newcomers) {
      const keyPackage = await committer.admissible(newcomer.keyPackageMessage, newcomer.identity.peerId);
      expect(keyPackage).withContext(`${newcomer.identity.peerId} admissible`).toBeDefined();
      adds.push({ peerId: newcomer.identity.peerId, keyPackage: keyPackage! });
    }
    return adds;
  }

  /** A commit the delivery service accepts: the committer confirms it, the others process it, newcomers join. */
  async function commit(
    committer: MlsGroup,
    change: { add?: readonly MlsGroup[]; remove?: readonly MlsGroup[]; others?: readonly MlsGroup[] },
  ): Promise<ProposedCommit> {
    const proposal = await committer.propose(
      await addsFor(committer, change.add ?? []),
      (change.remove ?? []).map((m) => m.identity.peerId),
    );
    expect(proposal).toBeDefined();
    committer.confirm();
    for (const other of change.others ?? []) await other.processCommit(proposal!.commit);
    for (const newcomer of change.add ?? []) await newcomer.join(proposal!.welcome!);
    return proposal!;
  }

  /** A group of `peers` (the first starts it and adds the rest in one commit). */
  async function groupOf(...peers: string[]): Promise<MlsGroup[]> {
    const members = await Promise.all(peers.map((peerId) => member(peerId)));
    await members[0].start();
    if (members.length > 1) await commit(members[0], { add: members.slice(1) });
    return members;
  }

  /** Everyone sees the same epoch, roster and authenticator, each from its own leaf. */
  function expectAgreement(members: readonly MlsGroup[]): GroupView {
    const views = members.map((m) => m.view());
    for (const [index, view] of views.entries()) {
      const who = members[index].identity.peerId;
      expect(view.epoch).withContext(`${who}'s epoch`).toBe(views[0].epoch);
      expect(view.authenticator).withContext(`${who}'s authenticator`).toEqual(views[0].authenticator);
      expect(peerIds(view)).withContext(`${who}'s roster`).toEqual(peerIds(views[0]));
      expect(view.members.find((m) => m.leaf === view.selfLeaf)?.peerId)
        .withContext(`${who}'s own leaf`)
        .toBe(who);
    }
    expect(views[0].authenticator.length).toBe(32);
    return views[0];
  }

  /** Every leaf's frame secret in a member's current epoch, as hex. */
  async function secretsOf(m: MlsGroup): Promise<string[]> {
    return Promise.all(m.view().members.map(async ({ leaf }) => hex(await m.senderSecret(leaf))));
  }

  it('starts alone at epoch 0, then adds members: everyone agrees on epoch, roster and authenticator', async () => {
    const [alice, bob, carol] = await Promise.all(['alice', 'bob', 'carol'].map((peerId) => member(peerId)));
    const started = await alice.start();
    expect(started.epoch).toBe(0);
    expect(started.selfLeaf).toBe(0);
    expect(started.members).toEqual([{ peerId: 'alice', e2ee: true, leaf: 0 }]);
    expect(alice.joined).toBeTrue();
    expect(bob.joined).toBeFalse();

    const first = await commit(alice, { add: [bob] });
    expect(first.epoch).withContext('the epoch the commit was made in').toBe(0);
    expect(first.added).toEqual(['bob']);
    expect(first.removed).toEqual([]);
    expect(first.welcome).toBeDefined();
    const epoch1 = expectAgreement([alice, bob]);
    expect(epoch1.epoch).toBe(1);

    const second = await commit(bob, { add: [carol], others: [alice] });
    expect(second.epoch).toBe(1);
    const epoch2 = expectAgreement([alice, bob, carol]);
    expect(epoch2.epoch).toBe(2);
    expect(peerIds(epoch2)).toEqual(['alice@0', 'bob@1', 'carol@2']);
    expect([alice, bob, carol].map((m) => m.view().selfLeaf)).toEqual([0, 1, 2]);
    expect(hex(epoch2.authenticator)).not.toBe(hex(epoch1.authenticator));
  });

  it('proposes nothing when there is nothing to change, and never removes its proposer', async () => {
    const [alice, bob] = await groupOf('alice', 'bob');
    expect(await alice.propose(await addsFor(alice, []), ['alice', 'nobody'])).toBeUndefined();
    // Adding someone already in the group is no change either.
    expect(
      await alice.propose([{ peerId: 'bob', keyPackage: (await alice.admissible(bob.keyPackageMessage, 'bob'))! }], []),
    ).toBeUndefined();
    expect(() => alice.confirm()).toThrowError(MlsError, /no commit pending/);
    expect(alice.view().epoch).toBe(1);
  });

  it('exports each sender’s frame secret: equal for every member, different per leaf and per epoch', async () => {
    const members = await groupOf('alice', 'bob', 'carol');
    const [alice, bob, carol] = members;
    const before = await Promise.all(members.map(secretsOf));
    expect(before[0].length).toBe(3);
    expect(before[0][0].length).toBe(SENDER_SECRET_BYTES * 2);
    expect(before[1]).withContext('bob derives what alice derives').toEqual(before[0]);
    expect(before[2]).withContext('carol derives what alice derives').toEqual(before[0]);
    expect(new Set(before[0]).size).withContext('one secret per leaf').toBe(3);

    const dave = await member('dave');
    await commit(carol, { add: [dave], others: [alice, bob] });
    expectAgreement([alice, bob, carol, dave]);
    const after = await Promise.all([alice, bob, carol, dave].map(secretsOf));
    for (const secrets of after) expect(secrets).toEqual(after[0]);
    expect(new Set(after[0]).size).toBe(4);
    expect(after[0].filter((secret) => before[0].includes(secret)))
      .withContext('no secret outlives its epoch')
      .toEqual([]);
  });

  it('removes a member: the others move to a new epoch whose secrets the removed one never had', async () => {
    const [alice, bob, carol] = await groupOf('alice', 'bob', 'carol');
    const bobsLast = await secretsOf(bob);
    const epochBefore = bob.view();

    const removal = await commit(alice, { remove: [bob], others: [carol] });
    expect(removal.removed).toEqual(['bob']);
    expect(removal.welcome).toBeUndefined();
    const view = expectAgreement([alice, carol]);
    expect(view.epoch).toBe(epochBefore.epoch + 1);
    expect(peerIds(view)).toEqual(['alice@0', 'carol@2']);

    const fresh = await secretsOf(alice);
    expect(fresh.length).toBe(2);
    expect(fresh.filter((secret) => bobsLast.includes(secret))).toEqual([]);
    // What Bob can still do with the removal commit gets him nothing of the new epoch.
    try {
      await bob.processCommit(removal.commit);
    } catch {
      // Refusing it is as good.
    }
    const bobNow = bob.view();
    expect(hex(bobNow.authenticator)).withContext('bob never learns the new epoch').not.toBe(hex(view.authenticator));
    if (bobNow.epoch === view.epoch) {
      const bobSecrets = await Promise.all(view.members.map(async ({ leaf }) => hex(await bob.senderSecret(leaf))));
      expect(bobSecrets.filter((secret) => fresh.includes(secret))).toEqual([]);
    }
  });

  describe('admission', () => {
    it('never admits a KeyPackage made with another link’s secret, and a commit cannot add it', async () => {
      const [alice, bob] = await groupOf('alice', 'bob');
      const outsider = await member('mallory', otherKeys);
      expect(await alice.admissible(outsider.keyPackageMessage, 'mallory')).toBeUndefined();
      // Decoded without the check, it still cannot be committed: MLS asks the same MAC of every added leaf.
      const decoded = mls.decodeMlsMessage(outsider.keyPackageMessage, 0)![0];
      if (decoded.wireformat !== 'mls_key_package') throw new Error('not a KeyPackage');
      await expectAsync(alice.propose([{ peerId: 'mallory', keyPackage: decoded.keyPackage }], [])).toBeRejected();
      expect(() => alice.confirm()).toThrowError(MlsError, /no commit pending/);
      expect(peerIds(alice.view())).toEqual(['alice@0', 'bob@1']);
      expect(alice.view().epoch).toBe(1);
      // The same KeyPackage is admissible to a group of its own link.
      const sameLink = await member('trent', otherKeys);
      expect(await sameLink.admissible(outsider.keyPackageMessage, 'mallory')).toBeDefined();
      expect(await bob.admissible(new Uint8Array([0, 1, 0, 5, 1, 2, 3]), 'mallory'))
        .withContext('garbage')
        .toBeUndefined();
    });

    it('never admits a KeyPackage for another peer than the one its credential names', async () => {
      const [alice] = await groupOf('alice');
      const bob = await member('bob');
      expect(await alice.admissible(bob.keyPackageMessage, 'bob')).toBeDefined();
      expect(await alice.admissible(bob.keyPackageMessage, 'carol'))
        .withContext('relayed as carol’s')
        .toBeUndefined();

      // Rewriting the peer id inside the credential breaks the MAC (and the KeyPackage's signature).
      const forged = new Uint8Array(bob.keyPackageMessage);
      const at = hex(forged).indexOf(hex(utf8('bob'))) / 2;
      expect(at).toBeGreaterThan(0);
      forged.set(utf8('eve'), at);
      expect(await alice.admissible(forged, 'eve')).toBeUndefined();
      expect(await alice.admissible(forged, 'bob')).toBeUndefined();
    });

    it('refuses a Welcome without the link’s PSK, and a Welcome meant for someone else', async () => {
      const [alice, bob] = await groupOf('alice', 'bob');
      // Carol's credential carries the right MAC, but she lacks the PSK: she cannot enter the epoch.
      const carol = await MlsGroup.create(
        { ...keys, psk: { pskId: keys.psk.pskId, psk: otherKeys.psk.psk } },
        { peerId: 'carol', e2ee: true },
      );
      const proposal = (await alice.propose(await addsFor(alice, [carol]), []))!;
      alice.confirm();
      await bob.processCommit(proposal.commit);
      await expectAsync(carol.join(proposal.welcome!)).toBeRejectedWithError(MlsError, /Welcome refused/);
      expect(carol.joined).toBeFalse();
      // Nor does anyone who was not added, with or without the secret.
      for (const stranger of [await member('carol'), await member('carol', otherKeys)]) {
        await expectAsync(stranger.join(proposal.welcome!)).toBeRejectedWithError(MlsError);
        expect(stranger.joined).toBeFalse();
      }
      await expectAsync(carol.join(proposal.commit)).toBeRejectedWithError(MlsError, /not a Welcome/);
    });

    it('refuses a commit made under another PSK, and another PSK cannot process the group’s commits', async () => {
      const [alice, carol] = await groupOf('alice', 'carol');
      // Bob joins with the link's keys, then loses the PSK (as someone without the link would lack it).
      const bobKeys: LinkKeys = { ...keys, psk: { pskId: keys.psk.pskId, psk: new Uint8Array(keys.psk.psk) } };
      const bob = await MlsGroup.create(bobKeys, { peerId: 'bob', e2ee: true });
      await commit(alice, { add: [bob], others: [carol] });
      const view = expectAgreement([alice, bob, carol]);
      bobKeys.psk.psk.set(otherKeys.psk.psk);

      const fromBob = (await bob.propose([], ['carol']))!;
      await expectAsync(alice.processCommit(fromBob.commit)).toBeRejectedWithError(MlsError, /commit refused/);
      expect(alice.view().epoch).withContext('a refused commit leaves the state as it was').toBe(view.epoch);
      expect(alice.view().authenticator).toEqual(view.authenticator);
      bob.discard();

      const fromAlice = (await alice.propose([], ['carol']))!;
      alice.confirm();
      await expectAsync(bob.processCommit(fromAlice.commit)).toBeRejectedWithError(MlsError, /commit refused/);
      expect(bob.view().epoch).toBe(view.epoch);
      await carol.processCommit(fromAlice.commit).catch(() => undefined);
      expect(alice.view().epoch).toBe(view.epoch + 1);
    });
  });

  describe('commit ordering', () => {
    it('applies only the confirmed one of two commits for the same epoch; the other is discarded and the winner processed', async () => {
      const [alice, bob, carol] = await groupOf('alice', 'bob', 'carol');
      const [dave, erin] = await Promise.all([member('dave'), member('erin')]);
      const epoch = alice.view().epoch;

      const fromAlice = (await alice.propose(await addsFor(alice, [dave]), []))!;
      const fromBob = (await bob.propose(await addsFor(bob, [erin]), ['carol']))!;
      expect(fromAlice.epoch).toBe(epoch);
      expect(fromBob.epoch).toBe(epoch);
      expect(alice.view().epoch).withContext('a proposal alone changes nothing').toBe(epoch);

      // The delivery service takes Alice's.
      alice.confirm();
      bob.discard();
      expect(() => bob.confirm()).toThrowError(MlsError, /no commit pending/);
      await bob.processCommit(fromAlice.commit);
      await carol.processCommit(fromAlice.commit);
      await dave.join(fromAlice.welcome!);
      const view = expectAgreement([alice, bob, carol, dave]);
      expect(view.epoch).toBe(epoch + 1);
      expect(peerIds(view)).toEqual(['alice@0', 'bob@1', 'carol@2', 'dave@3']);

      // Bob's lost commit is for an epoch that is over; processed late, it changes nothing.
      await expectAsync(carol.processCommit(fromBob.commit)).toBeRejectedWithError(MlsError, /another epoch/);
      expect(carol.view().epoch).toBe(epoch + 1);
      expect(carol.view().authenticator).toEqual(view.authenticator);
      // Erin, welcomed into the discarded branch, is in a group of her own: not this one.
      await erin.join(fromBob.welcome!);
      expect(hex(erin.view().authenticator)).not.toBe(hex(view.authenticator));
      const erinSecrets = await secretsOf(erin);
      const secrets = await secretsOf(alice);
      expect(erinSecrets.filter((secret) => secrets.includes(secret))).toEqual([]);

      // And the loser commits again, on top of the winner.
      const retry = await commit(bob, { add: [await member('erin')], others: [alice, carol, dave] });
      expect(retry.epoch).toBe(epoch + 1);
      expectAgreement([alice, bob, carol, dave]);
    });

    it('adds two at once in one commit', async () => {
      const [alice, bob] = await groupOf('alice', 'bob');
      const [carol, dave] = await Promise.all([member('carol'), member('dave')]);
      const proposal = await commit(alice, { add: [carol, dave], others: [bob] });
      expect(proposal.added).toEqual(['carol', 'dave']);
      const view = expectAgreement([alice, bob, carol, dave]);
      expect(view.epoch).toBe(2);
      expect(peerIds(view)).toEqual(['alice@0', 'bob@1', 'carol@2', 'dave@3']);
      const secrets = await Promise.all([alice, bob, carol, dave].map(secretsOf));
      for (const each of secrets) expect(each).toEqual(secrets[0]);
    });

    it('adds and removes in one commit (a join during a leave); the newcomer takes the free leaf under a new epoch', async () => {
      const [alice, bob, carol] = await groupOf('alice', 'bob', 'carol');
      const bobsLast = await secretsOf(bob);
      const dave = await member('dave');
      const proposal = await commit(alice, { add: [dave], remove: [bob], others: [carol] });
      expect(proposal.added).toEqual(['dave']);
      expect(proposal.removed).toEqual(['bob']);
      const view = expectAgreement([alice, carol, dave]);
      expect(view.members.map((m) => m.peerId).sort()).toEqual(['alice', 'carol', 'dave']);
      const daveLeaf = dave.view().selfLeaf;
      // Bob's leaf may be reused, never his key: the KID (epoch ‖ leaf) and the secret are new.
      const daveSecret = hex(await alice.senderSecret(daveLeaf));
      expect(bobsLast).not.toContain(daveSecret);
      const secrets = await secretsOf(dave);
      expect(secrets).toEqual(await secretsOf(alice));
      expect(secrets.filter((secret) => bobsLast.includes(secret))).toEqual([]);
    });

    it('removes, then adds, in sequence', async () => {
      const [alice, bob, carol] = await groupOf('alice', 'bob', 'carol');
      await commit(carol, { remove: [bob], others: [alice] });
      const dave = await member('dave');
      await commit(carol, { add: [dave], others: [alice] });
      const view = expectAgreement([alice, carol, dave]);
      expect(view.epoch).toBe(3);
      expect(view.members.map((m) => m.peerId).sort()).toEqual(['alice', 'carol', 'dave']);
    });
  });

  it('gives a newcomer nothing of the epochs before its Add', async () => {
    const [alice, bob] = await groupOf('alice', 'bob');
    const before = await secretsOf(alice);
    const earlier = await alice.seal(utf8('before carol'));
    const carol = await member('carol');
    await commit(bob, { add: [carol], others: [alice] });
    expectAgreement([alice, bob, carol]);
    const hers = await secretsOf(carol);
    expect(hers.length).toBe(3);
    expect(hers.filter((secret) => before.includes(secret))).toEqual([]);
    // She cannot read what was sent before her Add either (Bob can).
    expect(await carol.open(earlier)).toBeUndefined();
    expect(text((await bob.open(earlier))?.data)).toBe('before carol');
  });

  describe('application messages', () => {
    it('opens a message with the member that signed it', async () => {
      const [alice, bob, carol] = await groupOf('alice', 'bob', 'carol');
      const sealed = await bob.seal(utf8('hello from bob'));
      expect(hex(sealed)).not.toContain(hex(utf8('hello from bob')));
      const byCarol = await carol.open(sealed);
      expect(byCarol?.from).toEqual({ peerId: 'bob', e2ee: true, leaf: 1 });
      expect(text(byCarol?.data)).toBe('hello from bob');
      const byAlice = await alice.open(sealed);
      expect(byAlice?.from.peerId).toBe('bob');
      const fromCarol = await alice.open(await carol.seal(utf8('and carol')));
      expect(fromCarol?.from).toEqual({ peerId: 'carol', e2ee: true, leaf: 2 });
    });

    it('refuses a replayed message: the same bytes open once', async () => {
      const [alice, bob] = await groupOf('alice', 'bob');
      const sealed = await alice.seal(utf8('once'));
      expect(text((await bob.open(sealed))?.data)).toBe('once');
      expect(await bob.open(sealed)).toBeUndefined();
      expect(await bob.open(new Uint8Array(sealed))).toBeUndefined();
      // Later messages still open.
      expect(text((await bob.open(await alice.seal(utf8('twice'))))?.data)).toBe('twice');
    });

    it('refuses a message with any byte of its ciphertext altered, and still opens the original', async () => {
      const [alice, bob] = await groupOf('alice', 'bob');
      const sealed = await alice.seal(utf8('do not touch'));
      // Positions past the header (group id, epoch, content type, authenticated data): the encrypted sender data and content.
      const positions = [sealed.length - 1, sealed.length - 17, sealed.length - 40, Math.floor(sealed.length / 2) + 10];
      for (const position of positions) {
        const altered = new Uint8Array(sealed);
        altered[position] ^= 0x01;
        expect(await bob.open(altered))
          .withContext(`byte ${position} of ${sealed.length}`)
          .toBeUndefined();
      }
      const header = new Uint8Array(sealed);
      header[6] ^= 0x01; // inside the group id
      expect(await bob.open(header))
        .withContext('group id')
        .toBeUndefined();
      expect(text((await bob.open(sealed))?.data)).toBe('do not touch');
    });

    it('refuses a message from outside the group, even from a holder of the link', async () => {
      const [alice] = await groupOf('alice', 'bob');
      const [elsewhere] = await groupOf('alice', 'bob');
      const sealed = await elsewhere.seal(utf8('from another group'));
      expect(await alice.open(sealed)).toBeUndefined();
      const [foreign] = await Promise.all([member('alice', otherKeys)]);
      await foreign.start();
      expect(await alice.open(await foreign.seal(utf8('other link')))).toBeUndefined();
      expect(await alice.open(alice.keyPackageMessage))
        .withContext('not an application message')
        .toBeUndefined();
      expect(await alice.open(new Uint8Array([1, 2, 3]))).toBeUndefined();
    });

    it('refuses a commit as an application message and an application message as a commit', async () => {
      const [alice, bob, carol] = await groupOf('alice', 'bob', 'carol');
      const sealed = await alice.seal(utf8('x'));
      await expectAsync(bob.processCommit(sealed)).toBeRejectedWithError(MlsError, /not a commit/);
      const proposal = (await alice.propose([], ['carol']))!;
      alice.confirm();
      expect(await bob.open(proposal.commit)).toBeUndefined();
      await bob.processCommit(proposal.commit);
      expectAgreement([alice, bob]);
      expect(carol.view().epoch).toBe(1);
    });
  });

  it('holds 50 members in agreement (added 10 per commit), and reports commit and Welcome times', async () => {
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
    const timings: string[] = [];
    const [alice] = await groupOf('alice');
    const members = [alice];
    let next = 1;
    const newcomer = () => member(`peer-${String(next++).padStart(2, '0')}`);

    /** Adds `count` newcomers in commits of at most 10, by the last member (everyone else processes). */
    async function grow(count: number): Promise<void> {
      while (count > 0) {
        const batch = await Promise.all(Array.from({ length: Math.min(10, count) }, newcomer));
        const committer = members.at(-1)!;
        const proposal = (await committer.propose(await addsFor(committer, batch), []))!;
        committer.confirm();
        await Promise.all([
          ...members.slice(0, -1).map((other) => other.processCommit(proposal.commit)),
          ...batch.map((joining) => joining.join(proposal.welcome!)),
        ]);
        members.push(...batch);
        count -= batch.length;
      }
    }

    /** One Add that makes the group `size` strong, timed: making the commit, processing it, and joining from the Welcome. */
    async function measuredAdd(size: number): Promise<void> {
      const committer = members[0];
      const joining = await newcomer();
      const adds = await addsFor(committer, [joining]);
      const making: number[] = [];
      let proposal: ProposedCommit | undefined;
      for (let round = 0; round < 3; round++) {
        if (proposal) committer.discard();
        const started = performance.now();
        proposal = await committer.propose(adds, []);
        making.push(performance.now() - started);
      }
      committer.confirm();
      const processing: number[] = [];
      for (const [index, other] of members.slice(1).entries()) {
        const started = performance.now();
        await other.processCommit(proposal!.commit);
        if (index < 5) processing.push(performance.now() - started);
      }
      const joiningMs: number[] = [];
      for (let round = 0; round < 3; round++) {
        const started = performance.now();
        await joining.join(proposal!.welcome!);
        joiningMs.push(performance.now() - started);
      }
      members.push(joining);
      expect(members.length).toBe(size);
      expect(joining.view().authenticator).toEqual(committer.view().authenticator);
      const welcomeKb = (proposal!.welcome!.length / 1024).toFixed(1);
      const commitKb = (proposal!.commit.length / 1024).toFixed(1);
      const line =
        `${size} members: create commit ${median(making).toFixed(1)} ms, process commit ${median(processing).toFixed(1)} ms, ` +
        `join from Welcome ${median(joiningMs).toFixed(1)} ms (commit ${commitKb} KiB, Welcome ${welcomeKb} KiB)`;
      timings.push(line);
      // Printed as it comes, too: a long spec with no output would look like a hung browser to Karma.
      console.log(`MLS ${line}`);
    }

    await grow(3);
    await measuredAdd(5);
    await grow(14);
    await measuredAdd(20);
    await grow(29);
    await measuredAdd(50);

    expect(members.length).toBe(50);
    const view = expectAgreement(members);
    expect(view.members.length).toBe(50);
    expect(new Set(view.members.map((m) => m.peerId)).size).toBe(50);
    const leaf = members[17].view().selfLeaf;
    const secrets = await Promise.all(members.map(async (m) => hex(await m.senderSecret(leaf))));
    expect(new Set(secrets).size).withContext('one sender secret, the same for all 50').toBe(1);
    console.log(`MLS timings (median of 3 commits made, of 5 members processing, of 3 joins):\n  ${timings.join('\n  ')}`);
  }, 240_000);
});
