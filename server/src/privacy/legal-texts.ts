import type { OperatorConfig } from '../config/config';

/**
 * Raum's privacy policy and imprint, in German and English. Every statement
 * describes what Raum does, as its tests prove (see docs/OPERATING.md,
 * "Privacy promises"); the operator's details come from the configuration.
 */

export type Language = 'de' | 'en';

/** A block of a legal page: a heading and paragraphs or list items, as plain text. */
export interface Section {
  readonly heading: string;
  readonly paragraphs?: readonly string[];
  readonly items?: readonly string[];
}

export interface LegalPage {
  readonly title: string;
  readonly sections: readonly Section[];
}

const NOT_SET = { de: '(noch nicht eingetragen)', en: '(not filled in yet)' } as const;

function operatorLines(operator: OperatorConfig, language: Language): string[] {
  const missing = NOT_SET[language];
  return [
    operator.name ?? missing,
    ...(operator.address ?? missing).split('\n'),
    `${language === 'de' ? 'E-Mail' : 'Email'}: ${operator.email ?? missing}`,
    ...(operator.phone ? [`${language === 'de' ? 'Telefon' : 'Phone'}: ${operator.phone}`] : []),
  ];
}

export function privacyPolicy(operator: OperatorConfig, language: Language): LegalPage {
  const hosting = operator.hostingLocation ?? NOT_SET[language];
  if (language === 'de') {
    return {
      title: 'Datenschutzerklärung',
      sections: [
        { heading: 'Verantwortlich', paragraphs: operatorLines(operator, 'de') },
        ...(operator.privacyContact
          ? [{ heading: 'Ansprechperson für den Datenschutz', paragraphs: operator.privacyContact.split('\n') }]
          : []),
        {
          heading: 'Worum es geht',
          paragraphs: [
            'Raum ist ein Dienst für Videokonferenzen im Browser. Sie brauchen kein Konto. Wer den Link zu einem Meeting hat, kann daran teilnehmen.',
            `Die Server dieses Dienstes stehen in: ${hosting}.`,
          ],
        },
        {
          heading: 'Verbindungsdaten',
          paragraphs: [
            'Wenn Ihr Browser diesen Server aufruft, verarbeitet der Server zwangsläufig Ihre IP-Adresse und die technischen Daten der Verbindung, um Ihnen die Seiten, Audio und Video zu übermitteln. Rechtsgrundlage ist Art. 6 Abs. 1 lit. b DSGVO (Bereitstellung des von Ihnen aufgerufenen Dienstes) und lit. f DSGVO (sicherer Betrieb).',
            'Raum schreibt keine Zugriffsprotokolle und keine Logdateien. Der Server speichert und protokolliert weder IP-Adressen noch Browserdaten (etwa den User-Agent), Namen, Meeting-Kennungen oder Chatnachrichten. Er gibt nur technische Warnungen und Fehler aus, ohne solche Daten.',
            'Um Missbrauch zu begrenzen (zu viele Verbindungen auf einmal oder in kurzer Zeit), bildet der Server aus Ihrer IP-Adresse einen Hashwert mit einem zufälligen Schlüssel, der nur im Arbeitsspeicher liegt und spätestens stündlich verworfen wird. Die Zähler dazu verschwinden mit ihm; nur die Zahl Ihrer noch offenen Verbindungen bleibt, bis diese enden. Die Adresse selbst wird dabei nicht gespeichert.',
          ],
        },
        {
          heading: 'Daten im Meeting',
          paragraphs: [
            'Für ein Meeting verarbeitet der Server die zufällige Meeting-Kennung aus dem Link sowie Ihre Audio- und Videodaten, Chatnachrichten und den Namen, den Sie freiwillig angeben (diese drei verschlüsselt), um sie an die anderen Teilnehmenden weiterzuleiten. All das liegt nur im Arbeitsspeicher, solange das Meeting läuft. Verlässt die letzte Person das Meeting, ist dort nichts mehr davon vorhanden. Raum schreibt nichts davon auf einen Datenträger.',
          ],
        },
        {
          heading: 'Ende-zu-Ende-Verschlüsselung',
          paragraphs: [
            'Audio, Video, Chat und Namen sind standardmäßig Ende-zu-Ende-verschlüsselt: Die Browser der Teilnehmenden vereinbaren die Schlüssel untereinander, und nur wer den Teil des Links nach dem Zeichen „#“ kennt, kann aufgenommen werden. Dieser Teil des Links wird nie an den Server übertragen; der Server leitet nur verschlüsselte Daten weiter und kann sie nicht lesen. Die Meeting-Kennung ist für den Server dagegen sichtbar.',
            'Kann der Browser einer teilnehmenden Person nicht Ende-zu-Ende verschlüsseln, ist das Meeting, solange diese Person anwesend ist, nur auf dem Weg zwischen jedem Browser und dem Server verschlüsselt (DTLS-SRTP). Alle Teilnehmenden sehen das angezeigt. Meetings, deren Link es verlangt (oder alle Meetings, wenn der Betreiber es so eingestellt hat), lassen solche Browser nicht zu.',
          ],
        },
        {
          heading: 'Hosts',
          paragraphs: [
            'Wer ein Meeting mit „Neues Meeting“ anlegt, erhält zusätzlich einen Host-Link. Die Meeting-Kennung ist aus dem geheimen Teil dieses Links abgeleitet; so erkennt der Server einen Host, ohne sich jemanden zu merken. Es gibt keine Konten, und Host-Rechte werden nirgends gespeichert.',
            'Ein Host (auch ein Co-Host, den ein Host dazu gemacht hat) kann das Mikrofon einer Person oder aller anderen auf dem Server stummschalten, jemanden bitten, das Mikrofon einzuschalten, das Meeting sperren (dann kommt niemand Neues herein), jemanden aus dem Meeting entfernen, andere zu Co-Hosts machen und das Meeting für alle beenden. Wer entfernt wurde, kann die danach gesendeten Inhalte nicht mehr entschlüsseln. Einschalten kann ein Host Ihr Mikrofon oder Ihre Kamera nie; das können nur Sie. Sie sehen, wenn ein Host Sie stummgeschaltet hat. Der Server prüft jede dieser Anfragen und protokolliert keine davon.',
            'Ein Host kann den Warteraum einschalten. Wer dann neu kommt, wartet mit der eigenen Vorschau, bis ein Host ihn einlässt oder ablehnt, und erhält bis dahin weder Bild, Ton noch Schlüssel. Der Name, den Sie beim Warten angeben, wird in Ihrem Browser mit einem Schlüssel aus dem Link verschlüsselt; der Server leitet ihn an die Hosts weiter, ohne ihn lesen zu können, und vergisst ihn, sobald Sie den Warteraum verlassen.',
            'Ein Host kann einen neuen Link erzeugen, etwa wenn der alte in falsche Hände geraten ist. Wer im Meeting ist, bleibt darin und erhält den neuen Link Ende-zu-Ende-verschlüsselt. Mit dem alten Link kommt danach niemand mehr herein und niemand kann etwas entschlüsseln. Der Server erhält dafür nur einen Prüfwert, aus dem sich der Link nicht berechnen lässt, und nur so lange, wie das Meeting besteht.',
          ],
        },
        {
          heading: 'Weg der Medien',
          paragraphs: [
            'Audio und Video laufen ausschließlich über diesen Server, nie direkt zwischen den Teilnehmenden. Niemand erfährt dabei die IP-Adresse eines anderen Teilnehmenden.',
            'Lässt Ihr Netzwerk keine direkte Verbindung zum Server zu, laufen die Medien über einen eigenen Relay-Server (TURN) des Betreibers, der ebenfalls nichts protokolliert. Die Zugangsdaten dafür gelten nur befristet und enthalten keine Angaben zu Ihrer Person. Andere STUN- oder TURN-Server werden nicht verwendet.',
          ],
        },
        {
          heading: 'Speicherung in Ihrem Browser',
          paragraphs: [
            'Raum setzt keine Cookies. Den Namen, den Sie angeben, speichert Raum nur im lokalen Speicher Ihres Browsers auf Ihrem Gerät, um ihn beim nächsten Mal vorzuschlagen; Sie können ihn in den Einstellungen Ihres Browsers löschen. Damit Raum installierbar ist und schnell startet, legt Ihr Browser die Programmdateien von Raum in seinem Zwischenspeicher ab; diese enthalten keine personenbezogenen Daten.',
          ],
        },
        {
          heading: 'Keine Dritten',
          paragraphs: [
            'Raum nutzt keine Analyse- oder Trackingdienste und lädt keine Schriften, Skripte oder Bilder von anderen Servern. Alle Dateien kommen von diesem Server. Daten werden nicht an Dritte weitergegeben.',
          ],
        },
        {
          heading: 'Speicherdauer',
          paragraphs: ['Über die Dauer eines Meetings hinaus speichert Raum keine personenbezogenen Daten.'],
        },
        {
          heading: 'Ihre Rechte',
          paragraphs: [
            'Sie haben das Recht auf Auskunft (Art. 15 DSGVO), Berichtigung (Art. 16), Löschung (Art. 17), Einschränkung der Verarbeitung (Art. 18), Datenübertragbarkeit (Art. 20) und Widerspruch (Art. 21) sowie das Recht, sich bei einer Datenschutz-Aufsichtsbehörde zu beschweren (Art. 77). Weil nach einem Meeting nichts gespeichert bleibt, gibt es in der Regel keine Daten, über die Auskunft gegeben werden könnte. Wenden Sie sich dazu an die oben genannte verantwortliche Stelle.',
          ],
        },
      ],
    };
  }
  return {
    title: 'Privacy policy',
    sections: [
      { heading: 'Controller', paragraphs: operatorLines(operator, 'en') },
      ...(operator.privacyContact ? [{ heading: 'Privacy contact', paragraphs: operator.privacyContact.split('\n') }] : []),
      {
        heading: 'What this is',
        paragraphs: [
          'Raum is a service for video meetings in the browser. You need no account. Whoever has the link to a meeting can take part.',
          `This service's servers are located in: ${hosting}.`,
        ],
      },
      {
        heading: 'Connection data',
        paragraphs: [
          'When your browser connects to this server, the server necessarily processes your IP address and the technical data of the connection in order to deliver pages, audio and video to you. The legal basis is Art. 6(1)(b) GDPR (providing the service you asked for) and Art. 6(1)(f) GDPR (operating it securely).',
          'Raum writes no access logs and no log files. The server neither stores nor logs IP addresses, browser data (such as the user agent), names, meeting identifiers or chat messages. It prints only technical warnings and errors, without such data.',
          'To limit abuse (too many connections at once or in a short time), the server hashes your IP address with a random key that exists only in memory and is discarded at least every hour. The counters go with it; only the number of your connections still open stays until they end. The address itself is not stored.',
        ],
      },
      {
        heading: 'Data in a meeting',
        paragraphs: [
          'For a meeting, the server processes the random meeting identifier from the link, and your audio, video, chat messages and the name you choose to give (these encrypted) in order to pass them on to the other participants. All of this is held only in memory while the meeting runs. When the last person leaves, none of it remains. Raum writes none of it to disk.',
        ],
      },
      {
        heading: 'End-to-end encryption',
        paragraphs: [
          'Audio, video, chat and names are end-to-end encrypted by default: the participants’ browsers agree on the keys among themselves, and only someone who knows the part of the link after the “#” sign can be admitted. That part of the link is never sent to the server; the server passes on only encrypted data and cannot read it. The meeting identifier is visible to the server.',
          'If a participant’s browser cannot encrypt end to end, then while that person is present the meeting is encrypted only between each browser and the server (DTLS-SRTP). Every participant is shown this. Meetings whose link requires it (or all meetings, if the operator has set it so) do not admit such browsers.',
        ],
      },
      {
        heading: 'Hosts',
        paragraphs: [
          'Whoever creates a meeting with “New meeting” also gets a host link. The meeting identifier is derived from that link’s secret part, so the server recognises a host without remembering anyone. There are no accounts, and host rights are not stored anywhere.',
          'A host (and any co-host a host appointed) can mute one person’s or everyone else’s microphone on the server, ask someone to unmute, lock the meeting (then nobody new gets in), remove someone from the meeting, make others co-hosts, and end the meeting for everyone. Someone removed cannot decrypt anything sent after that. A host can never turn your microphone or camera on; only you can. You are shown when a host muted you. The server checks each of these requests and logs none of them.',
          'A host can switch the lobby on. Newcomers then wait with their own preview until a host admits or denies them, and until then receive no picture, no sound and no keys. The name you give while waiting is encrypted in your browser with a key from the link; the server passes it to the hosts without being able to read it, and forgets it once you leave the lobby.',
          'A host can make a new link, for instance when the old one reached the wrong people. Everyone in the meeting stays in it and receives the new link end-to-end encrypted. With the old link nobody gets in any more and nobody can decrypt anything. For this the server receives only a check value from which the link cannot be computed, and only for as long as the meeting exists.',
        ],
      },
      {
        heading: 'How media travels',
        paragraphs: [
          'Audio and video go only through this server, never directly between participants. No participant learns another participant’s IP address.',
          'If your network does not allow a direct connection to the server, media goes through the operator’s own relay server (TURN), which keeps no logs either. Its access credentials are temporary and contain no information about you. No other STUN or TURN servers are used.',
        ],
      },
      {
        heading: 'Storage in your browser',
        paragraphs: [
          'Raum sets no cookies. The name you give is stored only in your browser’s local storage on your device, to suggest it next time; you can delete it in your browser’s settings. So that Raum can be installed and starts quickly, your browser keeps Raum’s program files in its cache; they contain no personal data.',
        ],
      },
      {
        heading: 'No third parties',
        paragraphs: [
          'Raum uses no analytics or tracking services and loads no fonts, scripts or images from other servers. All files come from this server. No data is passed on to third parties.',
        ],
      },
      {
        heading: 'Retention',
        paragraphs: ['Raum keeps no personal data beyond the duration of a meeting.'],
      },
      {
        heading: 'Your rights',
        paragraphs: [
          'You have the right of access (Art. 15 GDPR), rectification (Art. 16), erasure (Art. 17), restriction of processing (Art. 18), data portability (Art. 20) and to object (Art. 21), and the right to lodge a complaint with a data protection supervisory authority (Art. 77). Because nothing remains stored after a meeting, there is usually no data to disclose. Please contact the controller named above.',
        ],
      },
    ],
  };
}

export function imprint(operator: OperatorConfig, language: Language): LegalPage {
  return language === 'de'
    ? { title: 'Impressum', sections: [{ heading: 'Angaben gemäß § 5 DDG', paragraphs: operatorLines(operator, 'de') }] }
    : { title: 'Imprint', sections: [{ heading: 'Provider', paragraphs: operatorLines(operator, 'en') }] };
}

/** Whether the operator has filled in what the legal pages need. */
export function operatorComplete(operator: OperatorConfig): boolean {
  return Boolean(operator.name && operator.address && operator.email && operator.hostingLocation);
}
