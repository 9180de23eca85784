/**
 * The fields a staff file can fill and the column names and job-role values KIKO recognises without a mapping
 * (German and English, as HR systems and directories name them). Everything else is mapped once in the preview and
 * remembered per district (import_mappings).
 */
import { jobRoleLabels } from '../../../shared/people-labels.ts';

export const staffFields = ['email', 'firstName', 'lastName', 'orgUnit', 'jobRole', 'externalId'] as const;
export type StaffField = (typeof staffFields)[number];
/** A column mapped to "ignore" is left out. */
export type ColumnTarget = StaffField | 'ignore';

export const staffFieldLabels: Record<ColumnTarget, string> = {
  email: 'E-Mail',
  firstName: 'Vorname',
  lastName: 'Nachname (oder ganzer Name)',
  orgUnit: 'Organisationseinheit',
  jobRole: 'Tätigkeitsprofil',
  externalId: 'Personalnummer',
  ignore: 'nicht übernehmen',
};

/** Lowercase, umlauts kept, everything but letters and digits removed: "E-Mail-Adresse" → "emailadresse". */
export function normalizeKey(value: string): string {
  return value
    .normalize('NFC')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, '');
}

const knownHeaders: Record<string, StaffField> = Object.fromEntries(
  (
    [
      ['email', ['E-Mail', 'Email', 'E-Mail-Adresse', 'Mail', 'Email address', 'E-Mail Address', 'Dienstliche E-Mail', 'mail']],
      ['firstName', ['Vorname', 'First name', 'Firstname', 'Given name', 'givenName']],
      [
        'lastName',
        ['Nachname', 'Last name', 'Lastname', 'Surname', 'Familienname', 'Name', 'sn', 'Full name', 'Anzeigename', 'displayName'],
      ],
      [
        'orgUnit',
        ['Organisationseinheit', 'Org unit', 'Org-Einheit', 'OE', 'Abteilung', 'Department', 'Amt', 'Dienststelle', 'Organisation'],
      ],
      ['jobRole', ['Funktion', 'Tätigkeitsprofil', 'Taetigkeitsprofil', 'Job role', 'Jobrolle', 'Rolle', 'Role']],
      [
        'externalId',
        ['Personalnummer', 'Personnel number', 'Personal-Nr.', 'Pers.-Nr.', 'PersNr', 'Employee ID', 'employeeNumber', 'Mitarbeiternummer'],
      ],
    ] as Array<[StaffField, string[]]>
  ).flatMap(([field, names]) => names.map((n) => [normalizeKey(n), field])),
);

/** The field a header means without a mapping, or null. */
export function knownHeader(header: string): StaffField | null {
  return knownHeaders[normalizeKey(header)] ?? null;
}

const knownJobRoles: Record<string, string> = Object.fromEntries([
  ...Object.keys(jobRoleLabels).map((id) => [normalizeKey(id), id]),
  ...Object.entries(jobRoleLabels).map(([id, label]) => [normalizeKey(label), id]),
  ...(
    [
      [
        'fuehrungskraft',
        ['Führung', 'Leitung', 'Führungskräfte', 'Amtsleitung', 'Fachbereichsleitung', 'Sachgebietsleitung', 'Manager', 'Leadership'],
      ],
      ['sachbearbeitung', ['Sachbearbeiter', 'Sachbearbeiterin', 'Sachbearbeiter:in', 'Verwaltung', 'Clerk', 'Case worker']],
      ['it-digitalisierung', ['IT', 'Digitalisierung', 'IT und Digitalisierung', 'IT-Administration']],
      ['multiplikator', ['Multiplikator', 'Multiplikatorin', 'KI-Multiplikator', 'Multiplier']],
      ['personal-datenschutz', ['Personal', 'Personalrat', 'Datenschutz', 'HR', 'Personalwesen']],
    ] as Array<[string, string[]]>
  ).flatMap(([id, names]) => names.map((n) => [normalizeKey(n), id])),
]);

/** The KIKO job role a value of the job-role column means without a mapping, or null. */
export function knownJobRole(value: string): string | null {
  return knownJobRoles[normalizeKey(value)] ?? null;
}

/** A cell a spreadsheet would run as a formula (OWASP CSV injection); refused with the row's line number. */
export function isFormulaLike(cell: string): boolean {
  return /^[=+\-@\t\r]/.test(cell);
}
