import { MlsError } from './errors';
import * as mls from './ts-mls';
import {
  credentialIdentity,
  readIdentity,
  verifyIdentity,
  type CurrentLink,
  type GroupPsk,
  type LinkKeys,
  type MemberIdentity,
} from './link-keys';

/**
 * RFC 9420's mandatory suite: X25519, AES-128-GCM, SHA-256, Ed25519, all in
 * WebCrypto. (P-256 would sign in JavaScript here: 4× slower Welcomes.)
 */
export const CIPHERSUITE: mls.CiphersuiteName = 'MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519';
/** What a sender's frame keys are exported under, per epoch and leaf. */
const SFRAME_LABEL = 'raum sframe';
export const SENDER_SECRET_BYTES = 32;

let suite: Promise<mls.CiphersuiteImpl> | undefined;
const ciphersuite = (): Promise<mls.CiphersuiteImpl> => (suite ??= mls.getCiphersuiteImpl(mls.getCiphersuiteFromName(CIPHERSUITE)));

export interface Member extends MemberIdentity {
  readonly leaf: number;
}

/** The group as a member sees it after an epoch change. */
export interface GroupView {
  readonly epoch: number;
  readonly members: readonly Member[];
  /** RFC 9420's epoch authenticator: equal for everyone in this epoch, and nobody outside it can compute it. */
  readonly authenticator: Uint8Array<ArrayBuffer>;
  readonly selfLeaf: number;
}

/** A commit this member made, held until the delivery service says whether it won its epoch. */
export interface ProposedCommit {
  readonly epoch: number;
  readonly commit: Uint8Array<ArrayBuffer>;
  readonly welcome?: Uint8Array<ArrayBuffer>;
  readonly added: readonly string[];
  readonly removed: readonly string[];
}

const bytes = (array: Uint8Array): Uint8Array<ArrayBuffer> => new Uint8Array(array);

function encode(message: mls.MLSMessage): Uint8Array<ArrayBuffer> {
  return bytes(mls.encodeMlsMessage(message));
}

function decode(data: Uint8Array): mls.MLSMessage {
  const decoded = mls.decodeMlsMessage(data, 0)?.[0];
  if (!decoded) throw new MlsError('malformed', 'not an MLS message');
  return decoded;
}

function membersOf(tree: mls.RatchetTree): Member[] {
  const members: Member[] = [];
  tree.forEach((node, index) => {
    if (node?.nodeType !== 'leaf' || node.leaf.credential.credentialType !== 'basic') return;
    const identity = readIdentity(node.leaf.credential.identity);
    if (identity) members.push({ ...identity, leaf: index / 2 });
  });
  return members;
}

function u32(value: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, value);
  return out;
}

/**
 * One participant's membership in the meeting's MLS group (RFC 9420), with
 * ts-mls underneath. It makes this participant's KeyPackage, creates the
 * group or joins it from a Welcome, commits Adds and Removes (always with
 * the link's PSK), processes others' commits, exports each sender's frame
 * secret, and seals and opens application messages (chat, names), which
 * MLS signs by their sender's leaf.
 */
export class MlsGroup {
  #state: mls.ClientState | undefined;
  #pending: { readonly result: mls.CreateCommitResult; readonly proposal: ProposedCommit } | undefined;
  /** The current link's PSK first; earlier ones still open commits made before a new link reached their sender. */
  readonly #psks: GroupPsk[];
  /** What a newcomer's credential must carry a MAC under: the current link's. */
  #joining: CryptoKey;

  private constructor(
    private readonly cs: mls.CiphersuiteImpl,
    private readonly keys: LinkKeys,
    readonly identity: MemberIdentity,
    private readonly keyPackage: { publicPackage: mls.KeyPackage; privatePackage: mls.PrivateKeyPackage },
    private readonly config: mls.ClientConfig,
  ) {
    this.#psks = [keys.psk];
    this.#joining = keys.joining;
  }

  static async create(keys: LinkKeys, identity: MemberIdentity): Promise<MlsGroup> {
    const cs = await ciphersuite();
    const signing = await cs.signature.keygen();
    const credential: mls.Credential = {
      credentialType: 'basic',
      identity: await credentialIdentity(keys, identity, signing.publicKey),
    };
    const keyPackage = await mls.generateKeyPackageWithKey(credential, mls.defaultCapabilities(), mls.defaultLifetime, [], signing, cs);
    const config: mls.ClientConfig = {
      keyRetentionConfig: mls.defaultKeyRetentionConfig,
      lifetimeConfig: mls.defaultLifetimeConfig,
      keyPackageEqualityConfig: mls.defaultKeyPackageEqualityConfig,
      paddingConfig: mls.defaultPaddingConfig,
      // Every leaf, wherever MLS meets one (Adds, Welcomes, trees), must carry the link's MAC.
      authService: {
        validateCredential: async (credential, signaturePublicKey) =>
          credential.credentialType === 'basic' && verifyIdentity(keys.admission, 'admission', credential.identity, signaturePublicKey),
      },
    };
    return new MlsGroup(cs, keys, identity, keyPackage, config);
  }

