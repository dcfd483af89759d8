import { concat } from './bytes';
import { context, derivePairKey } from './key-schedule';

/**
 * One participant's ephemeral ECDH identity for one call. The private key
 * never leaves WebCrypto; the public key is announced with a MAC under the
 * room's auth key, so only holders of the link's secret can take part.
 */
export class Identity {
  private constructor(
    private readonly keyPair: CryptoKeyPair,
    readonly publicKey: Uint8Array<ArrayBuffer>,
  ) {}

  static async create(): Promise<Identity> {
    const keyPair = (await crypto.subtle.generateKey({ name: 'ECDH', namedCurve: 'P-256' }, false, ['deriveBits'])) as CryptoKeyPair;
    const publicKey = new Uint8Array(await crypto.subtle.exportKey('raw', keyPair.publicKey));
    return new Identity(keyPair, publicKey);
  }

  /** The AES-GCM key this participant shares with another; undefined for a malformed public key. */
  async pairKey(
    theirPublicKey: Uint8Array<ArrayBuffer>,
    roomSecret: Uint8Array<ArrayBuffer>,
    myId: string,
    theirId: string,
  ): Promise<CryptoKey | undefined> {
    try {
      const theirs = await crypto.subtle.importKey('raw', theirPublicKey, { name: 'ECDH', namedCurve: 'P-256' }, false, []);
      const bits = await crypto.subtle.deriveBits({ name: 'ECDH', public: theirs }, this.keyPair.privateKey, 256);
      return derivePairKey(bits, roomSecret, myId, theirId);
    } catch {
      return undefined;
    }
  }
}

/** What an announcement's MAC covers: who (the server's id for them), their key and whether they encrypt media. */
function announced(peerId: string, publicKey: Uint8Array, e2ee: boolean): Uint8Array<ArrayBuffer> {
  return concat(context('announce', peerId, e2ee ? 'e2ee' : 'hop-by-hop'), publicKey);
}

export async function signAnnouncement(
  authKey: CryptoKey,
  peerId: string,
  publicKey: Uint8Array,
  e2ee: boolean,
): Promise<Uint8Array<ArrayBuffer>> {
  return new Uint8Array(await crypto.subtle.sign('HMAC', authKey, announced(peerId, publicKey, e2ee)));
}

export function verifyAnnouncement(
  authKey: CryptoKey,
  peerId: string,
  publicKey: Uint8Array,
  e2ee: boolean,
  mac: Uint8Array<ArrayBuffer>,
): Promise<boolean> {
  return crypto.subtle.verify('HMAC', authKey, mac, announced(peerId, publicKey, e2ee));
}

export interface Sealed {
  readonly iv: Uint8Array<ArrayBuffer>;
  readonly ciphertext: Uint8Array<ArrayBuffer>;
}

/** Encrypts `plain` under a key, bound by `aad` to its purpose and parties. */
export async function seal(key: CryptoKey, plain: Uint8Array<ArrayBuffer>, aad: Uint8Array<ArrayBuffer>): Promise<Sealed> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const ciphertext = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: aad }, key, plain));
  return { iv, ciphertext };
}

/** The plaintext, or undefined if the key is wrong or anything was changed. */
export async function unseal(
  key: CryptoKey,
  { iv, ciphertext }: Sealed,
  aad: Uint8Array<ArrayBuffer>,
): Promise<Uint8Array<ArrayBuffer> | undefined> {
  try {
    return new Uint8Array(await crypto.subtle.decrypt({ name: 'AES-GCM', iv, additionalData: aad }, key, ciphertext));
  } catch {
    return undefined;
  }
}
