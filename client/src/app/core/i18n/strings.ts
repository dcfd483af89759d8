import type { Reaction } from '../e2ee/group-content';
import type { Quality } from '../media/connection-quality';

/** Every text the app shows, per language. English and German are complete. */
export interface Strings {
  readonly tagline: string;
  readonly promise: string;
  readonly newMeeting: string;
  readonly readyToJoin: string;
  readonly yourName: string;
  readonly yourNameHint: string;
  readonly join: string;
  readonly joining: string;
  readonly cameraOn: string;
  readonly cameraOff: string;
  readonly microphoneOn: string;
  readonly microphoneOff: string;
  readonly leave: string;
  readonly copyGuestLink: string;
  readonly copyHostLink: string;
  /** Next to a host's name in the people list. */
  readonly host: string;
  /** Host controls in the people list, and what the others are told of them. */
  readonly muteOne: (name: string) => string;
  readonly askToUnmuteOne: (name: string) => string;
  readonly makeCoHost: (name: string) => string;
  readonly removeOne: (name: string) => string;
  readonly lockMeeting: string;
  readonly meetingIsLocked: string;
  readonly removedByHost: string;
  readonly meetingLockedOut: string;
  /** The lobby: a host's switch, what newcomers see, and each knock. */
  readonly lobby: string;
  readonly lobbyIsOn: string;
  readonly waitingForHost: string;
  readonly stopWaiting: string;
  readonly knocking: (name: string) => string;
  readonly knockUnreadable: string;
  readonly admitOne: (name: string) => string;
  readonly denyOne: (name: string) => string;
  readonly denied: string;
  /** A new link: the host's button, what everyone is told, and what the old link says. */
  readonly newLink: string;
  readonly linkRenewed: string;
  readonly linkWithdrawn: string;
  readonly muteEveryone: string;
  readonly endForEveryone: string;
  readonly endForEveryoneSure: string;
  readonly mutedByHost: string;
  readonly askedToUnmute: string;
  readonly meetingEnded: string;
  readonly linkCopied: string;
  readonly you: string;
  readonly guest: string;
  readonly cameraIsOff: string;
  readonly muted: string;
  readonly aloneHere: string;
  readonly cameraDenied: string;
  readonly cameraUnavailable: string;
  readonly microphoneDenied: string;
  readonly microphoneUnavailable: string;
  readonly invalidLink: string;
  readonly toStart: string;
  readonly youLeft: string;
  readonly rejoin: string;
  readonly connectionLost: string;
  readonly roomFull: string;
  readonly e2eeRequired: string;
  readonly serverError: string;
  readonly serverBusy: string;
  readonly forgedHostLink: string;
  readonly reconnecting: string;
  readonly serverRestarting: string;
  readonly updateRequired: string;
  readonly reload: string;
  readonly participants: (count: number) => string;
  readonly previousPage: string;
  readonly nextPage: string;
  readonly pageOf: (page: number, pages: number) => string;
  readonly requireE2eeOption: string;
  readonly requireE2eeHint: string;
  readonly incompleteLink: string;
  readonly incompleteLinkHint: string;
  readonly e2eeRequiredHere: string;
  readonly e2ee: string;
  readonly securing: string;
  readonly notE2ee: string;
  readonly notE2eeSelf: string;
  readonly notE2eePeers: (names: string) => string;
  readonly verify: string;
  readonly verifyTitle: string;
  readonly verifyExplain: string;
  readonly verified: string;
  readonly notVerified: string;
  readonly notVerifiedHint: string;
  readonly unseenMember: string;
  readonly unseenMembers: (count: number) => string;
  readonly inGroup: string;
  readonly showFullCode: string;
  readonly fullCode: string;
  readonly markVerified: string;
  readonly verifiedThisState: string;
  readonly changedSince: (joined: string, left: string) => string;
  readonly chat: string;
  readonly chatEmpty: string;
  readonly chatLabel: string;
  readonly send: string;
  readonly close: string;
  readonly unread: (count: number) => string;
  readonly privacy: string;
  readonly imprint: string;
  readonly guestNumber: (number: number) => string;
  readonly shareScreen: string;
  readonly stopSharing: string;
  /** Share screen found nothing to share (headless, or no capture allowed by the system). */
  readonly screenUnavailable: string;
  readonly screenOf: (name: string) => string;
  readonly yourScreen: string;
  readonly raiseHand: string;
  readonly lowerHand: string;
  readonly handRaised: string;
  readonly react: string;
  readonly reactionNames: Readonly<Record<Reaction, string>>;
  readonly reacted: (name: string, reaction: string) => string;
  readonly peopleTitle: string;
  readonly microphoneIsOn: string;
  readonly cameraIsOn: string;
  readonly speaking: string;
  readonly talkingWhileMuted: string;
  readonly keyVerifiedByYou: string;
  readonly holdsKeys: string;
  readonly waitingForKeys: string;
  readonly pin: string;
  readonly unpin: string;
  readonly speakerView: string;
  readonly gridView: string;
  readonly settings: string;
  /** The toolbar of the call, as a landmark. */
  readonly controls: string;
  readonly camera: string;
  readonly microphone: string;
  readonly speaker: string;
  readonly switchCamera: string;
  /** A device the browser gives no name, e.g. "Camera 2". */
  readonly unnamedDevice: (kind: string, number: number) => string;
  readonly systemDefault: string;
  readonly devicesRemembered: string;
  readonly microphoneLevel: string;
  readonly cameraInUse: string;
  readonly microphoneInUse: string;
  readonly fixDenied: string;
  readonly fixUnavailable: string;
  readonly fixInUse: string;
  readonly updateReady: string;
  readonly reloadToUpdate: string;
  readonly installApp: string;
  readonly meeting: string;
  readonly connection: Readonly<Record<Quality, string>>;
  readonly connectionDetails: (loss: number, fps: number | undefined, jitterMs: number | undefined) => string;
}