  /** This participant's KeyPackage, for the members who will add it. */
  get keyPackageMessage(): Uint8Array<ArrayBuffer> {
    return encode({ version: 'mls10', wireformat: 'mls_key_package', keyPackage: this.keyPackage.publicPackage });
  }

  get joined(): boolean {
    return this.#state?.groupActiveState.kind === 'active';
  }

  get epoch(): number {
    return Number(this.state.groupContext.epoch);
  }

  /** Starts the meeting's group, alone, at epoch 0. */
  async start(): Promise<GroupView> {
    const groupId = crypto.getRandomValues(new Uint8Array(16));
    const { publicPackage, privatePackage } = this.keyPackage;
    this.#state = await mls.createGroup(groupId, publicPackage, privatePackage, [], this.cs, this.config);
    return this.view();
  }

  /** Joins from a Welcome; an error when it is not for this participant or does not verify. */
  async join(welcome: Uint8Array): Promise<GroupView> {
    const message = decode(welcome);
    if (message.wireformat !== 'mls_welcome') throw new MlsError('malformed', 'not a Welcome');
    const { publicPackage, privatePackage } = this.keyPackage;
    try {
      this.#state = await mls.joinGroup(
        message.welcome,
        publicPackage,
        privatePackage,
        this.pskIndex,
        this.cs,
        undefined,
        undefined,
        this.config,
      );
    } catch (error) {
      throw new MlsError('rejected', `Welcome refused: ${(error as Error).message}`);
    }
    return this.view();
  }

  /**
   * The peer in a KeyPackage, when a holder of the link's secret made it for
   * `claimedPeerId`; undefined otherwise (it will never be added).
   */
  async admissible(keyPackage: Uint8Array, claimedPeerId: string): Promise<mls.KeyPackage | undefined> {
    let message: mls.MLSMessage;
    try {
      message = decode(keyPackage);
    } catch {
      return undefined;
    }
    if (message.wireformat !== 'mls_key_package' || message.keyPackage.cipherSuite !== CIPHERSUITE) return undefined;
    const { leafNode } = message.keyPackage;
    if (leafNode.credential.credentialType !== 'basic') return undefined;
    const identity = readIdentity(leafNode.credential.identity);
    if (identity?.peerId !== claimedPeerId) return undefined;
    const { identity: bytes } = leafNode.credential;
    const authentic = await Promise.all([
      verifyIdentity(this.keys.admission, 'admission', bytes, leafNode.signaturePublicKey),
      verifyIdentity(this.#joining, 'joining', bytes, leafNode.signaturePublicKey),
    ]);
    return authentic.every(Boolean) ? message.keyPackage : undefined;
  }

  /** A new link: newcomers must hold it to be added, and its PSK goes into every commit from now on. */
  renew({ joining, psk }: CurrentLink): void {
    this.#joining = joining;
    this.#psks.unshift(psk);
  }

  /**
   * A commit that adds the given (admissible) KeyPackages and removes the
   * leaves of the given peers, with the link's PSK. Held until confirm() or
   * discard(); undefined when there is nothing to change, unless `rekey`
   * asks for a new epoch anyway (after a new link, so it takes effect).
   */
  async propose(
    adds: ReadonlyArray<{ peerId: string; keyPackage: mls.KeyPackage }>,
    removes: readonly string[],
    rekey = false,
  ): Promise<ProposedCommit | undefined> {
    const { members, selfLeaf } = this.view();
    const present = new Set(members.map((member) => member.peerId));
    const toAdd = adds.filter(({ peerId }) => !present.has(peerId));
    const toRemove = members.filter((member) => removes.includes(member.peerId) && member.leaf !== selfLeaf);
    if (toAdd.length === 0 && toRemove.length === 0 && !rekey) return undefined;
    const proposals: mls.Proposal[] = [
      ...toAdd.map(({ keyPackage }): mls.Proposal => ({ proposalType: 'add', add: { keyPackage } })),
      ...toRemove.map(({ leaf }): mls.Proposal => ({ proposalType: 'remove', remove: { removed: leaf } })),
      this.pskProposal(),
    ];
    const result = await mls.createCommit(
      { state: this.state, cipherSuite: this.cs, pskIndex: this.pskIndex },
      { extraProposals: proposals, ratchetTreeExtension: true },
    );
    const proposal: ProposedCommit = {
      epoch: this.epoch,
      commit: encode(result.commit),
      ...(result.welcome ? { welcome: encode({ version: 'mls10', wireformat: 'mls_welcome', welcome: result.welcome }) } : {}),
      added: toAdd.map(({ peerId }) => peerId),
      removed: toRemove.map(({ peerId }) => peerId),
    };
    this.#pending = { result, proposal };
    return proposal;
  }

  /** The delivery service accepted our commit: its epoch is ours. */
  confirm(): GroupView {
    if (!this.#pending) throw new MlsError('rejected', 'no commit pending');
    this.#state = this.#pending.result.newState;
    this.#pending = undefined;
    return this.view();
  }

  /** Another commit won the epoch: ours is void. */
  discard(): void {
    this.#pending = undefined;
  }

  /** Processes another member's commit for our epoch. Errors leave the state as it was. */
  async processCommit(commit: Uint8Array): Promise<GroupView> {
    const message = decode(commit);
    if (message.wireformat !== 'mls_private_message' || message.privateMessage.contentType !== 'commit') {
      throw new MlsError('malformed', 'not a commit');
    }
    if (message.privateMessage.epoch !== this.state.groupContext.epoch) throw new MlsError('rejected', 'commit for another epoch');
    try {
      // processMessage() drops the PSK index for private messages; this one keeps it.
      const result = await mls.processPrivateMessage(this.state, message.privateMessage, this.pskIndex, this.cs);
      this.#state = result.newState;
    } catch (error) {
      throw new MlsError('rejected', `commit refused: ${(error as Error).message}`);
    }
    this.#pending = undefined;
    return this.view();
  }

  /** An application message, signed by our leaf and encrypted to the group's current epoch. */
  async seal(data: Uint8Array): Promise<Uint8Array<ArrayBuffer>> {
    const { newState, privateMessage } = await mls.createApplicationMessage(this.state, data, this.cs);
    this.#state = newState;
    return encode({ version: 'mls10', wireformat: 'mls_private_message', privateMessage });
  }

  /**
   * Opens an application message: its data and the member that signed it.
   * Undefined for anything forged, replayed, altered or from outside the group.
   */
  async open(sealed: Uint8Array): Promise<{ from: Member; data: Uint8Array<ArrayBuffer> } | undefined> {
    try {
      const message = decode(sealed);
      if (message.wireformat !== 'mls_private_message' || message.privateMessage.contentType !== 'application') return undefined;
      const epoch = message.privateMessage.epoch;
      const receiver = epoch === this.state.groupContext.epoch ? this.state : this.state.historicalReceiverData.get(epoch);
      if (!receiver) return undefined;
      const senderDataSecret = 'keySchedule' in receiver ? receiver.keySchedule.senderDataSecret : receiver.senderDataSecret;
      const result = await mls.processPrivateMessage(this.state, message.privateMessage, this.pskIndex, this.cs);
      if (result.kind !== 'applicationMessage') return undefined;
      this.#state = result.newState;
      // The sender's leaf was verified against its signature above; ts-mls just does not return it.
      const sender = await mls.decryptSenderData(message.privateMessage, senderDataSecret, this.cs);
      const from = sender && membersOf(receiver.ratchetTree).find((member) => member.leaf === sender.leafIndex);
      return from ? { from, data: bytes(result.message) } : undefined;
    } catch {
      return undefined;
    }
  }

  /** The secret a sender's frame keys come from in this epoch (RFC 9420 exporter, by leaf index). */
  async senderSecret(leaf: number): Promise<Uint8Array<ArrayBuffer>> {
    return bytes(await mls.mlsExporter(this.state.keySchedule.exporterSecret, SFRAME_LABEL, u32(leaf), SENDER_SECRET_BYTES, this.cs));
  }

  view(): GroupView {
    const state = this.state;
    return {
      epoch: Number(state.groupContext.epoch),
      members: membersOf(state.ratchetTree),
      authenticator: bytes(state.keySchedule.epochAuthenticator),
      selfLeaf: state.privatePath.leafIndex,
    };
  }

  private get state(): mls.ClientState {
    if (!this.#state) throw new MlsError('not-in-group', 'not in the group');
    return this.#state;
  }

  private get pskIndex(): mls.PskIndex {
    return {
      findPsk: (id) =>
        id.psktype === 'external'
          ? this.#psks.find(({ pskId }) => id.pskId.length === pskId.length && id.pskId.every((byte, index) => byte === pskId[index]))?.psk
          : undefined,
    };
  }

  private pskProposal(): mls.Proposal {
    const { pskId } = this.#psks[0];
    return {
      proposalType: 'psk',
      psk: { preSharedKeyId: { psktype: 'external', pskId, pskNonce: crypto.getRandomValues(new Uint8Array(32)) } },
    };
  }
}
