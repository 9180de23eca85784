/** The German texts of the password mails (reset and invitation). */
import { formatDateTime } from '../../shared/format.ts';

export function resetMail(input: { name: string; link: string; expiresAt: Date }): { subject: string; text: string } {
  return {
    subject: 'KIKO: Passwort zurücksetzen',
    text: `Guten Tag ${input.name},

für Ihr KIKO-Konto wurde ein neues Passwort angefordert. Über diesen Link legen Sie es fest:

${input.link}

Der Link gilt bis ${formatDateTime(input.expiresAt)} Uhr und funktioniert nur einmal.
Wenn Sie kein neues Passwort angefordert haben, können Sie diese E-Mail ignorieren; Ihr bisheriges Passwort bleibt gültig.

Diese Nachricht wurde automatisch von KIKO versandt.`,
  };
}

export function invitationMail(input: { name: string; tenantName: string; link: string; expiresAt: Date }): {
  subject: string;
  text: string;
} {
  return {
    subject: `Einladung zu KIKO – ${input.tenantName}`,
    text: `Guten Tag ${input.name},

für Sie wurde ein Konto in KIKO angelegt, der Lernplattform für KI-Kompetenz des ${input.tenantName}.
Über diesen Link legen Sie Ihr Passwort fest:

${input.link}

Der Link gilt bis ${formatDateTime(input.expiresAt)} Uhr und funktioniert nur einmal. Ist er abgelaufen, fordern Sie
auf der Anmeldeseite unter „Passwort vergessen?“ einen neuen an.

Diese Nachricht wurde automatisch von KIKO versandt.`,
  };
}
