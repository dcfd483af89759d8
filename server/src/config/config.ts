import { isIP } from 'node:net';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';

/** Raum's whole configuration, read once from the environment at start. */
export interface RaumConfig {
  /** Address and port of the HTTP + WebSocket listener. */
  readonly host: string;
  readonly port: number;
  /** Address the SFU's sockets bind to. */
  readonly rtcListenIp: string;
  /**
   * The laptop default (neither RAUM_RTC_LISTEN_IP nor RAUM_RTC_ANNOUNCED_ADDRESS
   * set): the SFU also listens on one of this host's own addresses, because
   * Firefox never pairs its host candidates with a loopback one.
   */
  readonly rtcHostAddress: boolean;
  /** Address announced to browsers, when it differs from rtcListenIp (NAT, public IP). */
  readonly rtcAnnouncedAddress: string | undefined;
  /**
   * Worker i listens on rtcPort + i, over UDP and/or TCP. Below the kernel's
   * ephemeral range by default, so no outgoing connection can hold the port.
   */
  readonly rtcPort: number;
  readonly rtcUdp: boolean;
  readonly rtcTcp: boolean;
  /** Number of mediasoup workers (processes); each uses one core at most. */
  readonly workers: number;
  readonly maxPeersPerRoom: number;
  /** Refuse every browser that cannot encrypt media end to end, in every room. */
  readonly requireE2ee: boolean;
  /** Whether /health also reports aggregate counts (rooms, transports, ...). */
  readonly healthDetails: boolean;
  /** Where Prometheus metrics are served, on 127.0.0.1 only; undefined: not at all. */
  readonly metricsPort: number | undefined;
  /** Folder of the built client (index.html, ngsw.json, ...). */
  readonly clientDir: string;
  /** The operator's own STUN/TURN server (coturn); none by default. */
  readonly turn: TurnConfig;
  /** Tell browsers to send media only through TURN (a debugging and strict-network switch). */
  readonly forceRelay: boolean;
  /** Behind a reverse proxy on this host: take the client address from its X-Real-IP header (for rate limits only). */
  readonly trustProxy: boolean;
  /** Who runs this server, for the privacy policy and the imprint. */
  readonly operator: OperatorConfig;
  /** The public origin, when WebSocket upgrades arrive with another Host (some proxies rewrite it). */
  readonly publicOrigin: string | undefined;
  /** Cluster mode: the Redis shared by every Raum node (room registry and message bus); undefined: a single node. */
  readonly redisUrl: string | undefined;
  readonly timing: TimingConfig;
  readonly limits: LimitsConfig;
}

export interface TimingConfig {
  /** Each side pings after this much silence of its own... */
  readonly heartbeatIntervalMs: number;
  /** ...and the browser gives a socket up after hearing nothing for this long. */
  readonly heartbeatTimeoutMs: number;
  /**
   * The server waits longer for a browser than a browser waits for it: a page
   * on a busy phone can stand still for seconds, while a browser whose network
   * died comes back on a new socket by itself, which replaces the old one.
   */
  readonly clientSilenceMs: number;
  /** How long a participant whose socket died stays in the room, media flowing, waiting to resume. */
  readonly resumeGraceMs: number;
  /** Sockets that have not joined a room by then are closed. */
  readonly joinTimeoutMs: number;
  /** On SIGTERM: how long calls may go on before the server closes them and exits. */
  readonly drainMs: number;
}

/** What one client (or all together) may hold, so that nobody can take the server down alone. */
export interface LimitsConfig {
  readonly socketsPerServer: number;
  /** Per client address; IPv6 addresses count by their /64. */
  readonly socketsPerClient: number;
  readonly roomsPerServer: number;
  /** Bits per second the SFU takes from one participant's send transport. */
  readonly incomingBitrate: number;
  /** A socket whose unsent data stays above this many bytes is closed. */
  readonly sendBufferBytes: number;
  /** Video and audio consumers one worker (one core) is meant to carry; with its CPU, what its load is measured by. */
  readonly workerConsumers: number;
  /** A room whose worker is loaded past this share (0–1) puts its newcomers on another worker. */
  readonly workerLoadLimit: number;
}

export interface TurnConfig {
  /** stun:, turn: and turns: URLs handed to browsers. */
  readonly urls: readonly string[];
  /** coturn's static-auth-secret (TURN REST API); required with turn: URLs. */
  readonly secret: string | undefined;
  /** How long handed-out credentials stay valid. */
  readonly ttlSeconds: number;
}

