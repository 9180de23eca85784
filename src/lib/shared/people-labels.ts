/** German names of job roles (Tätigkeitsprofile) and KIKO roles, shared by the admin pages and the staff import. */
export const jobRoleLabels: Record<string, string> = {
  fuehrungskraft: 'Führungskraft',
  sachbearbeitung: 'Sachbearbeitung',
  'it-digitalisierung': 'IT/Digitalisierung',
  multiplikator: 'KI-Multiplikator:in',
  'personal-datenschutz': 'Personal/Personalrat/Datenschutz',
};

/** Roles an admin can grant in a district (operators belong to no district). */
export const grantableRoles = ['learner', 'multiplier', 'hr', 'admin', 'staff-council'] as const;
export type GrantableRole = (typeof grantableRoles)[number];

/** Roles whose grant can be limited to an org unit and its sub-units. */
export const subtreeScopedRoles: readonly GrantableRole[] = ['hr', 'admin', 'staff-council'];

export const roleLabels: Record<string, string> = {
  learner: 'Lernende',
  multiplier: 'KI-Multiplikator:in',
  hr: 'Personal',
  admin: 'Administration',
  'staff-council': 'Personalrat',
  operator: 'Betrieb',
};
