import { RaumError } from '../common/errors';
import type { Peer } from '../rooms/peer';
import type { Room } from '../rooms/room';
import type { Handlers, Membership } from './session';

type HostMethod =
  | 'muteParticipant'
  | 'muteEveryone'
  | 'askToUnmute'
  | 'lockMeeting'
  | 'removeParticipant'
  | 'makeHost'
  | 'endMeeting'
  | 'setLobby'
  | 'admitKnock'
  | 'denyKnock'
  | 'renewLink';

/**
 * What a host may do to the others in a meeting. The server checks every
 * request: whoever is not a host (by the host link, or made co-host) gets
 * `forbidden` and nothing changes. A host can turn a microphone off, never
 * on: unmuting is only ever the person's own request. A lock keeps out
 * whoever is not in yet (and so anyone removed), but never a host; so
 * does the lobby, until a host lets them in. A new link shuts out the old.
 */
export function hostRequests(joinedRoom: () => Membership): Pick<Handlers, HostMethod> {
  const asHost = (): Membership => {
    const membership = joinedRoom();
    if (!membership.peer.host) throw new RaumError('forbidden', 'only a host of this meeting may do that');
    return membership;
  };
  /** Someone else in the room: a host acts on others, and on nobody outside it. */
  const other = ({ room, peer }: Membership, peerId: string): Peer => {
    if (peerId === peer.id) throw new RaumError('bad-request', 'that is you');
    return room.member(peerId);
  };

  return {
    muteParticipant: async ({ peerId }) => {
      const host = asHost();
      await muteMicrophone(host.room, host.peer, other(host, peerId));
      return {};
    },

    muteEveryone: async () => {
      const { room, peer } = asHost();
      const others = [...room.members].filter((member) => member !== peer);
      // Someone who leaves meanwhile is not muted, and the others are.
      await Promise.allSettled(others.map((member) => muteMicrophone(room, peer, member)));
      return {};
    },

    askToUnmute: async ({ peerId }) => {
      const host = asHost();
      other(host, peerId).notify('unmuteAsked', { by: host.peer.id });
      return {};
    },

    lockMeeting: async ({ locked }) => {
      const { room, peer } = asHost();
      if (room.locked !== locked) room.lock(locked, peer);
      return {};
    },

    removeParticipant: async ({ peerId }) => {
      const host = asHost();
      host.room.expel(other(host, peerId), host.peer);
      return {};
    },

    makeHost: async ({ peerId }) => {
      const host = asHost();
      const target = other(host, peerId);
      if (!target.host) {
        target.makeHost();
        host.room.broadcast(undefined, 'hostAdded', { peerId });
        for (const knock of host.room.knocks) target.notify('knocked', knock);
      }
      return {};
    },

    endMeeting: async () => {
      const { room, peer } = asHost();
      room.end(peer);
      return {};
    },

    setLobby: async ({ on }) => {
      const { room, peer } = asHost();
      if (room.lobby !== on) room.setLobby(on, peer);
      return {};
    },

    admitKnock: async ({ knockId }) => {
      asHost().room.admitKnock(knockId);
      return {};
    },

    denyKnock: async ({ knockId }) => {
      asHost().room.denyKnock(knockId);
      return {};
    },

    renewLink: async ({ linkProof }) => {
      asHost().room.renewLink(linkProof);
      return {};
    },
  };
}

/** Pauses a person's microphone at the SFU, and tells them who did; someone already muted hears nothing. */
async function muteMicrophone(room: Room, by: Peer, target: Peer): Promise<void> {
  const microphone = target.producerOf('microphone');
  if (!microphone || microphone.paused) return;
  await room.setProducerPaused(target, microphone.id, true);
  target.notify('mutedByHost', { by: by.id });
}
