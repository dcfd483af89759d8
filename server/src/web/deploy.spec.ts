import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../config/config';
import { SECURITY_HEADERS } from './security-headers';

const deploy = resolve(__dirname, '../../../deploy');
const read = (file: string) => readFileSync(join(deploy, file), 'utf8');

describe('deploy/nginx/raum.conf', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'raum-nginx-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('passes nginx -t (with a throwaway certificate in place of the real one)', () => {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=meet.example.org',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    const site = read('nginx/raum.conf')
      .replace('/etc/letsencrypt/live/meet.example.org/fullchain.pem', join(dir, 'cert.pem'))
      .replace('/etc/letsencrypt/live/meet.example.org/privkey.pem', join(dir, 'key.pem'));
    writeFileSync(join(dir, 'raum.conf'), site);
    writeFileSync(
      join(dir, 'nginx.conf'),
      `pid ${join(dir, 'nginx.pid')};\nerror_log ${join(dir, 'error.log')};\nevents {}\nhttp {\n  include ${join(dir, 'raum.conf')};\n}\n`,
    );
    const result = spawnSync('nginx', ['-t', '-c', join(dir, 'nginx.conf'), '-p', dir], { encoding: 'utf8' });
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stderr, /test is successful/);
  });

  it('logs nothing: access logs off and errors thrown away, in every server block', () => {
    const config = read('nginx/raum.conf');
    const servers = config.split(/^server \{/m).slice(1);
    assert.equal(servers.length, 2);
    for (const server of servers) {
      assert.match(server, /^\s*access_log off;/m);
      assert.match(server, /^\s*error_log \/dev\/null crit;/m);
    }
    assert.doesNotMatch(config, /^\s*access_log (?!off;)/m);
  });

  it('sends exactly the security headers the server sends, on nginx’s own pages too', () => {
    const config = read('nginx/raum.conf');
    const added = new Map([...config.matchAll(/^\s*add_header (\S+) "([^"]*)" always;/gm)].map((match) => [match[1], match[2]]));
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) {
      assert.equal(added.get(name), value, name);
      assert.match(config, new RegExp(`proxy_hide_header ${name};`), `${name} is not sent twice`);
    }
    assert.deepEqual(
      [...added.keys()].filter((name) => !(name in SECURITY_HEADERS)),
      ['Strict-Transport-Security'],
    );
  });

  it('proxies the WebSocket', () => {
    const config = read('nginx/raum.conf');
    assert.match(config, /location = \/ws \{[^}]*proxy_set_header Upgrade \$http_upgrade;[^}]*proxy_set_header Connection "upgrade";/s);
  });
});

