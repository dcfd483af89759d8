import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from './config';

describe('loadConfig', () => {
  it('works on a laptop without any variable', () => {
    const config = loadConfig({}, '/srv/raum');
    assert.equal(config.host, '127.0.0.1');
    assert.equal(config.port, 8080);
    assert.equal(config.rtcListenIp, '127.0.0.1');
    assert.equal(config.rtcAnnouncedAddress, undefined);
    assert.equal(config.rtcUdp && config.rtcTcp, true);
    assert.ok(config.workers >= 1);
    assert.equal(config.clientDir, '/srv/raum/dist/client/browser');
    assert.equal(config.healthDetails, false);
    assert.equal(config.requireE2ee, false);
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
      RAUM_REQUIRE_E2EE: 'true',
    });
    assert.deepEqual(
      { ...config, clientDir: undefined, turn: undefined, forceRelay: undefined, trustProxy: undefined, operator: undefined },
      {
        host: '0.0.0.0',
        port: 9000,
        rtcListenIp: '10.0.0.5',
        rtcAnnouncedAddress: 'media.example.org',
        rtcPort: 50000,
        rtcUdp: false,
        rtcTcp: true,
        workers: 3,
        maxPeersPerRoom: 12,
        requireE2ee: true,
        healthDetails: true,
        clientDir: undefined,
        turn: undefined,
        forceRelay: undefined,
        trustProxy: undefined,
        operator: undefined,
      },
    );
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
    [{ RAUM_TURN_URLS: 'turn:t:3478', RAUM_TURN_SECRET: 's', RAUM_TURN_TTL: '5' }, 'RAUM_TURN_TTL'],
    [{ RAUM_OPERATOR_NAME: 'x'.repeat(201) }, 'RAUM_OPERATOR_NAME'],
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
