import { Inject, Injectable } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import { isIPv6 } from 'node:net';
import { RAUM_CONFIG, type RaumConfig } from '../config/config';
import { AddressKeys, ClientRateLimits } from './rate-limits';

/** Per client (salted address hash): new connections. */
const CONNECTIONS_PER_SECOND = 1;
const CONNECTION_BURST = 30;

/** Why an upgrade is refused, as the HTTP answer that refuses it. */
export interface Refusal {
  readonly status: 403 | 429 | 503;
  readonly reason: string;
}

/**
 * The client an address stands for: an IPv6 host usually holds a whole /64,
 * so that is one client; an IPv4-mapped IPv6 address is its IPv4 address.
 */
export function clientOf(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1];
  if (!isIPv6(address)) return address;
  const [head, tail = ''] = address.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = address.includes('::') ? [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right] : left;
  return `${groups
    .slice(0, 4)
    .map((group) => parseInt(group, 16).toString(16))
    .join(':')}::/64`;
}

/**
 * Decides, before a WebSocket exists, whether an upgrade may become one:
 * its Origin must be this server's own, and neither the client nor the
 * server may hold too many sockets or open them too fast. Refused upgrades
 * get an HTTP answer and are gone at once. Counts are kept per salted
 * address hash (the salt is replaced hourly), in memory, only while sockets
 * are open.
 */
@Injectable()
export class Admission {
  /** Counts of sockets still open keep the key they had when the salt is replaced. */
  readonly #keys = new AddressKeys();
  readonly #openPerClient = new Map<string, number>();
  readonly #connectionRate = new ClientRateLimits(CONNECTIONS_PER_SECOND, CONNECTION_BURST);
  #open = 0;
  #protocolErrors = 0;

  constructor(@Inject(RAUM_CONFIG) private readonly config: RaumConfig) {}

  get openSockets(): number {
    return this.#open;
  }

  /** Client frames that broke the WebSocket protocol since start (ws closed those sockets). */
  get protocolErrors(): number {
    return this.#protocolErrors;
  }

  countProtocolError(): void {
    this.#protocolErrors++;
  }

  /** The client's address, only ever used hashed. */
  addressOf(request: IncomingMessage): string {
    const forwarded = this.config.trustProxy ? request.headers['x-real-ip'] : undefined;
    return clientOf((typeof forwarded === 'string' && forwarded) || request.socket.remoteAddress || '');
  }

  /** Undefined when the upgrade may go ahead. */
  check(request: IncomingMessage): Refusal | undefined {
    if (!this.sameOrigin(request)) return { status: 403, reason: 'Forbidden' };
    const { socketsPerServer, socketsPerClient } = this.config.limits;
    if (this.#open >= socketsPerServer) return { status: 503, reason: 'Service Unavailable' };
    const address = this.addressOf(request);
    if ((this.#openPerClient.get(this.keyOf(address)) ?? 0) >= socketsPerClient) return { status: 429, reason: 'Too Many Requests' };
    if (!this.#connectionRate.allow(address)) return { status: 429, reason: 'Too Many Requests' };
    return undefined;
  }

  /** Counts an accepted socket until `closed` is called. */
  opened(request: IncomingMessage): () => void {
    const key = this.keyOf(this.addressOf(request));
    this.#open++;
    this.#openPerClient.set(key, (this.#openPerClient.get(key) ?? 0) + 1);
    let counted = true;
    return () => {
      if (!counted) return;
      counted = false;
      this.#open--;
      const left = (this.#openPerClient.get(key) ?? 1) - 1;
      if (left > 0) this.#openPerClient.set(key, left);
      else this.#openPerClient.delete(key);
    };
  }

  /**
   * Browsers always send Origin; a page of another site must not drive a
   * participant's session. Compared with the Host the request was sent to,
   * so that Raum works behind any proxy on any port, or with RAUM_PUBLIC_URL.
   */
  private sameOrigin(request: IncomingMessage): boolean {
    const origin = request.headers.origin;
    if (!origin) return false;
    if (origin === this.config.publicOrigin) return true;
    try {
      return new URL(origin).host === request.headers.host;
    } catch {
      return false;
    }
  }

  private keyOf(address: string): string {
    return this.#keys.of(address).key;
  }
}
