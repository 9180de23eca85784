/**
 * The dry run of a staff import: which people are new, changed, unchanged or (with "deactivate missing") to be
 * deactivated, and every row's problem with its line number and a German reason. Pure over what it is given — the
 * parsed file, the district's people and units (loaded once, no query per row), the mapping and the actor's scope —
 * so the apply step can compute the same plan inside its transaction.
 */
import { z } from 'zod';
import { inScope, type Scope } from '../../authz/authorize.ts';
import type { ParsedStaffFile } from './parse-staff-file.ts';
import {
  type ColumnTarget,
  isFormulaLike,
  knownHeader,
  knownJobRole,
  normalizeKey,
  type StaffField,
  staffFieldLabels,
} from './staff-fields.ts';

export interface ExistingPerson {
  id: string;
  tenantId: string | null;
  email: string;
  name: string;
  externalId: string | null;
  orgUnitId: string | null;
  jobRole: string;
  status: 'active' | 'disabled';
}
export interface KnownUnit {
  id: string;
  code: string;
  name: string;
  closed: boolean;
}
export interface ImportMapping {
  /** Normalised header → field. */
  columns: Record<string, ColumnTarget>;
  /** Normalised job-role value → KIKO job role. */
  jobRoles: Record<string, string>;
}

export interface PlannedPerson {
  line: number;
  userId: string | null;
  email: string;
  name: string;
  externalId: string | null;
  orgUnitId: string | null;
  jobRole: string;
  /** Changed fields of an existing person (German labels). */
  changes: string[];
  /** The person was deactivated and is in the file again. */
  reactivate: boolean;
}
export interface RowError {
  line: number;
  message: string;
}
export interface ImportPlan {
  encoding: string;
  delimiter: string;
  rowCount: number;
  /** Column → field as used (recognised, mapped, or unknown = null). */
  columns: Array<{ header: string; field: ColumnTarget | null; how: 'recognised' | 'mapped' | 'unknown' }>;
  /** Required fields the file lacks (nothing can be imported then). */
  missing: string[];
  /** Job-role values that neither KIKO nor the district's mapping knows, with how often they occur. */
  unknownJobRoles: Array<{ value: string; count: number }>;
  created: PlannedPerson[];
  changed: PlannedPerson[];
  unchanged: number;
  deactivate: Array<{ userId: string; name: string; email: string; orgUnitId: string | null; jobRole: string }>;
  errors: RowError[];
}

const emailSchema = z.email();
const DEFAULT_JOB_ROLE = 'sachbearbeitung';

