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
  readonly copyLink: string;
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
  readonly serverError: string;
  readonly participants: (count: number) => string;
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
  copyLink: 'Copy link',
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
  serverError: 'The server could not let you join. Try again in a moment.',
  participants: (count) => (count === 1 ? '1 person' : `${count} people`),
};

export const DE: Strings = {
  tagline: 'Videokonferenzen, die privat bleiben.',
  promise: 'Kein Konto, kein Tracking, keine gespeicherten Daten. Medien laufen nur über diesen Server.',
  newMeeting: 'Neues Meeting',
  readyToJoin: 'Bereit?',
  yourName: 'Dein Name',
  yourNameHint: 'Freiwillig. Nur die Personen in diesem Meeting sehen ihn.',
  join: 'Beitreten',
  joining: 'Trete bei…',
  cameraOn: 'Kamera einschalten',
  cameraOff: 'Kamera ausschalten',
  microphoneOn: 'Stummschaltung aufheben',
  microphoneOff: 'Stummschalten',
  leave: 'Verlassen',
  copyLink: 'Link kopieren',
  linkCopied: 'Link kopiert',
  you: 'Du',
  guest: 'Gast',
  cameraIsOff: 'Kamera aus',
  muted: 'Stumm',
  aloneHere: 'Du bist allein hier. Teile den Link, um andere einzuladen.',
  cameraDenied: 'Der Zugriff auf die Kamera wurde nicht erlaubt.',
  cameraUnavailable: 'Keine Kamera gefunden.',
  microphoneDenied: 'Der Zugriff auf das Mikrofon wurde nicht erlaubt.',
  microphoneUnavailable: 'Kein Mikrofon gefunden.',
  invalidLink: 'Dieser Meeting-Link ist ungültig.',
  toStart: 'Zur Startseite',
  youLeft: 'Du hast das Meeting verlassen.',
  rejoin: 'Erneut beitreten',
  connectionLost: 'Die Verbindung zum Meeting ist abgebrochen.',
  roomFull: 'Dieses Meeting ist voll.',
  serverError: 'Der Server konnte dich nicht beitreten lassen. Versuche es gleich noch einmal.',
  participants: (count) => (count === 1 ? '1 Person' : `${count} Personen`),
};
