import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
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
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=meet.example.org', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
    const site = read('nginx/raum.conf')
      .replace('/etc/letsencrypt/live/meet.example.org/fullchain.pem', join(dir, 'cert.pem'))
      .replace('/etc/letsencrypt/live/meet.example.org/privkey.pem', join(dir, 'key.pem'));
    writeFileSync(join(dir, 'raum.conf'), site);
    writeFileSync(join(dir, 'nginx.conf'), `pid ${join(dir, 'nginx.pid')};\nerror_log ${join(dir, 'error.log')};\nevents {}\nhttp {\n  include ${join(dir, 'raum.conf')};\n}\n`);
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
    assert.deepEqual([...added.keys()].filter((name) => !(name in SECURITY_HEADERS)), ['Strict-Transport-Security']);
  });

  it('proxies the WebSocket', () => {
    const config = read('nginx/raum.conf');
    assert.match(config, /location = \/ws \{[^}]*proxy_set_header Upgrade \$http_upgrade;[^}]*proxy_set_header Connection "upgrade";/s);
  });
});

describe('deploy/coturn/turnserver.conf', () => {
  const config = read('coturn/turnserver.conf');
  const lines = config.split('\n').filter((line) => line.trim() && !line.startsWith('#'));

  it('keeps no logs and uses short-lived credentials only', () => {
    for (const line of ['no-stdout-log', 'log-file=/dev/null', 'use-auth-secret', 'no-cli']) assert.ok(lines.includes(line), line);
    assert.ok(!lines.some((line) => /^(user=|lt-cred-mech|verbose|Verbose|log-binding|syslog)/.test(line)));
  });

  it('is not an open relay: private, loopback and link-local peers are denied', () => {
    for (const range of ['10.0.0.0-10.255.255.255', '127.0.0.0-127.255.255.255', '172.16.0.0-172.31.255.255', '192.168.0.0-192.168.255.255', '169.254.0.0-169.254.255.255', '::1']) {
      assert.ok(lines.includes(`denied-peer-ip=${range}`), range);
    }
    assert.ok(!lines.includes('allow-loopback-peers'));
  });

  it('offers TURN over TLS on 443', () => {
    assert.ok(lines.includes('tls-listening-port=443'));
  });
});

describe('deploy/systemd/raum.service', () => {
  it('runs Raum unprivileged on a read-only file system', () => {
    const unit = read('systemd/raum.service');
    for (const line of ['User=raum', 'ProtectSystem=strict', 'ProtectHome=true', 'PrivateTmp=true', 'NoNewPrivileges=true', 'CapabilityBoundingSet=']) {
      assert.match(unit, new RegExp(`^${line.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'), line);
    }
    assert.doesNotMatch(unit, /ReadWritePaths/);
  });
});