export interface OperatorConfig {
  readonly name: string | undefined;
  readonly address: string | undefined;
  readonly email: string | undefined;
  readonly phone: string | undefined;
  /** Where the servers are, e.g. "Falkenstein, Germany". */
  readonly hostingLocation: string | undefined;
  /** A data protection officer or privacy contact, if there is one. */
  readonly privacyContact: string | undefined;
}

export const RAUM_CONFIG = Symbol('RAUM_CONFIG');

/** How many heartbeat timeouts of silence the server takes from a browser before it gives the socket up. */
const CLIENT_SILENCE_FACTOR = 3;

/** Thrown for an invalid variable; the message names it and says what is expected. */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    expected: string,
  ) {
    super(`${variable} ${expected}`);
    this.name = 'ConfigError';
  }
}

type Env = Readonly<Record<string, string | undefined>>;

function read(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === '' ? undefined : value;
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = read(env, name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < min || value > max) {
    throw new ConfigError(name, `must be a whole number from ${min} to ${max}`);
  }
  return value;
}

function flag(env: Env, name: string, fallback: boolean): boolean {
  const raw = read(env, name)?.toLowerCase();
  if (raw === undefined) return fallback;
  if (raw === 'true' || raw === '1' || raw === 'yes') return true;
  if (raw === 'false' || raw === '0' || raw === 'no') return false;
  throw new ConfigError(name, 'must be true or false');
}

function ip(env: Env, name: string, fallback: string): string {
  const value = read(env, name) ?? fallback;
  if (isIP(value) === 0) throw new ConfigError(name, 'must be an IPv4 or IPv6 address');
  return value;
}

function origin(env: Env, name: string): string | undefined {
  const value = read(env, name);
  if (value === undefined) return undefined;
  try {
    const url = new URL(value);
    if (url.protocol === 'https:' || url.protocol === 'http:') return url.origin;
  } catch {
    // Reported below.
  }
  throw new ConfigError(name, 'must be an http:// or https:// URL, e.g. https://meet.example.org');
}

function hostname(env: Env, name: string): string | undefined {
  const value = read(env, name);
  if (value === undefined || isIP(value) !== 0) return value;
  if (!/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i.test(value)) {
    throw new ConfigError(name, 'must be an IP address or a host name');
  }
  return value;
}

function redisUrl(env: Env): string | undefined {
  const value = read(env, 'RAUM_REDIS_URL');
  if (value === undefined || /^rediss?:\/\/[^\s]+$/.test(value)) return value;
  throw new ConfigError('RAUM_REDIS_URL', 'must be a redis:// or rediss:// URL, e.g. redis://127.0.0.1:6379');
}

function turnUrls(env: Env): string[] {
  const raw = read(env, 'RAUM_TURN_URLS');
  if (raw === undefined) return [];
  const urls = raw
    .split(',')
    .map((url) => url.trim())
    .filter(Boolean);
  for (const url of urls) {
    if (!/^(stun|turns?):[^\s]+$/.test(url))
      throw new ConfigError('RAUM_TURN_URLS', 'must be a comma-separated list of stun:, turn: or turns: URLs');
  }
  return urls;
}

/** Free text shown on the legal pages; "\n" in the variable starts a new line. */
function text(env: Env, name: string, max = 500): string | undefined {
  const value = read(env, name)?.replace(/\\n/g, '\n');
  if (value !== undefined && value.length > max) throw new ConfigError(name, `must be at most ${max} characters`);
  return value;
}

/**
 * Reads the configuration; every default works on a laptop. Throws a
 * ConfigError naming the first invalid variable.
 */