describe('deploy/coturn/turnserver.conf', () => {
  const config = read('coturn/turnserver.conf');
  const lines = config.split('\n').filter((line) => line.trim() && !line.startsWith('#'));
  const maxBps = Number(lines.find((line) => line.startsWith('max-bps='))?.split('=')[1]);

  it('keeps no logs and uses short-lived credentials only', () => {
    for (const line of ['no-stdout-log', 'log-file=/dev/null', 'use-auth-secret', 'no-cli']) assert.ok(lines.includes(line), line);
    assert.ok(!lines.some((line) => /^(user=|lt-cred-mech|verbose|Verbose|log-binding|syslog)/.test(line)));
  });

  it('is not an open relay: every peer is denied, IPv4 and IPv6, but the SFU, whose address the operator fills in', () => {
    for (const range of ['0.0.0.0-255.255.255.255', '::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff'])
      assert.ok(lines.includes(`denied-peer-ip=${range}`), range);
    // One address, a documentation one (TEST-NET-1) to replace: never a range, and never 0.0.0.0 or ::, which coturn reads as "every address".
    assert.deepEqual(
      lines.filter((line) => line.startsWith('allowed-peer-ip=')),
      ['allowed-peer-ip=192.0.2.10'],
    );
    assert.ok(!lines.includes('allow-loopback-peers'));
  });

  it('denies the special ranges by name as well, with the IPv6 forms that lead back into IPv4', () => {
    const ranges = [
      ...[
        '0.0.0.0-0.255.255.255',
        '10.0.0.0-10.255.255.255',
        '100.64.0.0-100.127.255.255',
        '127.0.0.0-127.255.255.255',
        '169.254.0.0-169.254.255.255',
      ],
      ...[
        '172.16.0.0-172.31.255.255',
        '192.0.0.0-192.0.0.255',
        '192.168.0.0-192.168.255.255',
        '198.18.0.0-198.19.255.255',
        '240.0.0.0-255.255.255.255',
      ],
      ...['::', '::1', 'fc00::-fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'fe80::-febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff'],
      '::ffff:0:0-::ffff:ffff:ffff', // IPv4-mapped
      '64:ff9b::-64:ff9b::ffff:ffff', // NAT64
      '2001::-2001:0:ffff:ffff:ffff:ffff:ffff:ffff', // Teredo
      '2002::-2002:ffff:ffff:ffff:ffff:ffff:ffff:ffff', // 6to4
    ];
    for (const range of ranges) assert.ok(lines.includes(`denied-peer-ip=${range}`), range);
    assert.ok(lines.includes('no-multicast-peers'));
  });

  it('caps each relay at a few Mbit/s, above any one person’s call, and keeps the quotas', () => {
    const mbitPerSecond = (maxBps * 8) / 1e6; // coturn counts bytes
    assert.ok(mbitPerSecond >= 4 && mbitPerSecond <= 20, `max-bps: ${mbitPerSecond} Mbit/s`);
    for (const line of ['user-quota=12', 'total-quota=1200']) assert.ok(lines.includes(line), line);
  });

  it('is read by coturn as written: every peer range and the bandwidth cap', () => {
    // coturn skips a range it cannot parse, which nobody would see with logging off.
    const dir = mkdtempSync(join(tmpdir(), 'raum-coturn-'));
    try {
      writeFileSync(
        join(dir, 'turnserver.conf'),
        lines.filter((line) => !['no-stdout-log', 'log-file=/dev/null'].includes(line)).join('\n'),
      );
      const flags = [
        '--log-file',
        'stdout',
        '--listening-ip',
        '127.0.0.1',
        '--relay-ip',
        '127.0.0.1',
        '--listening-port',
        '19993',
        '--no-tls',
        '--no-dtls',
        '--pidfile',
        join(dir, 'pid'),
      ];
      // coturn has no "check only" mode: let it start, and stop it two seconds later, long after it has read its configuration.
      const { stdout } = spawnSync('turnserver', ['-c', join(dir, 'turnserver.conf'), ...flags], { encoding: 'utf8', timeout: 2000 });
      for (const line of lines.filter((line) => /^(allowed|denied)-peer-ip=/.test(line))) {
        const [option, range] = line.split('=');
        assert.ok(stdout.includes(`${option === 'allowed-peer-ip' ? 'White' : 'Black'} listing: ${range}\n`), line);
      }
      assert.ok(stdout.includes(`${maxBps} bytes per second allowed per session`), stdout);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('offers TURN over TLS on 443', () => {
    assert.ok(lines.includes('tls-listening-port=443'));
  });
});

describe('deploy/systemd/raum.service', () => {
  it('runs Raum unprivileged on a read-only file system', () => {
    const unit = read('systemd/raum.service');
    for (const line of [
      'User=raum',
      'ProtectSystem=strict',
      'ProtectHome=true',
      'PrivateTmp=true',
      'NoNewPrivileges=true',
      'CapabilityBoundingSet=',
    ]) {
      assert.match(unit, new RegExp(`^${line.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'), line);
    }
    assert.doesNotMatch(unit, /ReadWritePaths/);
  });

  it('stops by draining: SIGTERM to Raum alone, and time enough for RAUM_DRAIN_S', () => {
    const unit = read('systemd/raum.service');
    assert.match(unit, /^KillMode=mixed$/m);
    const timeout = Number(/^TimeoutStopSec=(\d+)$/m.exec(unit)?.[1]);
    assert.ok(timeout > loadConfig({}).timing.drainMs / 1000, `TimeoutStopSec=${timeout}`);
  });

  it('is written by the build with this checkout’s Node and a worker the service can read', async () => {
    const { writeUnit } = (await import(
      join(deploy, '..', 'tools', 'systemd-unit.mjs')
    )) as typeof import('../../../tools/systemd-unit.mjs');
    const root = mkdtempSync(join(tmpdir(), 'raum-checkout-'));
    const home = mkdtempSync(join(tmpdir(), 'raum-builder-home-'));
    try {
      mkdirSync(join(root, 'deploy', 'systemd'), { recursive: true });
      writeFileSync(join(root, 'deploy', 'systemd', 'raum.service'), read('systemd/raum.service'));
      const built = join(home, '.cache', 'raum', 'mediasoup-worker', 'mediasoup-worker');
      mkdirSync(dirname(built), { recursive: true });
      writeFileSync(built, 'a worker binary');
      const unit = readFileSync(writeUnit({ root, node: '/usr/local/lib/node24/bin/node', worker: built }), 'utf8');
      assert.match(unit, new RegExp(`^ExecStart=/usr/local/lib/node24/bin/node ${root}/dist/server/main\\.js$`, 'm'));
      assert.match(unit, new RegExp(`^WorkingDirectory=${root}$`, 'm'));
      const worker = /^Environment=MEDIASOUP_WORKER_BIN=(.+)$/m.exec(unit)?.[1] ?? '';
      assert.ok(worker.startsWith(`${root}/`), `the worker is inside the checkout, not in the builder's home: ${worker}`);
      assert.equal(readFileSync(worker, 'utf8'), 'a worker binary');
      assert.doesNotMatch(unit, /@[A-Z]+@/);
    } finally {
      rmSync(root, { recursive: true, force: true });
      rmSync(home, { recursive: true, force: true });
    }
  });
});
