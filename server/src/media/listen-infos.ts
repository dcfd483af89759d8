import { networkInterfaces, type NetworkInterfaceInfo } from 'node:os';
import type { types } from 'mediasoup';
import type { RaumConfig } from '../config/config';

export type Interfaces = NodeJS.Dict<NetworkInterfaceInfo[]>;

function isLinkLocal({ family, address }: NetworkInterfaceInfo): boolean {
  return family === 'IPv4' ? address.startsWith('169.254.') : /^fe[89ab][0-9a-f]:/i.test(address);
}

/**
 * One of this host's own addresses that a browser on this host can pair its
 * host candidates with. Firefox (nICEr) pairs only candidates of the same
 * family that are both loopback or both not, and both link-local or both not;
 * it gathers no loopback candidates, so it needs the SFU on an address like
 * these. Any one of them will do: packets to the host's own address never
 * leave it. IPv4 first, as a host with IPv4 gives Firefox an IPv4 candidate.
 */
export function hostAddress(interfaces: Interfaces = networkInterfaces()): string | undefined {
  const usable = Object.values(interfaces)
    .flatMap((infos) => infos ?? [])
    .filter((info) => !info.internal && !isLinkLocal(info));
  return (usable.find((info) => info.family === 'IPv4') ?? usable.find((info) => info.family === 'IPv6'))?.address;
}

/**
 * The sockets of one worker's WebRtcServer: the configured address and, on the
 * laptop default, the host's own address too, there with one protocol only
 * (UDP, else TCP): a browser on this host needs no other, and the fewer
 * sockets other hosts can see, the better. The configured address comes
 * first, so it has the higher ICE priority (mediasoup lowers it per listen
 * info) and Chromium keeps using loopback.
 */
export function webRtcListenInfos(
  config: Pick<RaumConfig, 'rtcListenIp' | 'rtcAnnouncedAddress' | 'rtcUdp' | 'rtcTcp'>,
  port: number,
  extraAddress?: string,
): types.WebRtcServerListenInfo[] {
  const { rtcListenIp, rtcAnnouncedAddress: announcedAddress, rtcUdp, rtcTcp } = config;
  const protocols: Array<'udp' | 'tcp'> = [...(rtcUdp ? ['udp' as const] : []), ...(rtcTcp ? ['tcp' as const] : [])];
  const infos = protocols.map((protocol) => ({ protocol, ip: rtcListenIp, announcedAddress, port }));
  if (extraAddress && extraAddress !== rtcListenIp) infos.push({ protocol: protocols[0], ip: extraAddress, announcedAddress, port });
  return infos;
}
