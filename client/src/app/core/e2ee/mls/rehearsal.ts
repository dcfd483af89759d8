import { MlsError } from './errors';
import type { ProposedCommit } from './group';
import { LocalMls } from './local-mls';

const ROOM = 'rehearsal';
const NOTE = new TextEncoder().encode('rehearsal');

/**
 * Runs the MLS steps of a join once, among three throwaway members of a
 * throwaway group, in the worker that will run the real ones: a KeyPackage
 * each, a commit with its Welcome, a member processing a commit, and a
 * sealed message opened. The first run of each (WebCrypto's keys and
 * ciphers, the suite's code) costs several times the next, and this way it
 * is paid while the person looks at their preview, not while the members of
 * the meeting and the newcomer wait for each other. Nothing of it is kept.
 */
export async function rehearseJoin(): Promise<void> {
  const secret = crypto.getRandomValues(new Uint8Array(16));
  const [ada, ben, cem] = [new LocalMls(), new LocalMls(), new LocalMls()];
  const [, benPackage, cemPackage] = await Promise.all(
    [ada, ben, cem].map((member, index) => member.init(secret, ROOM, { peerId: `member-${index}`, e2ee: true })),
  );
  await ada.start();
  // Ada adds Ben: a commit and a Welcome, as between the first person and the second.
  const first = withWelcome(await ada.propose([{ peerId: 'member-1', keyPackage: benPackage }], []));
  await ada.confirm();
  await ben.join(first.welcome);
  // Ben adds Cem: Ada processes a commit while Cem joins, as when the third person comes.
  const second = withWelcome(await ben.propose([{ peerId: 'member-2', keyPackage: cemPackage }], []));
  await ben.confirm();
  await Promise.all([ada.processCommit(second.commit), cem.join(second.welcome)]);
  const opened = await cem.open(await ada.seal(NOTE));
  if (opened?.from.peerId !== 'member-0') throw new MlsError('rejected', 'the rehearsal’s message did not open');
}

function withWelcome(proposal: ProposedCommit | undefined): ProposedCommit & { welcome: Uint8Array<ArrayBuffer> } {
  if (!proposal?.welcome) throw new MlsError('rejected', 'the rehearsal’s commit adds nobody');
  return { ...proposal, welcome: proposal.welcome };
}
