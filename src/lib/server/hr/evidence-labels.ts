/** German names of the states and categories in HR's views and exports (pages, files and the CLI use the same). */
import type { CompletionWay } from '../../../../db/schema/index.ts';
import type { CourseState, PathStatus } from '../evidence/course-status.ts';

export const jobRoleLabel: Record<string, string> = {
  alle: 'alle übrigen',
  fuehrungskraft: 'Führungskräfte',
  sachbearbeitung: 'Sachbearbeitung',
  'it-digitalisierung': 'IT/Digitalisierung',
  multiplikator: 'KI-Multiplikator:innen',
  'personal-datenschutz': 'Personal/Personalrat/Datenschutz',
};

export const courseStateLabel: Record<CourseState, string> = {
  'not-started': 'nicht begonnen',
  'in-progress': 'begonnen',
  completed: 'abgeschlossen',
  'refresher-due': 'abgeschlossen, Auffrischung fällig',
  overdue: 'überfällig',
  expired: 'abgelaufen',
};

export const pathStateLabel: Record<PathStatus['state'], string> = {
  completed: 'abgeschlossen',
  overdue: 'überfällig',
  'due-soon': 'bald fällig',
  open: 'offen',
  'not-due': 'noch nicht fällig',
};

export const completionWayLabel: Record<CompletionWay, string> = {
  online: 'online',
  'in-person': 'Präsenz',
  recognised: 'anerkannt',
};

export const formatLabel = {
  'csv-excel': 'CSV für Excel',
  csv: 'CSV (RFC 4180)',
  xlsx: 'Excel-Arbeitsmappe (XLSX)',
  json: 'JSON',
  pdf: 'Bericht (PDF)',
} as const;

export function jobRoleName(jobRole: string): string {
  return jobRoleLabel[jobRole] ?? jobRole;
}

/** What an audit log entry records, in German (unknown kinds are shown by their technical name). */
export const auditTypeLabel: Record<string, string> = {
  'audit.exported': 'Protokoll heruntergeladen',
  'audit.erased': 'Personenbezogene Angaben gelöscht',
  'certificate.issued': 'Zertifikat ausgestellt',
  'certificate.key-rotated': 'Signaturschlüssel gewechselt',
  'certificate.revoked': 'Zertifikat widerrufen',
  'course.completed': 'Kurs abgeschlossen',
  'evidence.exported': 'Nachweis heruntergeladen',
  'evidence.viewed': 'Nachweis mit Personenlisten angesehen',
  'lesson.completed': 'Lektion abgeschlossen',
  'lesson.started': 'Lektion begonnen',
  'membership.changed': 'Zugehörigkeit geändert',
  'path.assigned': 'Lernpfad zugewiesen',
  'path.unassigned': 'Lernpfad-Zuweisung beendet',
  'person.erased': 'Person gelöscht (pseudonymisiert)',
  'quiz.response': 'Quizantwort gegeben',
  'quiz.started': 'Quiz begonnen',
  'quiz.submitted': 'Quiz abgegeben',
  'record.started': 'Aufzeichnung begonnen',
  'roles.changed': 'Rollen geändert',
  'user.created': 'Konto angelegt',
  'user.login': 'Anmeldung',
  'user.login-unlocked': 'Anmeldesperre aufgehoben',
  'user.membership-changed': 'Zugehörigkeit geändert',
};

export function auditTypeName(type: string): string {
  return auditTypeLabel[type] ?? type;
}

/** States of an export job, as HR reads them. */
export const exportJobStateLabel = {
  queued: 'wartet',
  running: 'läuft',
  done: 'fertig',
  failed: 'fehlgeschlagen',
} as const;

/** A file size in German: "812 Byte", "4,2 KB", "17,3 MB". */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} Byte`;
  const units = ['KB', 'MB', 'GB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toLocaleString('de-DE', { maximumFractionDigits: 1 })} ${units[i]}`;
}