export function planImport(input: {
  file: ParsedStaffFile;
  tenantId: string;
  scope: Scope;
  people: readonly ExistingPerson[];
  units: readonly KnownUnit[];
  mapping: ImportMapping;
  deactivateMissing: boolean;
  /** The acting admin (never deactivated by their own import). */
  actorUserId: string | null;
}): ImportPlan {
  const { file, tenantId, scope, mapping } = input;
  const columns = file.headers.map((header) => {
    const key = normalizeKey(header);
    const mapped = mapping.columns[key];
    if (mapped) return { header, field: mapped, how: 'mapped' as const };
    const known = knownHeader(header);
    return known ? { header, field: known as ColumnTarget, how: 'recognised' as const } : { header, field: null, how: 'unknown' as const };
  });
  const indexOf = new Map<StaffField, number>();
  columns.forEach((c, i) => {
    if (c.field && c.field !== 'ignore' && !indexOf.has(c.field)) indexOf.set(c.field, i);
  });
  const missing: string[] = [];
  if (!indexOf.has('email')) missing.push(staffFieldLabels.email);
  if (!indexOf.has('lastName') && !indexOf.has('firstName')) missing.push('Name (Vorname/Nachname)');
  const plan: ImportPlan = {
    encoding: file.encoding,
    delimiter: file.delimiter,
    rowCount: file.rows.length,
    columns,
    missing,
    unknownJobRoles: [],
    created: [],
    changed: [],
    unchanged: 0,
    deactivate: [],
    errors: [],
  };
  if (missing.length > 0) return plan;

  const byEmail = new Map(input.people.map((p) => [p.email, p]));
  const byExternal = new Map(input.people.filter((p) => p.tenantId === tenantId && p.externalId).map((p) => [p.externalId as string, p]));
  const unitByKey = new Map<string, KnownUnit>();
  for (const u of input.units) {
    if (!unitByKey.has(normalizeKey(u.name))) unitByKey.set(normalizeKey(u.name), u);
  }
  for (const u of input.units) unitByKey.set(normalizeKey(u.code), u);
  // a file names a few dozen units and job roles in 50,000 rows: each value is looked up once
  const unitOf = new Map<string, KnownUnit | null>();
  const jobRoleOf = new Map<string, string | null>();
  const unknownRoles = new Map<string, { value: string; count: number }>();
  const seenEmail = new Map<string, number>();
  const seenExternal = new Map<string, number>();
  const matched = new Set<string>();
  const cell = (cells: string[], f: StaffField): string => {
    const i = indexOf.get(f);
    return i === undefined ? '' : (cells[i] ?? '').trim();
  };

  for (const { line, cells } of file.rows) {
    const problems: string[] = [];
    for (const f of indexOf.keys()) {
      const v = cell(cells, f);
      if (v && isFormulaLike(v))
        problems.push(
          `${staffFieldLabels[f]} beginnt mit „${v[0] === '\t' ? 'Tabulator' : v[0]}“ wie eine Tabellen-Formel; bitte den Wert in der Datei korrigieren.`,
        );
    }
    const email = cell(cells, 'email').toLowerCase();
    const name = [cell(cells, 'firstName'), cell(cells, 'lastName')].filter(Boolean).join(' ').replace(/\s+/g, ' ');
    const externalId = cell(cells, 'externalId') || null;
    if (!email) problems.push('E-Mail-Adresse fehlt.');
    else if (!emailSchema.safeParse(email).success) problems.push(`„${email.slice(0, 80)}“ ist keine gültige E-Mail-Adresse.`);
    else if (seenEmail.has(email)) problems.push(`Die E-Mail-Adresse ${email} steht schon in Zeile ${seenEmail.get(email)}.`);
    if (email && !seenEmail.has(email)) seenEmail.set(email, line);
    if (externalId) {
      if (seenExternal.has(externalId))
        problems.push(`Die Personalnummer ${externalId} steht schon in Zeile ${seenExternal.get(externalId)}.`);
      else seenExternal.set(externalId, line);
    }
    if (name.length < 2) problems.push('Name fehlt.');
    if (name.length > 120) problems.push('Der Name ist länger als 120 Zeichen.');

    const unitValue = cell(cells, 'orgUnit');
    let unit: KnownUnit | null = null;
    if (unitValue) {
      unit = unitOf.get(unitValue) ?? null;
      if (!unitOf.has(unitValue)) {
        unit = unitByKey.get(normalizeKey(unitValue)) ?? null;
        unitOf.set(unitValue, unit);
      }
      if (!unit) problems.push(`Die Organisationseinheit „${unitValue.slice(0, 80)}“ gibt es in KIKO nicht (Kürzel oder Name).`);
      else if (unit.closed) problems.push(`Die Organisationseinheit „${unit.name}“ ist geschlossen.`);
      else if (!inScope(scope, unit.id)) problems.push(`Die Organisationseinheit „${unit.name}“ liegt außerhalb Ihres Bereichs.`);
    }
    const roleValue = cell(cells, 'jobRole');
    let jobRole: string | null = null;
    if (roleValue) {
      jobRole = jobRoleOf.get(roleValue) ?? null;
      if (!jobRoleOf.has(roleValue)) {
        jobRole = mapping.jobRoles[normalizeKey(roleValue)] ?? knownJobRole(roleValue);
        jobRoleOf.set(roleValue, jobRole);
      }
      if (!jobRole) {
        const k = normalizeKey(roleValue);
        const seen = unknownRoles.get(k) ?? { value: roleValue, count: 0 };
        seen.count++;
        unknownRoles.set(k, seen);
        problems.push(`Das Tätigkeitsprofil „${roleValue.slice(0, 80)}“ ist nicht zugeordnet.`);
      }
    }

    // the same person: by personnel number where the file has one, else by e-mail
    const byId = externalId ? byExternal.get(externalId) : undefined;
    const byMail = email ? byEmail.get(email) : undefined;
    const existing = byId ?? byMail;
    if (byMail && byMail.tenantId !== tenantId) problems.push(`Die E-Mail-Adresse ${email} ist in KIKO schon vergeben.`);
    else if (byId && byMail && byId.id !== byMail.id)
      problems.push(`Die E-Mail-Adresse ${email} gehört in KIKO zu einer anderen Person als die Personalnummer ${externalId}.`);
    else if (!byId && byMail?.externalId && externalId && byMail.externalId !== externalId)
      problems.push(`Die Person mit ${email} hat in KIKO die Personalnummer ${byMail.externalId}, in der Datei ${externalId}.`);
    if (existing && existing.tenantId === tenantId && !inScope(scope, existing.orgUnitId))
      problems.push('Diese Person gehört zu einer Einheit außerhalb Ihres Bereichs.');
    if (existing?.email.endsWith('@geloescht.invalid')) problems.push('Die Daten dieser Person wurden gelöscht.');
    if (problems.length > 0) {
      for (const message of problems) plan.errors.push({ line, message });
      if (existing) matched.add(existing.id);
      continue;
    }
    if (!existing) {
      if (!unit && scope.orgUnitIds) {
        plan.errors.push({ line, message: 'Bitte eine Organisationseinheit aus Ihrem Bereich angeben.' });
        continue;
      }
      plan.created.push({
        line,
        userId: null,
        email,
        name,
        externalId,
        orgUnitId: unit?.id ?? null,
        jobRole: jobRole ?? DEFAULT_JOB_ROLE,
        changes: [],
        reactivate: false,
      });
      continue;
    }
    matched.add(existing.id);
    const next = {
      email,
      name,
      externalId: externalId ?? existing.externalId,
      orgUnitId: unitValue ? (unit?.id ?? null) : existing.orgUnitId,
      jobRole: jobRole ?? existing.jobRole,
    };
    const changes: string[] = [];
    if (next.name !== existing.name) changes.push('Name');
    if (next.email !== existing.email) changes.push('E-Mail');
    if (next.externalId !== existing.externalId) changes.push('Personalnummer');
    if (next.orgUnitId !== existing.orgUnitId) changes.push('Organisationseinheit');
    if (next.jobRole !== existing.jobRole) changes.push('Tätigkeitsprofil');
    const reactivate = existing.status === 'disabled';
    if (reactivate) changes.push('wieder aktiv');
    if (changes.length === 0) plan.unchanged++;
    else plan.changed.push({ line, userId: existing.id, ...next, changes, reactivate });
  }
  if (input.deactivateMissing)
    for (const p of input.people)
      if (
        p.tenantId === tenantId &&
        p.status === 'active' &&
        !matched.has(p.id) &&
        p.id !== input.actorUserId &&
        inScope(scope, p.orgUnitId) &&
        !p.email.endsWith('@geloescht.invalid')
      )
        plan.deactivate.push({ userId: p.id, name: p.name, email: p.email, orgUnitId: p.orgUnitId, jobRole: p.jobRole });
  plan.unknownJobRoles = [...unknownRoles.values()].sort((a, b) => b.count - a.count);
  plan.errors.sort((a, b) => a.line - b.line);
  return plan;
}

/** Whether applying would change anything. */
export function planChanges(plan: ImportPlan): number {
  return plan.created.length + plan.changed.length + plan.deactivate.length;
}