export const EN: Strings = {
  tagline: 'Video meetings that stay private.',
  promise: 'No account, no tracking, no data kept. Media goes only through this server.',
  newMeeting: 'New meeting',
  readyToJoin: 'Ready to join?',
  yourName: 'Your name',
  yourNameHint: 'Optional. Only the people in this meeting see it.',
  join: 'Join',
  joining: 'Joining…',
  cameraOn: 'Turn camera on',
  cameraOff: 'Turn camera off',
  microphoneOn: 'Unmute',
  microphoneOff: 'Mute',
  leave: 'Leave',
  copyGuestLink: 'Copy guest link',
  copyHostLink: 'Copy host link',
  host: 'Host',
  muteOne: (name) => `Mute ${name}`,
  askToUnmuteOne: (name) => `Ask ${name} to unmute`,
  makeCoHost: (name) => `Make ${name} co-host`,
  removeOne: (name) => `Remove ${name}`,
  lockMeeting: 'Lock meeting',
  meetingIsLocked: 'The meeting is locked: nobody new gets in.',
  removedByHost: 'A host removed you from the meeting.',
  meetingLockedOut: 'This meeting is locked. Ask a host to unlock it.',
  lobby: 'Lobby',
  lobbyIsOn: 'The lobby is on: newcomers wait until a host lets them in.',
  waitingForHost: 'Waiting for the host to let you in',
  stopWaiting: 'Stop waiting',
  knocking: (name) => `${name} is waiting to join`,
  knockUnreadable: 'Someone whose link is not this meeting’s',
  admitOne: (name) => `Admit ${name}`,
  denyOne: (name) => `Deny ${name}`,
  denied: 'The host did not let you in.',
  newLink: 'New link',
  linkRenewed: 'A host made a new link. The old one no longer works; the copy buttons give the new one.',
  linkWithdrawn: 'This link no longer works: a host made a new one. Ask them for it.',
  muteEveryone: 'Mute everyone',
  endForEveryone: 'End meeting for all',
  endForEveryoneSure: 'Yes, end it for everyone',
  mutedByHost: 'A host muted your microphone. You can unmute yourself.',
  askedToUnmute: 'A host asks you to unmute.',
  meetingEnded: 'A host ended the meeting for everyone.',
  linkCopied: 'Link copied',
  you: 'You',
  guest: 'Guest',
  cameraIsOff: 'Camera off',
  muted: 'Muted',
  aloneHere: 'You are the only one here. Share the link to invite others.',
  cameraDenied: 'Camera access was not allowed.',
  cameraUnavailable: 'No camera found.',
  microphoneDenied: 'Microphone access was not allowed.',
  microphoneUnavailable: 'No microphone found.',
  invalidLink: 'This meeting link is not valid.',
  toStart: 'Go to the start page',
  youLeft: 'You left the meeting.',
  rejoin: 'Rejoin',
  connectionLost: 'The connection to the meeting was lost.',
  roomFull: 'This meeting is full.',
  e2eeRequired: 'This meeting admits only browsers that encrypt end to end, and this browser cannot.',
  serverError: 'The server could not let you join. Try again in a moment.',
  serverBusy: 'This server is busy right now. Try again in a moment.',
  forgedHostLink: 'This host link does not belong to this meeting. Ask the host to send it again.',
  reconnecting: 'Reconnecting…',
  serverRestarting: 'The server is restarting. You will be reconnected automatically.',
  updateRequired: 'Raum has been updated. Reload the page to continue.',
  reload: 'Reload',
  participants: (count) => (count === 1 ? '1 person' : `${count} people`),
  previousPage: 'Previous page',
  nextPage: 'Next page',
  pageOf: (page, pages) => `Page ${page} of ${pages}`,
  requireE2eeOption: 'Admit only browsers with end-to-end encryption',
  requireE2eeHint:
    'Otherwise, while someone’s browser cannot encrypt end to end, the meeting falls back to transport encryption for everyone and says so.',
  incompleteLink: 'This meeting link is incomplete.',
  incompleteLinkHint: 'The part after “#” is missing. It holds the meeting’s key, which never reaches the server. Ask for the whole link.',
  e2eeRequiredHere:
    'This meeting admits only browsers that encrypt end to end, and this browser cannot. Try a current Chrome, Edge, Firefox or Safari.',
  e2ee: 'End-to-end encrypted',
  securing: 'Securing…',
  notE2ee: 'Not end-to-end encrypted',
  notE2eeSelf: 'This browser cannot encrypt video end to end, so the meeting is encrypted only on the way to and from the server.',
  notE2eePeers: (names) =>
    `${names} cannot encrypt end to end. While they are here, the meeting is encrypted only on the way to and from the server.`,
  verify: 'Verify',
  verifyTitle: 'Verify the encryption',
  verifyExplain:
    'Everyone who holds this meeting’s keys sees the same code. If someone, the server included, added a member or swapped a key, the codes differ. Compare them, for example by reading them aloud. The code changes whenever someone joins or leaves.',
  verified: 'Holds the meeting’s keys',
  notVerified: 'Not verified',
  notVerifiedHint: 'Joined without this meeting’s key (an incomplete or wrong link): cannot see or hear anyone.',
  unseenMember: 'Unknown member',
  unseenMembers: (count) =>
    count === 1
      ? 'Someone holds this meeting’s keys without being shown here. Do not trust this meeting until the codes match.'
      : `${count} members hold this meeting’s keys without being shown here. Do not trust this meeting until the codes match.`,
  inGroup: 'Holds the keys but is not shown in the meeting',
  showFullCode: 'Show full code',
  fullCode: 'Full code',
  markVerified: 'We compared: the codes match',
  verifiedThisState: 'You compared the code for the people here now.',
  changedSince: (joined, left) =>
    `Changed since you compared: ${[joined && `joined: ${joined}`, left && `left: ${left}`].filter(Boolean).join('; ')}. Compare again.`,
  chat: 'Chat',
  chatEmpty: 'No messages yet. Messages are end-to-end encrypted and disappear when you leave.',
  chatLabel: 'Message',
  send: 'Send',
  close: 'Close',
  unread: (count) => (count === 1 ? '1 unread message' : `${count} unread messages`),
  privacy: 'Privacy',
  imprint: 'Imprint',
  guestNumber: (number) => `Guest ${number}`,
  shareScreen: 'Share screen',
  stopSharing: 'Stop sharing',
  screenUnavailable: 'This browser offered no screen to share.',
  screenOf: (name) => `${name}’s screen`,
  yourScreen: 'Your screen',
  raiseHand: 'Raise hand',
  lowerHand: 'Lower hand',
  handRaised: 'Hand raised',
  react: 'React',
  reactionNames: { '👍': 'Thumbs up', '👏': 'Applause', '😂': 'Laughing', '😮': 'Surprised', '❤️': 'Heart', '🎉': 'Celebrate' },
  reacted: (name, reaction) => `${name}: ${reaction}`,
  peopleTitle: 'Participants',
  microphoneIsOn: 'Microphone on',
  cameraIsOn: 'Camera on',
  speaking: 'Speaking',
  talkingWhileMuted: 'You are muted. Unmute to be heard.',
  keyVerifiedByYou: 'Code compared',
  holdsKeys: 'Encrypted',
  waitingForKeys: 'Getting keys…',
  pin: 'Pin',
  unpin: 'Unpin',
  speakerView: 'Speaker view',
  gridView: 'Grid view',
  settings: 'Settings',
  controls: 'Call controls',
  camera: 'Camera',
  microphone: 'Microphone',
  speaker: 'Speaker',
  switchCamera: 'Switch camera',
  unnamedDevice: (kind, number) => `${kind} ${number}`,
  systemDefault: 'System default',
  devicesRemembered: 'Your choice is remembered in this browser only.',
  microphoneLevel: 'Microphone level',
  cameraInUse: 'The camera is being used by another app or browser tab.',
  microphoneInUse: 'The microphone is being used by another app or browser tab.',
  fixDenied:
    'To allow it, click the icon at the left of the address bar (a lock, sliders or a camera), allow camera and microphone for this site, then reload the page. On a phone, the system settings may also need to let the browser use them.',
  fixUnavailable: 'Connect one, or check that it is switched on and that the system settings let the browser use it; then try again here.',
  fixInUse: 'Close the other app or tab that uses it (another video call, for example), then try again here.',
  updateReady: 'A new version of Raum is ready.',
  reloadToUpdate: 'Reload to update',
  installApp: 'Install app',
  meeting: 'Meeting',
  connection: { good: 'Good connection', fair: 'Unstable connection', poor: 'Poor connection' },
  connectionDetails: (loss, fps, jitterMs) =>
    [
      `${loss} % of packets lost`,
      fps === undefined ? '' : `${fps} frames per second`,
      jitterMs === undefined ? '' : `${jitterMs} ms jitter`,
    ]
      .filter(Boolean)
      .join(', '),
};
