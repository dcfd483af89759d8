import { MlsError } from './errors';
import { MlsGroup, type ProposedCommit } from './group';
import { deriveCurrentLink, deriveLinkKeys, type MemberIdentity } from './link-keys';
import type { GroupSnapshot, MlsApi, Opened } from './mls-api';

/** The MLS group of this participant, in the thread that runs it. */
export class LocalMls implements MlsApi {
  #group: MlsGroup | undefined;

  #roomId = '';

  async init(
    secret: Uint8Array<ArrayBuffer>,
    roomId: string,
    identity: MemberIdentity,
    admission?: Uint8Array<ArrayBuffer>,
  ): Promise<Uint8Array<ArrayBuffer>> {
    this.#roomId = roomId;
    this.#group = await MlsGroup.create(await deriveLinkKeys(secret, roomId, admission), identity);
    return this.#group.keyPackageMessage;
  }

  async renew(secret: Uint8Array<ArrayBuffer>): Promise<void> {
    this.group.renew(await deriveCurrentLink(secret, this.#roomId));
  }

  rekey(): Promise<ProposedCommit | undefined> {
    return this.group.propose([], [], true);
  }

  async start(): Promise<GroupSnapshot> {
    await this.group.start();
    return this.snapshot();
  }

  async join(welcome: Uint8Array<ArrayBuffer>): Promise<GroupSnapshot> {
    await this.group.join(welcome);
    return this.snapshot();
  }

  async admissible(keyPackage: Uint8Array<ArrayBuffer>, peerId: string): Promise<boolean> {
    return (await this.group.admissible(keyPackage, peerId)) !== undefined;
  }

  async propose(
    adds: ReadonlyArray<{ peerId: string; keyPackage: Uint8Array<ArrayBuffer> }>,
    removes: readonly string[],
  ): Promise<ProposedCommit | undefined> {
    const admitted = [];
    for (const { peerId, keyPackage } of adds) {
      const decoded = await this.group.admissible(keyPackage, peerId);
      if (decoded) admitted.push({ peerId, keyPackage: decoded });
    }
    return this.group.propose(admitted, removes);
  }

  async confirm(): Promise<GroupSnapshot> {
    this.group.confirm();
    return this.snapshot();
  }

  async discard(): Promise<void> {
    this.group.discard();
  }

  async processCommit(commit: Uint8Array<ArrayBuffer>): Promise<GroupSnapshot> {
    await this.group.processCommit(commit);
    return this.snapshot();
  }

  seal(data: Uint8Array<ArrayBuffer>): Promise<Uint8Array<ArrayBuffer>> {
    return this.group.seal(data);
  }

  open(sealed: Uint8Array<ArrayBuffer>): Promise<Opened | undefined> {
    return this.group.open(sealed);
  }

  close(): void {
    this.#group = undefined;
  }

  private get group(): MlsGroup {
    if (!this.#group) throw new MlsError('not-in-group', 'not initialised');
    return this.#group;
  }

  private async snapshot(): Promise<GroupSnapshot> {
    const view = this.group.view();
    const secrets = await Promise.all(view.members.map(async ({ leaf }) => ({ leaf, secret: await this.group.senderSecret(leaf) })));
    return { ...view, secrets };
  }
}
