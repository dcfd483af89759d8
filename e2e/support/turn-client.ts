import { createHash, createHmac, randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { isIPv4 } from 'node:net';
import { crc32 } from 'node:zlib';

/**
 * A minimal TURN client over UDP (STUN: RFC 5389, TURN: RFC 5766, IPv6:
 * RFC 6156): enough to ask a TURN server what a browser — or someone
 * looking for an open relay — would ask: an allocation, a permission for a
 * peer, and data to and from that peer through the relay.
 */

export interface Address {
  readonly address: string;
  readonly port: number;
}

export interface Relayed {
  readonly peer: Address;
  readonly data: Buffer;
}

const MAGIC_COOKIE = 0x2112a442;
const FINGERPRINT_XOR = 0x5354554e;
const TIMEOUT_MS = 5000;
const RTO_MS = 500;

// Message type = method | class: methods below 16 need no bit interleaving.
const METHOD = { allocate: 0x003, send: 0x006, data: 0x007, createPermission: 0x008 } as const;
const CLASS = { request: 0x000, indication: 0x010, success: 0x100, error: 0x110 } as const;
const CLASS_BITS = 0x110;

const ATTRIBUTE = {
  username: 0x0006,
  messageIntegrity: 0x0008,
  errorCode: 0x0009,
  xorPeerAddress: 0x0012,
  data: 0x0013,
  realm: 0x0014,
  nonce: 0x0015,
  requestedAddressFamily: 0x0017,
  requestedTransport: 0x0019,
  fingerprint: 0x8028,
} as const;

type Attribute = readonly [type: number, value: Buffer];

interface Message {
  readonly type: number;
  readonly transactionId: Buffer;
  readonly attributes: ReadonlyMap<number, Buffer>;
}

function u32(value: number): Buffer {
  const buffer = Buffer.alloc(4);
  buffer.writeUInt32BE(value >>> 0);
  return buffer;
}

function tlv([type, value]: Attribute): Buffer {
  const head = Buffer.alloc(4);
  head.writeUInt16BE(type);
  head.writeUInt16BE(value.length, 2);
  return Buffer.concat([head, value, Buffer.alloc((4 - (value.length % 4)) % 4)]);
}

/** Appends an attribute computed over the message before it, whose header length already counts it (RFC 5389 15.4, 15.5). */
function seal(message: Buffer, type: number, size: number, compute: (before: Buffer) => Buffer): Buffer {
  message.writeUInt16BE(message.length - 20 + 4 + size, 2);
  return Buffer.concat([message, tlv([type, compute(message)])]);
}

function encode(type: number, transactionId: Buffer, attributes: readonly Attribute[], key?: Buffer): Buffer {
  const header = Buffer.concat([Buffer.alloc(4), u32(MAGIC_COOKIE), transactionId]);
  header.writeUInt16BE(type);
  const message = Buffer.concat([header, ...attributes.map(tlv)]);
  const signed = key ? seal(message, ATTRIBUTE.messageIntegrity, 20, (before) => createHmac('sha1', key).update(before).digest()) : message;
  return seal(signed, ATTRIBUTE.fingerprint, 4, (before) => u32(crc32(before) ^ FINGERPRINT_XOR));
}

function decode(buffer: Buffer): Message | undefined {
  if (buffer.length < 20 || buffer.readUInt32BE(4) !== MAGIC_COOKIE) return undefined;
  const attributes = new Map<number, Buffer>();
  for (let at = 20; at + 4 <= buffer.length;) {
    const type = buffer.readUInt16BE(at);
    const length = buffer.readUInt16BE(at + 2);
    if (!attributes.has(type)) attributes.set(type, buffer.subarray(at + 4, at + 4 + length));
    at += 4 + length + ((4 - (length % 4)) % 4);
  }
  return { type: buffer.readUInt16BE(0), transactionId: buffer.subarray(8, 20), attributes };
}

/** 200 for a success response, else the response's error code. */
function status(message: Message): number {
  if ((message.type & CLASS_BITS) === CLASS.success) return 200;
  const error = message.attributes.get(ATTRIBUTE.errorCode);
  if ((message.type & CLASS_BITS) !== CLASS.error || !error) throw new Error(`not a response: type 0x${message.type.toString(16)}`);
  return (error[2] & 7) * 100 + error[3];
}

function ipBytes(address: string): Buffer {
  if (isIPv4(address)) return Buffer.from(address.split('.').map(Number));
  // The URL parser writes any IPv6 form (with "::", with a dotted IPv4 tail) as hex groups.
  const [head, tail] = new URL(`http://[${address}]`).hostname.slice(1, -1).split('::');
  const groups = (part = '') => (part ? part.split(':') : []);
  const missing = 8 - groups(head).length - groups(tail).length;
  const all = [...groups(head), ...Array<string>(missing).fill('0'), ...groups(tail)];
  return Buffer.concat(all.map((group) => Buffer.from(group.padStart(4, '0'), 'hex')));
}

function ipString(bytes: Buffer): string {
  if (bytes.length === 4) return bytes.join('.');
  return new URL(`http://[${bytes.toString('hex').replace(/(.{4})(?!$)/g, '$1:')}]`).hostname.slice(1, -1);
}

/** XOR-…-ADDRESS: the address masked with the magic cookie and, for IPv6, the transaction id. */
function xorMask(transactionId: Buffer): Buffer {
  return Buffer.concat([u32(MAGIC_COOKIE), transactionId]);
}

function xorAddress({ address, port }: Address, transactionId: Buffer): Buffer {
  const ip = ipBytes(address);
  const mask = xorMask(transactionId);
  const value = Buffer.alloc(4 + ip.length);
  value[1] = ip.length === 4 ? 1 : 2;
  value.writeUInt16BE(port ^ (MAGIC_COOKIE >>> 16), 2);
  ip.forEach((byte, index) => (value[4 + index] = byte ^ mask[index]));
  return value;
}

function readXorAddress(value: Buffer, transactionId: Buffer): Address {
  const mask = xorMask(transactionId);
  const ip = Buffer.from(value.subarray(4).map((byte, index) => byte ^ mask[index]));
  return { address: ipString(ip), port: value.readUInt16BE(2) ^ (MAGIC_COOKIE >>> 16) };
}

export class TurnClient {
  readonly #socket: Socket;
  readonly #server: Address;
  readonly #pending = new Map<string, (response: Message) => void>();
  readonly #received: Relayed[] = [];
  #onReceived?: () => void;
  #auth?: { readonly attributes: readonly Attribute[]; readonly key: Buffer };

  private constructor(socket: Socket, server: Address) {
    this.#socket = socket;
    this.#server = server;
    socket.on('message', (buffer) => this.#handle(buffer));
  }

  /** A client on a fresh UDP socket of the server address's family. */
  static async open(server: Address): Promise<TurnClient> {
    const socket = createSocket(isIPv4(server.address) ? 'udp4' : 'udp6');
    await new Promise<void>((bound) => socket.bind(0, bound));
    return new TurnClient(socket, server);
  }

  /**
   * Asks for a UDP relay of the given family with the long-term credential
   * mechanism (RFC 5389 10.2): the first request is answered 401 with the
   * realm and a nonce, and the retry carries them, the username and a
   * MESSAGE-INTEGRITY keyed with MD5(username:realm:password).
   * Resolves to 200 or the error code.
   */
  async allocate(credentials: { username: string; credential: string }, family: 'IPv4' | 'IPv6' = 'IPv4'): Promise<number> {
    const attributes: Attribute[] = [
      [ATTRIBUTE.requestedTransport, Buffer.from([17, 0, 0, 0])], // UDP
      [ATTRIBUTE.requestedAddressFamily, Buffer.from([family === 'IPv4' ? 1 : 2, 0, 0, 0])],
    ];
    const challenge = await this.#request(METHOD.allocate, randomBytes(12), attributes);
    const realm = challenge.attributes.get(ATTRIBUTE.realm);
    const nonce = challenge.attributes.get(ATTRIBUTE.nonce);
    if (status(challenge) !== 401 || !realm || !nonce) throw new Error(`expected a 401 challenge, got ${status(challenge)}`);
    this.#auth = {
      attributes: [
        [ATTRIBUTE.username, Buffer.from(credentials.username)],
        [ATTRIBUTE.realm, realm],
        [ATTRIBUTE.nonce, nonce],
      ],
      key: createHash('md5').update(`${credentials.username}:${realm}:${credentials.credential}`).digest(),
    };
    return status(await this.#request(METHOD.allocate, randomBytes(12), attributes));
  }

  /** Asks for permission to exchange data with a peer address; resolves to 200 or the error code. Sends nothing to the peer. */
  async createPermission(address: string): Promise<number> {
    const transactionId = randomBytes(12);
    return status(
      await this.#request(METHOD.createPermission, transactionId, [
        [ATTRIBUTE.xorPeerAddress, xorAddress({ address, port: 0 }, transactionId)],
      ]),
    );
  }

  /** Sends data through the relay to a peer (a Send indication: unauthenticated, unanswered). */
  send(peer: Address, data: Buffer): void {
    const transactionId = randomBytes(12);
    this.#transmit(
      encode(METHOD.send | CLASS.indication, transactionId, [
        [ATTRIBUTE.xorPeerAddress, xorAddress(peer, transactionId)],
        [ATTRIBUTE.data, data],
      ]),
    );
  }

  /** The next data a peer sent to the relay (a Data indication). */
  async receive(): Promise<Relayed> {
    if (this.#received.length === 0) {
      await new Promise<void>((arrived, failed) => {
        const timer = setTimeout(() => failed(new Error(`no data from the relay within ${TIMEOUT_MS} ms`)), TIMEOUT_MS);
        this.#onReceived = () => (clearTimeout(timer), (this.#onReceived = undefined), arrived());
      });
    }
    return this.#received.shift()!;
  }

  close(): void {
    this.#socket.close();
  }

  #request(method: number, transactionId: Buffer, attributes: readonly Attribute[]): Promise<Message> {
    const message = encode(method | CLASS.request, transactionId, [...attributes, ...(this.#auth?.attributes ?? [])], this.#auth?.key);
    const id = transactionId.toString('hex');
    return new Promise((answered, failed) => {
      // Over UDP a request is sent again until answered, as STUN says (RTO 500 ms, doubling): a first datagram
      // can be lost, or arrive before a server that just started reads its UDP socket.
      let retransmit: ReturnType<typeof setTimeout> | undefined;
      const send = (rto: number) => {
        this.#transmit(message);
        retransmit = setTimeout(() => send(rto * 2), rto);
      };
      const timer = setTimeout(() => {
        clearTimeout(retransmit);
        this.#pending.delete(id);
        failed(new Error(`no answer from ${this.#server.address}`));
      }, TIMEOUT_MS);
      this.#pending.set(id, (response) => {
        clearTimeout(timer);
        clearTimeout(retransmit);
        this.#pending.delete(id);
        answered(response);
      });
      send(RTO_MS);
    });
  }

  #transmit(message: Buffer): void {
    this.#socket.send(message, this.#server.port, this.#server.address);
  }

  #handle(buffer: Buffer): void {
    const message = decode(buffer);
    if (!message) return;
    const peer = message.attributes.get(ATTRIBUTE.xorPeerAddress);
    const data = message.attributes.get(ATTRIBUTE.data);
    if (message.type === (METHOD.data | CLASS.indication) && peer && data) {
      this.#received.push({ peer: readXorAddress(peer, message.transactionId), data: Buffer.from(data) });
      this.#onReceived?.();
    } else {
      this.#pending.get(message.transactionId.toString('hex'))?.(message);
    }
  }
}
