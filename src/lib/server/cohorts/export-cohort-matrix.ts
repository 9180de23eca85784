/** CSV export of a cohort's person × course matrix (same rows, filters and order as the page, all pages). */
import { courseStateLabels, jobRoleLabels, pathStateLabels } from '../../shared/cohort-labels.ts';
import { authorize } from '../authz/authorize.ts';
import type { Ctx } from '../context.ts';
import { ForbiddenError } from '../errors/domain-errors.ts';
import { toExcelCsv } from '../exports/excel-csv.ts';
import { getCohortMatrix, type MatrixQuery } from './cohort-matrix.ts';

export async function exportCohortMatrix(ctx: Ctx, cohortId: string, query: MatrixQuery): Promise<{ filename: string; csv: string }> {
  await authorize(ctx, 'cohort.view', { cohortId });
  const m = await getCohortMatrix(ctx, cohortId, query, { all: true });
  if (!m.personViews)
    throw new ForbiddenError(
      'Personenbezogene Auswertungen sind in Ihrem Landkreis nicht freigeschaltet; ein Export ist daher nicht möglich.',
    );
  const header = [
    'Name',
    'E-Mail',
    'Organisationseinheit',
    'Tätigkeitsprofil',
    'Pflichtpfad',
    'Fortschritt Pflichtpfad (%)',
    ...m.courses.flatMap((c) => [`${c.title} – Status`, `${c.title} – Datum`]),
  ];
  const rows = m.rows.map((r) => [
    r.name,
    r.email,
    r.orgUnit,
    jobRoleLabels[r.jobRole] ?? r.jobRole,
    r.pathState ? (pathStateLabels[r.pathState as keyof typeof pathStateLabels] ?? r.pathState) : '',
    r.pathPercent,
    ...r.cells.flatMap((c) => (c.state ? [courseStateLabels[c.state] ?? c.state, c.date] : ['nicht im Lernpfad', null])),
  ]);
  const slug =
    m.cohort.name
      .toLowerCase()
      .replace(/[^a-z0-9äöüß]+/g, '-')
      .replace(/^-|-$/g, '') || 'kohorte';
  return { filename: `kohorte-${slug}.csv`, csv: toExcelCsv(header, rows) };
}
