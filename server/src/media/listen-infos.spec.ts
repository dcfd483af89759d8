import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import type { NetworkInterfaceInfo } from 'node:os';
import { afterEach, describe, it } from 'node:test';
import { Logger } from '@nestjs/common';
import { PrivacyLogger } from '../common/privacy-logger';
import { loadConfig } from '../config/config';
import { freePort } from '../testing/free-port';
import { hostAddress, webRtcListenInfos, type Interfaces } from './listen-infos';
import { MediaService } from './media.service';

function info(address: string, internal = false): NetworkInterfaceInfo {
  const family = address.includes(':') ? 'IPv6' : 'IPv4';
  return {
    address,
    family,
    internal,
    netmask: '',
    mac: '',
    cidr: null,
    ...(family === 'IPv6' ? { scopeid: 0 } : {}),
  } as NetworkInterfaceInfo;
}

describe('the host address a browser on this host can pair with', () => {
  it('is neither loopback nor link-local, IPv4 before IPv6', () => {
    const interfaces: Interfaces = {
      lo: [info('127.0.0.1', true), info('::1', true)],
      eth0: [info('fe80::1'), info('2001:db8::5'), info('169.254.3.4')],
      wlan0: [info('192.0.2.7')],
    };
    assert.equal(hostAddress(interfaces), '192.0.2.7');
  });

  it('is IPv6 on a host without IPv4, and none on a host with loopback only', () => {
    assert.equal(hostAddress({ lo: [info('127.0.0.1', true)], eth0: [info('fe80::1'), info('fd00::2')] }), 'fd00::2');
    assert.equal(hostAddress({ lo: [info('127.0.0.1', true), info('::1', true)], eth0: [info('fe80::1')] }), undefined);
  });
});

describe('the WebRtcServer listen infos', () => {
  const config = { rtcListenIp: '127.0.0.1', rtcAnnouncedAddress: undefined, rtcUdp: true, rtcTcp: true };

  it('add the host address after the configured one, with one protocol: UDP, else TCP', () => {
    assert.deepEqual(webRtcListenInfos(config, 10000, '192.0.2.7'), [
      { protocol: 'udp', ip: '127.0.0.1', announcedAddress: undefined, port: 10000 },
      { protocol: 'tcp', ip: '127.0.0.1', announcedAddress: undefined, port: 10000 },
      { protocol: 'udp', ip: '192.0.2.7', announcedAddress: undefined, port: 10000 },
    ]);
    assert.deepEqual(
      webRtcListenInfos({ ...config, rtcUdp: false }, 10001, '192.0.2.7').map(({ protocol, ip }) => `${protocol} ${ip}`),
      ['tcp 127.0.0.1', 'tcp 192.0.2.7'],
    );
  });

  it('are the configured address alone without a host address', () => {
    assert.deepEqual(
      webRtcListenInfos({ ...config, rtcListenIp: '0.0.0.0', rtcAnnouncedAddress: 'media.example.org' }, 10000).map(
        ({ protocol, ip, announcedAddress }) => `${protocol} ${ip} ${announcedAddress}`,
      ),
      ['udp 0.0.0.0 media.example.org', 'tcp 0.0.0.0 media.example.org'],
    );
  });
});

describe(
  'the SFU with the laptop default, on a real worker',
  { skip: hostAddress() ? false : 'this host has no address but loopback' },
  () => {
    const logged: string[] = [];
    let media: MediaService | undefined;
    Logger.overrideLogger(new PrivacyLogger((line) => logged.push(line)));
    afterEach(() => {
      media?.onModuleDestroy();
      logged.length = 0;
    });

    async function candidates(port: number): Promise<Array<{ address: string; protocol: string; priority: number }>> {
      media = new MediaService(loadConfig({ RAUM_WORKERS: '1', RAUM_RTC_PORT: String(port) }));
      await media.onModuleInit();
      const { router, webRtcServer } = await media.createRouter();
      const transport = await router.createWebRtcTransport({ webRtcServer });
      return transport.iceCandidates.map(({ address, protocol, priority }) => ({ address, protocol, priority }));
    }

    it('offers loopback first and the host’s own address over UDP', async () => {
      const port = await freePort();
      const offered = await candidates(port);
      assert.deepEqual(
        offered.map(({ address, protocol }) => `${protocol} ${address}`),
        ['udp 127.0.0.1', 'tcp 127.0.0.1', `udp ${hostAddress()}`],
      );
      assert.ok(offered[0].priority > offered[2].priority, 'Chromium keeps loopback');
      assert.deepEqual(logged, []);
    });

    it('stays on loopback, with a warning, when the host address cannot be had', async () => {
      const port = await freePort();
      const squatter = createSocket(hostAddress()!.includes(':') ? 'udp6' : 'udp4');
      await new Promise<void>((resolve) => squatter.bind(port, hostAddress(), resolve));
      try {
        assert.deepEqual(
          (await candidates(port)).map(({ address, protocol }) => `${protocol} ${address}`),
          ['udp 127.0.0.1', 'tcp 127.0.0.1'],
        );
      } finally {
        squatter.close();
      }
      assert.equal(logged.length, 1);
      assert.match(logged[0], /^WARN \[media\] the SFU listens on loopback only \(Firefox on this host cannot connect\)/);
      assert.doesNotMatch(logged[0], new RegExp(hostAddress()!.replace(/\./g, '\\.')), 'the address is redacted');
    });
  },
);