export function loadConfig(env: Env = process.env, cwd = process.cwd()): RaumConfig {
  const workers = integer(env, 'RAUM_WORKERS', Math.max(1, availableParallelism()), 1, 64);
  const rtcPort = integer(env, 'RAUM_RTC_PORT', 10000, 1024, 65535);
  if (rtcPort + workers - 1 > 65535) {
    throw new ConfigError('RAUM_RTC_PORT', `plus RAUM_WORKERS (${workers}) must stay below 65536`);
  }
  const rtcUdp = flag(env, 'RAUM_RTC_UDP', true);
  const rtcTcp = flag(env, 'RAUM_RTC_TCP', true);
  if (!rtcUdp && !rtcTcp) throw new ConfigError('RAUM_RTC_TCP', 'must be true when RAUM_RTC_UDP is false');
  const turn: TurnConfig = {
    urls: turnUrls(env),
    secret: read(env, 'RAUM_TURN_SECRET'),
    ttlSeconds: integer(env, 'RAUM_TURN_TTL', 12 * 3600, 10, 7 * 24 * 3600),
  };
  if (turn.urls.some((url) => url.startsWith('turn')) && !turn.secret) {
    throw new ConfigError('RAUM_TURN_SECRET', 'must be set (coturn’s static-auth-secret) when RAUM_TURN_URLS has turn: URLs');
  }
  const forceRelay = flag(env, 'RAUM_FORCE_RELAY', false);
  if (forceRelay && !turn.urls.some((url) => url.startsWith('turn'))) {
    throw new ConfigError('RAUM_FORCE_RELAY', 'needs a turn: or turns: URL in RAUM_TURN_URLS');
  }
  const heartbeatIntervalMs = integer(env, 'RAUM_HEARTBEAT_MS', 2000, 100, 60_000);
  const heartbeatTimeoutMs = integer(env, 'RAUM_HEARTBEAT_TIMEOUT_MS', 5000, 200, 120_000);
  if (heartbeatTimeoutMs <= heartbeatIntervalMs) {
    throw new ConfigError('RAUM_HEARTBEAT_TIMEOUT_MS', `must be longer than RAUM_HEARTBEAT_MS (${heartbeatIntervalMs})`);
  }
  return {
    host: ip(env, 'RAUM_HOST', '127.0.0.1'),
    port: integer(env, 'RAUM_PORT', 8080, 0, 65535),
    rtcListenIp: ip(env, 'RAUM_RTC_LISTEN_IP', '127.0.0.1'),
    rtcHostAddress: read(env, 'RAUM_RTC_LISTEN_IP') === undefined && read(env, 'RAUM_RTC_ANNOUNCED_ADDRESS') === undefined,
    rtcAnnouncedAddress: hostname(env, 'RAUM_RTC_ANNOUNCED_ADDRESS'),
    rtcPort,
    rtcUdp,
    rtcTcp,
    workers,
    maxPeersPerRoom: integer(env, 'RAUM_MAX_PEERS_PER_ROOM', 50, 2, 1000),
    requireE2ee: flag(env, 'RAUM_REQUIRE_E2EE', false),
    healthDetails: flag(env, 'RAUM_HEALTH_DETAILS', false),
    metricsPort: read(env, 'RAUM_METRICS_PORT') === undefined ? undefined : integer(env, 'RAUM_METRICS_PORT', 0, 0, 65535),
    clientDir: resolve(cwd, read(env, 'RAUM_CLIENT_DIR') ?? 'dist/client/browser'),
    turn,
    forceRelay,
    trustProxy: flag(env, 'RAUM_TRUST_PROXY', false),
    operator: {
      name: text(env, 'RAUM_OPERATOR_NAME', 200),
      address: text(env, 'RAUM_OPERATOR_ADDRESS'),
      email: text(env, 'RAUM_OPERATOR_EMAIL', 200),
      phone: text(env, 'RAUM_OPERATOR_PHONE', 100),
      hostingLocation: text(env, 'RAUM_HOSTING_LOCATION', 200),
      privacyContact: text(env, 'RAUM_PRIVACY_CONTACT'),
    },
    publicOrigin: origin(env, 'RAUM_PUBLIC_URL'),
    redisUrl: redisUrl(env),
    timing: {
      heartbeatIntervalMs,
      heartbeatTimeoutMs,
      clientSilenceMs: CLIENT_SILENCE_FACTOR * heartbeatTimeoutMs,
      resumeGraceMs: integer(env, 'RAUM_RESUME_GRACE_S', 30, 0, 3600) * 1000,
      joinTimeoutMs: integer(env, 'RAUM_JOIN_TIMEOUT_S', 30, 1, 3600) * 1000,
      drainMs: integer(env, 'RAUM_DRAIN_S', 30, 0, 3600) * 1000,
    },
    limits: {
      socketsPerServer: integer(env, 'RAUM_MAX_SOCKETS', 10_000, 1, 1_000_000),
      socketsPerClient: integer(env, 'RAUM_MAX_SOCKETS_PER_CLIENT', 100, 1, 1_000_000),
      roomsPerServer: integer(env, 'RAUM_MAX_ROOMS', 1000, 1, 1_000_000),
      incomingBitrate: integer(env, 'RAUM_MAX_INCOMING_BITRATE', 5_000_000, 100_000, 100_000_000),
      sendBufferBytes: integer(env, 'RAUM_MAX_SEND_BUFFER', 1024 * 1024, 16 * 1024, 64 * 1024 * 1024),
      workerConsumers: integer(env, 'RAUM_WORKER_CONSUMERS', 300, 1, 100_000),
      workerLoadLimit: integer(env, 'RAUM_WORKER_LOAD_PERCENT', 70, 0, 100) / 100,
    },
  };
}
