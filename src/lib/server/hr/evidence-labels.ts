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
} as const;

export function jobRoleName(jobRole: string): string {
  return jobRoleLabel[jobRole] ?? jobRole;
}
