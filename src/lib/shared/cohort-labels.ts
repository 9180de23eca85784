/** German labels of job roles, course and path states for the multiplier and HR views. Browser-safe. */

export const jobRoleLabels: Record<string, string> = {
  fuehrungskraft: 'Führungskräfte',
  sachbearbeitung: 'Sachbearbeitung',
  'it-digitalisierung': 'IT/Digitalisierung',
  multiplikator: 'KI-Multiplikator:innen',
  'personal-datenschutz': 'Personal/Personalrat/Datenschutz',
};

/** Labels of the states of the one status rule (src/lib/server/evidence/course-status.ts). */
export const courseStateLabels: Record<string, string> = {
  'not-started': 'nicht begonnen',
  'in-progress': 'begonnen',
  completed: 'abgeschlossen',
  'refresher-due': 'Auffrischung fällig',
  overdue: 'überfällig',
  expired: 'abgelaufen',
};

/** States of a person's required path, as the matrix filter offers them. */
export const pathStateLabels = {
  completed: 'Pflichtpfad abgeschlossen',
  overdue: 'überfällig',
  'due-soon': 'bald fällig',
  open: 'offen',
  'not-due': 'noch nicht fällig',
} as const;
export type PathStateKey = keyof typeof pathStateLabels;
