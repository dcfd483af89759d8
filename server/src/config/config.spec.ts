import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from './config';

describe('loadConfig', () => {
  it('works on a laptop without any variable', () => {
    const config = loadConfig({}, '/srv/raum');
    assert.equal(config.host, '127.0.0.1');
    assert.equal(config.port, 8080);
    assert.equal(config.rtcListenIp, '127.0.0.1');
    assert.equal(config.rtcHostAddress, true, 'the laptop default: also on the host’s own address, for Firefox');
    assert.equal(config.rtcAnnouncedAddress, undefined);
    assert.equal(config.rtcUdp && config.rtcTcp, true);
    assert.ok(config.workers >= 1);
    assert.equal(config.clientDir, '/srv/raum/dist/client/browser');
    assert.equal(config.healthDetails, false);
    assert.equal(config.metricsPort, undefined, 'no metrics unless asked for');
    assert.equal(config.requireE2ee, false);
    assert.equal(config.publicOrigin, undefined);
    assert.deepEqual(config.timing, {
      heartbeatIntervalMs: 2000,
      heartbeatTimeoutMs: 5000,
      clientSilenceMs: 15_000,
      resumeGraceMs: 30_000,
      joinTimeoutMs: 30_000,
      drainMs: 30_000,
    });
    assert.deepEqual(config.limits, {
      socketsPerServer: 10_000,
      socketsPerClient: 100,
      roomsPerServer: 1000,
      incomingBitrate: 5_000_000,
      sendBufferBytes: 1024 * 1024,
      workerConsumers: 300,
      workerLoadLimit: 0.7,
    });
  });

  it('reads every variable', () => {
    const config = loadConfig({
      RAUM_HOST: '0.0.0.0',
      RAUM_PORT: '9000',
      RAUM_RTC_LISTEN_IP: '10.0.0.5',
      RAUM_RTC_ANNOUNCED_ADDRESS: 'media.example.org',
      RAUM_RTC_PORT: '50000',
      RAUM_RTC_UDP: 'false',
      RAUM_WORKERS: '3',
      RAUM_MAX_PEERS_PER_ROOM: '12',
      RAUM_HEALTH_DETAILS: 'yes',
      RAUM_METRICS_PORT: '9464',
      RAUM_REQUIRE_E2EE: 'true',
    });
    const unchecked = {
      clientDir: undefined,
      turn: undefined,
      forceRelay: undefined,
      trustProxy: undefined,
      operator: undefined,
      publicOrigin: undefined,
      redisUrl: undefined,
      timing: undefined,
      limits: undefined,
    };
    assert.deepEqual(
      { ...config, ...unchecked },
      {
        host: '0.0.0.0',
        port: 9000,
        rtcListenIp: '10.0.0.5',
        rtcHostAddress: false,
        rtcAnnouncedAddress: 'media.example.org',
        rtcPort: 50000,
        rtcUdp: false,
        rtcTcp: true,
        workers: 3,
        maxPeersPerRoom: 12,
        requireE2ee: true,
        healthDetails: true,
        metricsPort: 9464,
        ...unchecked,
      },
    );
  });

  it('is a single node unless RAUM_REDIS_URL names the Redis of a cluster', () => {
    assert.equal(loadConfig({}).redisUrl, undefined);
    assert.equal(loadConfig({ RAUM_REDIS_URL: 'redis://:secret@10.0.0.5:6379' }).redisUrl, 'redis://:secret@10.0.0.5:6379');
  });

  it('keeps the SFU on exactly the configured address once either media address is set', () => {
    assert.equal(loadConfig({ RAUM_RTC_LISTEN_IP: '127.0.0.1' }).rtcHostAddress, false);
    assert.equal(loadConfig({ RAUM_RTC_ANNOUNCED_ADDRESS: 'media.example.org' }).rtcHostAddress, false);
    assert.equal(loadConfig({ RAUM_RTC_LISTEN_IP: ' ' }).rtcHostAddress, true, 'blank counts as unset');
  });

  it('reads the public URL, the timings and the limits', () => {
    const config = loadConfig({
      RAUM_PUBLIC_URL: 'https://meet.example.org/some/path',
      RAUM_HEARTBEAT_MS: '500',
      RAUM_HEARTBEAT_TIMEOUT_MS: '1500',
      RAUM_RESUME_GRACE_S: '0',
      RAUM_JOIN_TIMEOUT_S: '2',
      RAUM_DRAIN_S: '5',
      RAUM_MAX_SOCKETS: '50',
      RAUM_MAX_SOCKETS_PER_CLIENT: '4',
      RAUM_MAX_ROOMS: '3',
      RAUM_MAX_INCOMING_BITRATE: '2000000',
      RAUM_MAX_SEND_BUFFER: '65536',
      RAUM_WORKER_CONSUMERS: '150',
      RAUM_WORKER_LOAD_PERCENT: '0',
    });
    assert.equal(config.publicOrigin, 'https://meet.example.org');
    assert.deepEqual(config.timing, {
      heartbeatIntervalMs: 500,
      heartbeatTimeoutMs: 1500,
      clientSilenceMs: 4500,
      resumeGraceMs: 0,
      joinTimeoutMs: 2000,
      drainMs: 5000,
    });
    assert.deepEqual(config.limits, {
      socketsPerServer: 50,
      socketsPerClient: 4,
      roomsPerServer: 3,
      incomingBitrate: 2_000_000,
      sendBufferBytes: 65536,
      workerConsumers: 150,
      workerLoadLimit: 0,
    });
  });

  it('reads the TURN servers and the operator’s details', () => {
    const config = loadConfig({
      RAUM_TURN_URLS: 'turn:turn.example.org:3478?transport=udp,turns:turn.example.org:443?transport=tcp',
      RAUM_TURN_SECRET: 'shared',
      RAUM_TURN_TTL: '600',
      RAUM_FORCE_RELAY: 'yes',
      RAUM_TRUST_PROXY: 'true',
      RAUM_OPERATOR_NAME: 'Praxis Dr. Beispiel',
      RAUM_OPERATOR_ADDRESS: 'Hauptstraße 1\\n12345 Musterstadt',
    });
    assert.deepEqual(config.turn, {
      urls: ['turn:turn.example.org:3478?transport=udp', 'turns:turn.example.org:443?transport=tcp'],
      secret: 'shared',
      ttlSeconds: 600,
    });
    assert.equal(config.forceRelay, true);
    assert.equal(config.trustProxy, true);
    assert.equal(config.operator.name, 'Praxis Dr. Beispiel');
    assert.equal(config.operator.address, 'Hauptstraße 1\n12345 Musterstadt');
    assert.equal(config.operator.email, undefined);
  });

  const invalid: Array<[Record<string, string>, string]> = [
    [{ RAUM_PORT: 'eighty' }, 'RAUM_PORT'],
    [{ RAUM_PORT: '70000' }, 'RAUM_PORT'],
    [{ RAUM_HOST: 'localhost' }, 'RAUM_HOST'],
    [{ RAUM_RTC_LISTEN_IP: '300.1.1.1' }, 'RAUM_RTC_LISTEN_IP'],
    [{ RAUM_RTC_ANNOUNCED_ADDRESS: 'not a host' }, 'RAUM_RTC_ANNOUNCED_ADDRESS'],
    [{ RAUM_WORKERS: '0' }, 'RAUM_WORKERS'],
    [{ RAUM_WORKERS: '1.5' }, 'RAUM_WORKERS'],
    [{ RAUM_RTC_PORT: '65535', RAUM_WORKERS: '2' }, 'RAUM_RTC_PORT'],
    [{ RAUM_RTC_UDP: 'maybe' }, 'RAUM_RTC_UDP'],
    [{ RAUM_RTC_UDP: 'false', RAUM_RTC_TCP: 'false' }, 'RAUM_RTC_TCP'],
    [{ RAUM_TURN_URLS: 'https://turn.example.org' }, 'RAUM_TURN_URLS'],
    [{ RAUM_TURN_URLS: 'turn:turn.example.org:3478' }, 'RAUM_TURN_SECRET'],
    [{ RAUM_FORCE_RELAY: 'true' }, 'RAUM_FORCE_RELAY'],
    [{ RAUM_TURN_URLS: 'turn:t:3478', RAUM_TURN_SECRET: 's', RAUM_TURN_TTL: '9' }, 'RAUM_TURN_TTL'],
    [{ RAUM_OPERATOR_NAME: 'x'.repeat(201) }, 'RAUM_OPERATOR_NAME'],
    [{ RAUM_PUBLIC_URL: 'meet.example.org' }, 'RAUM_PUBLIC_URL'],
    [{ RAUM_PUBLIC_URL: 'ftp://meet.example.org' }, 'RAUM_PUBLIC_URL'],
    [{ RAUM_HEARTBEAT_MS: '3000', RAUM_HEARTBEAT_TIMEOUT_MS: '3000' }, 'RAUM_HEARTBEAT_TIMEOUT_MS'],
    [{ RAUM_RESUME_GRACE_S: '-1' }, 'RAUM_RESUME_GRACE_S'],
    [{ RAUM_MAX_SOCKETS_PER_CLIENT: '0' }, 'RAUM_MAX_SOCKETS_PER_CLIENT'],
    [{ RAUM_WORKER_CONSUMERS: '0' }, 'RAUM_WORKER_CONSUMERS'],
    [{ RAUM_METRICS_PORT: 'yes' }, 'RAUM_METRICS_PORT'],
    [{ RAUM_REDIS_URL: '127.0.0.1:6379' }, 'RAUM_REDIS_URL'],
    [{ RAUM_WORKER_LOAD_PERCENT: '101' }, 'RAUM_WORKER_LOAD_PERCENT'],
  ];
  for (const [env, variable] of invalid) {
    it(`names ${variable} when ${JSON.stringify(env)} is invalid`, () => {
      assert.throws(
        () => loadConfig(env),
        (error: unknown) => error instanceof ConfigError && error.variable === variable && error.message.startsWith(variable),
      );
    });
  }
});
