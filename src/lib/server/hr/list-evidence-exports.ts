/**
 * Earlier evidence exports of the district (`hr.view`), from the audit log (prepare-evidence-export.ts records each):
 * who exported, when, which format, dates, filters and fingerprint. HR limited to an org subtree sees the exports of
 * units inside it.
 */
import { sql } from 'drizzle-orm';
import { authorize } from '../authz/authorize.ts';
import type { Ctx } from '../context.ts';
import type { CoverageClass } from './coverage.ts';
import { readAuditEntries } from './list-audit-log.ts';
import type { EvidenceFormat } from './prepare-evidence-export.ts';

export interface EarlierExport {
  at: Date;
  by: string;
  format: EvidenceFormat;
  asOf: Date;
  recordedBy: Date;
  orgUnitCode: string | null;
  jobRole: string | null;
  status: CoverageClass | null;
  people: number;
  fingerprint: string;
}

export async function listEvidenceExports(
  ctx: Ctx,
  input: { page?: number; pageSize?: number },
): Promise<{ items: EarlierExport[]; total: number; page: number; pages: number }> {
  const scope = await authorize(ctx, 'hr.view');
  const inScope = scope.orgUnitIds
    ? sql` AND json_extract(e.data, '$.orgUnitId') IN (SELECT value FROM json_each(${JSON.stringify([...scope.orgUnitIds])}))`
    : sql``;
  const page = await readAuditEntries(ctx, scope, sql`e.type = 'evidence.exported'${inScope}`, input.page ?? 1, input.pageSize ?? 20);
  return {
    ...page,
    items: page.items.map((e) => ({
      at: e.at,
      by: e.actor,
      format: e.data.format as EvidenceFormat,
      asOf: new Date(String(e.data.asOf)),
      recordedBy: new Date(String(e.data.recordedBy)),
      orgUnitCode: (e.data.orgUnitCode as string | null) ?? null,
      jobRole: (e.data.jobRole as string | null) ?? null,
      status: (e.data.status as CoverageClass | null) ?? null,
      people: Number(e.data.people ?? 0),
      fingerprint: String(e.data.fingerprint ?? ''),
    })),
  };
}
