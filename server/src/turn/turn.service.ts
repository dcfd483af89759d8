import { Inject, Injectable } from '@nestjs/common';
import { RAUM_CONFIG, type RaumConfig } from '../config/config';
import { turnCredentials, type IceServer } from './turn-credentials';

/** The operator's own STUN/TURN servers, and nothing else, for each joining browser. */
@Injectable()
export class TurnService {
  constructor(@Inject(RAUM_CONFIG) private readonly config: RaumConfig) {}

  /** ICE servers for one participant: STUN as is, TURN with fresh credentials. */
  iceServers(): IceServer[] {
    const { urls, secret, ttlSeconds } = this.config.turn;
    const stun = urls.filter((url) => url.startsWith('stun:'));
    const turn = urls.filter((url) => !url.startsWith('stun:'));
    const servers: IceServer[] = [];
    if (stun.length > 0) servers.push({ urls: stun });
    if (turn.length > 0 && secret) servers.push({ urls: turn, ...turnCredentials(secret, ttlSeconds) });
    return servers;
  }

  /** Whether handed-out credentials expire (TURN is configured), so that sessions must get fresh ones. */
  get expiringCredentials(): boolean {
    return this.config.turn.secret !== undefined && this.config.turn.urls.some((url) => !url.startsWith('stun:'));
  }

  get iceTransportPolicy(): 'all' | 'relay' {
    return this.config.forceRelay ? 'relay' : 'all';
  }
}
