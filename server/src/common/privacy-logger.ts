import type { LoggerService } from '@nestjs/common';
import { isIPv6 } from 'node:net';

// IPv4 (optionally with port) and IPv6 literals, however a library formats them.
const IPV4 = /\b(?:\d{1,3}\.){3}\d{1,3}(?::\d{1,5})?\b/g;
const IPV6 = /\[?\b(?:[0-9a-f]{0,4}:){2,7}[0-9a-f]{0,4}\b\]?(?::\d{1,5})?/gi;
// Peer, transport, producer and consumer ids (mediasoup's and ours are UUIDs).
const UUID = /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi;

/** Removes anything shaped like an IP address or an id; a last line of defence, not the policy. */
export function redact(text: string): string {
  return text
    .replace(UUID, '[id]')
    .replace(IPV4, '[address]')
    .replace(IPV6, (candidate) => (isIPv6Literal(candidate) ? '[address]' : candidate));
}

/** Tells `[2001:db8::1]:443` or `fe80::1` from C++ scopes (`RTC::Transport`) and source positions (`:12:7`). */
function isIPv6Literal(candidate: string): boolean {
  const address = candidate.replace(/^\[/, '').replace(/\](?::\d+)?$/, '');
  return /\d/.test(address) && isIPv6(address);
}

function describe(value: unknown): string {
  if (value instanceof Error) return value.stack ?? `${value.name}: ${value.message}`;
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/**
 * The server's only logger: warnings and errors, on stderr, never info or
 * debug. Callers pass no personal data (no addresses, user agents, names,
 * room ids); addresses that a dependency slips into a message are redacted.
 */
export class PrivacyLogger implements LoggerService {
  constructor(private readonly write: (line: string) => void = (line) => process.stderr.write(line)) {}

  // Information and debugging output are never printed, whatever a library passes.
  log(..._ignored: unknown[]): void {
    // Not printed.
  }
  debug(..._ignored: unknown[]): void {
    // Not printed.
  }
  verbose(..._ignored: unknown[]): void {
    // Not printed.
  }
  fatal(message: unknown, ...rest: unknown[]): void {
    this.print('ERROR', message, rest);
  }

  warn(message: unknown, ...rest: unknown[]): void {
    this.print('WARN', message, rest);
  }

  error(message: unknown, ...rest: unknown[]): void {
    this.print('ERROR', message, rest);
  }

  private print(level: string, message: unknown, rest: unknown[]): void {
    // Nest passes (message, stack?, context?): the context is the last string.
    const context = rest.length > 0 && typeof rest[rest.length - 1] === 'string' ? (rest.pop() as string) : 'raum';
    const details = rest.filter((part) => part !== undefined).map(describe);
    const text = [describe(message), ...details].join('\n');
    this.write(`${level} [${context}] ${redact(text)}\n`);
  }
}
