/**
 * The query of HR's and the staff council's evidence pages and downloads, validated once: "stand" (as-of day),
 * "erfasst" (recording cut-off), "einheit" (org unit id; whether it may be seen decides `authorize`), "rolle" (job
 * role), "status" (coverage class), "sort" and the list pages. Unknown values are ignored with a German note; a
 * date that cannot be read gives an error message and the figures of today.
 */
import { z } from 'zod';
import { ValidationError } from '../server/errors/domain-errors.ts';
import { coverageClasses } from '../server/hr/coverage.ts';
import { berlinDay, berlinMinute, type EvidenceDates, resolveEvidenceDates } from '../server/hr/evidence-dates.ts';
import { jobRoleName } from '../server/hr/evidence-labels.ts';
import { type ListSort, listSorts } from '../server/hr/get-coverage-overview.ts';
import { jobRoles } from '../shared/content-schema.ts';

export interface EvidenceParams {
  dates: EvidenceDates;
  /** Values for the form fields (what was entered, or the defaults). */
  form: { stand: string; erfasst: string };
  /** A date that could not be read (the figures are then of today). */
  dateError: string | null;
  orgUnitId: string | null;
  jobRole: string | null;
  status: (typeof coverageClasses)[number] | null;
  sort: ListSort;
  overduePage: number;
  refresherPage: number;
  /** Ignored values, said in German. */
  notes: string[];
}

const text = (max: number) => z.string().max(max).catch('');
const page = z.coerce.number().int().min(1).max(100_000).catch(1);

export function readEvidenceParams(url: URL, now: Date): EvidenceParams {
  const q = (name: string): string => url.searchParams.get(name) ?? '';
  const raw = z
    .object({ stand: text(20), erfasst: text(20), einheit: text(64), rolle: text(40), status: text(20), sort: text(20) })
    .parse({ stand: q('stand'), erfasst: q('erfasst'), einheit: q('einheit'), rolle: q('rolle'), status: q('status'), sort: q('sort') });
  const notes: string[] = [];
  let dates: EvidenceDates;
  let dateError: string | null = null;
  try {
    dates = resolveEvidenceDates({ asOf: raw.stand, recordedBy: raw.erfasst }, now);
  } catch (e) {
    if (!(e instanceof ValidationError)) throw e;
    dateError = e.message;
    dates = resolveEvidenceDates({}, now);
  }
  const jobRole = raw.rolle && (jobRoles as readonly string[]).includes(raw.rolle) ? raw.rolle : null;
  if (raw.rolle && !jobRole) notes.push(`Das Tätigkeitsprofil „${raw.rolle}“ gibt es nicht; es wurde nicht berücksichtigt.`);
  const status = (coverageClasses as readonly string[]).includes(raw.status) ? (raw.status as EvidenceParams['status']) : null;
  if (raw.status && !status) notes.push(`Den Nachweis-Status „${raw.status}“ gibt es nicht; es wurde nicht berücksichtigt.`);
  const sort = (listSorts as readonly string[]).includes(raw.sort) ? (raw.sort as ListSort) : 'datum';
  if (raw.sort && sort !== raw.sort) notes.push(`Die Sortierung „${raw.sort}“ gibt es nicht; sortiert wird nach Datum.`);
  return {
    dates,
    form: {
      stand: dateError ? raw.stand : berlinDay(dates.asOf),
      erfasst: dateError ? raw.erfasst : berlinMinute(dates.recordedBy),
    },
    dateError,
    orgUnitId: raw.einheit.trim() || null,
    jobRole,
    status,
    sort,
    overduePage: page.parse(q('seite_ueberfaellig') || 1),
    refresherPage: page.parse(q('seite_auffrischung') || 1),
    notes,
  };
}

/** The query that reproduces the figures (both dates to the minute, the filters), plus `extra`. */
export function evidenceQuery(p: EvidenceParams, extra: Record<string, string | null | undefined> = {}): string {
  const values: Record<string, string | null | undefined> = {
    stand: berlinMinute(p.dates.asOf),
    erfasst: berlinMinute(p.dates.recordedBy),
    einheit: p.orgUnitId,
    rolle: p.jobRole,
    sort: p.sort === 'datum' ? null : p.sort,
    ...extra,
  };
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(values)) if (v) params.set(k, v);
  return params.toString();
}

export { jobRoleName };
