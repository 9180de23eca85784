/**
 * German wording and formatting of the certificate. Kept in one place (like src/i18n/) so that
 * the lead can move it there once the i18n module exists.
 */
import type { CertificatePayload } from './certificate-payload.ts';

/** Fixed texts of the certificate (German). */
export const CERTIFICATE_TEXTS = {
  headingCourse: 'Teilnahmebescheinigung',
  headingPath: 'Zertifikat KI-Kompetenz',
  legalNote: 'Nachweis von Maßnahmen zur KI-Kompetenz nach Art. 4 Verordnung (EU) 2024/1689 (KI-Verordnung)',
  intro: 'Hiermit wird bestätigt, dass',
  contents: 'Inhalte',
  topics: 'Themen nach Art. 4 KI-VO',
  certificateNumber: 'Zertifikat-Nr.',
  verify: 'Echtheit prüfen',
  noExpiry: 'Gültigkeit: unbefristet',
  signatoryFor: 'für',
  keywords: ['KI-Kompetenz', 'Art. 4 KI-VO', 'Verordnung (EU) 2024/1689', 'Fortbildung'],
} as const;

/** Returns the heading for the certificate kind. */
export function certificateHeading(kind: CertificatePayload['kind']): string {
  return kind === 'path' ? CERTIFICATE_TEXTS.headingPath : CERTIFICATE_TEXTS.headingCourse;
}

/** Created once: building an Intl.DateTimeFormat costs more than formatting with it. */
const GERMAN_DATE = new Intl.DateTimeFormat('de-DE', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'Europe/Berlin' });

/** Formats an ISO timestamp as a German date in Berlin time, e.g. "1. März 2026". */
export function formatGermanDate(iso: string): string {
  return GERMAN_DATE.format(new Date(iso));
}

/** Formats a duration, e.g. "45 Minuten", "2 Stunden", "3 Std. 15 Min.". */
export function formatMinutes(minutes: number): string {
  if (minutes < 60) return `${minutes} ${minutes === 1 ? 'Minute' : 'Minuten'}`;
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  if (m === 0) return `${h} ${h === 1 ? 'Stunde' : 'Stunden'}`;
  return `${h} Std. ${m} Min.`;
}

/** The sentence after the holder name, e.g. "die Fortbildung „…“ (45 Minuten) erfolgreich abgeschlossen hat." */
export function achievementSentence(payload: CertificatePayload): string {
  const { title, minutes, courses } = payload.achievement;
  if (payload.kind === 'course') return `die Fortbildung „${title}“ (${formatMinutes(minutes)}) erfolgreich abgeschlossen hat.`;
  const n = courses.length;
  return `den Lernpfad „${title}“ mit ${n} ${n === 1 ? 'Kurs' : 'Kursen'} (${formatMinutes(minutes)}) erfolgreich abgeschlossen hat.`;
}

/** Validity line: "Ausgestellt am …" and "Gültig bis … – danach Auffrischung" or "unbefristet". */
export function validityLines(payload: CertificatePayload): [string, string] {
  const issued = `Ausgestellt am ${formatGermanDate(payload.issuedAt)}`;
  if (!payload.expiresAt) return [issued, CERTIFICATE_TEXTS.noExpiry];
  return [issued, `Gültig bis ${formatGermanDate(payload.expiresAt)} – danach Auffrischung`];
}

/** One-line description of what was learned, for PDF metadata and the Open Badge. */
export function achievementDescription(payload: CertificatePayload): string {
  const topics = payload.achievement.topics.length ? ` Themen: ${payload.achievement.topics.join(', ')}.` : '';
  return `${certificateHeading(payload.kind)}: ${payload.achievement.title} (${formatMinutes(payload.achievement.minutes)}). ${CERTIFICATE_TEXTS.legalNote}.${topics}`;
}
