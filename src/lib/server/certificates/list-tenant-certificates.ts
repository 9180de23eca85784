/**
 * HR/admin view of the district's certificates (`certificate.manage`): a searchable, paged list and one
 * certificate with its replacement chain. Strictly within the actor's scope (authz/authorize.ts): their own
 * district, and for a grant limited to an org unit only the people of that subtree. Everything else is "not
 * found"; the platform operator and learners are forbidden.
 */
import { and, count, desc, eq, inArray, like, or, type SQL } from 'drizzle-orm';
import { certificateTable, userTable } from '../../../../db/schema/index.ts';
import { authorize, inScope, type Scope } from '../authz/authorize.ts';
import type { Ctx } from '../context.ts';
import { NotFoundError } from '../errors/domain-errors.ts';
import { formatCertificateId, normalizeCertificateId } from './certificate-payload.ts';
import { type CertificateStatus, certificateStatus, storedPayload } from './certificate-records.ts';
import { certificateHeading } from './certificate-texts.ts';

/** One certificate in HR's list. */
export interface TenantCertificate {
  id: string;
  displayId: string;
  holderName: string;
  holderEmail: string;
  kind: 'course' | 'path';
  heading: string;
  title: string;
  issuedAt: Date;
  expiresAt: Date | null;
  revokedAt: Date | null;
  revokedReason: string | null;
  replacesId: string | null;
  status: CertificateStatus;
}

/** One page of the list. */
export interface TenantCertificatePage {
  items: TenantCertificate[];
  total: number;
  page: number;
  pageSize: number;
}

const PAGE_SIZE = 50;

/** The one answer for a certificate outside the actor's scope, unknown, or of another district: no hint which. */
export const NOT_IN_DISTRICT = 'Dieses Zertifikat gibt es in Ihrem Landkreis nicht.';

/** Query conditions that keep a certificate query inside the scope: the district, and the holder's org subtree. */
export function certificateScopeFilter(scope: Scope): SQL[] {
  const filters: SQL[] = [eq(certificateTable.tenantId, scope.tenantId as string)];
  // a subtree-limited grant: only holders whose org unit lies in it (people without an org unit are outside)
  if (scope.orgUnitIds) filters.push(inArray(userTable.orgUnitId, [...scope.orgUnitIds]));
  return filters;
}

function toItem(row: typeof certificateTable.$inferSelect, user: { name: string; email: string }, now: Date): TenantCertificate {
  return {
    id: row.id,
    displayId: formatCertificateId(row.id),
    holderName: user.name,
    holderEmail: user.email,
    kind: row.kind,
    heading: certificateHeading(row.kind),
    title: storedPayload(row)?.achievement.title ?? row.achievementId,
    issuedAt: row.issuedAt,
    expiresAt: row.expiresAt,
    revokedAt: row.revokedAt,
    revokedReason: row.revokedReason,
    replacesId: row.replacesId,
    status: certificateStatus(row, now),
  };
}

/** Returns one page (1-based) of the tenant's certificates, newest first; `query` matches name, e-mail or id. */
export async function listTenantCertificates(
  ctx: Ctx,
  { query = '', page = 1 }: { query?: string; page?: number } = {},
): Promise<TenantCertificatePage> {
  const scope = await authorize(ctx, 'certificate.manage');
  const { db } = ctx;
  const now = ctx.clock();
  const q = query.trim().slice(0, 100);
  const filters = certificateScopeFilter(scope);
  if (q) {
    const pattern = `%${q}%`; // % and _ typed by HR act as wildcards, which is harmless here
    const id = normalizeCertificateId(q);
    const match = or(
      like(userTable.name, pattern),
      like(userTable.email, pattern.toLowerCase()),
      ...(id ? [eq(certificateTable.id, id)] : []),
    );
    if (match) filters.push(match);
  }
  const where = and(...filters);
  const current = Math.max(1, Math.floor(page));
  const [rows, totals] = await Promise.all([
    db
      .select({ row: certificateTable, name: userTable.name, email: userTable.email })
      .from(certificateTable)
      .innerJoin(userTable, eq(userTable.id, certificateTable.userId))
      .where(where)
      .orderBy(desc(certificateTable.issuedAt), certificateTable.id)
      .limit(PAGE_SIZE)
      .offset((current - 1) * PAGE_SIZE),
    db.select({ n: count() }).from(certificateTable).innerJoin(userTable, eq(userTable.id, certificateTable.userId)).where(where),
  ]);
  return { items: rows.map((r) => toItem(r.row, r, now)), total: totals[0]?.n ?? 0, page: current, pageSize: PAGE_SIZE };
}

/** One certificate of the tenant with the ids of the certificates it replaces and that replace it. */
export async function getTenantCertificate(
  ctx: Ctx,
  id: string,
): Promise<TenantCertificate & { replacedBy: string | null; courses: Array<{ title: string; minutes: number; version: string }> }> {
  const scope = await authorize(ctx, 'certificate.manage');
  const { db } = ctx;
  const now = ctx.clock();
  const tenantId = scope.tenantId as string;
  const rows = await db
    .select({ row: certificateTable, name: userTable.name, email: userTable.email, orgUnitId: userTable.orgUnitId })
    .from(certificateTable)
    .innerJoin(userTable, eq(userTable.id, certificateTable.userId))
    .where(and(eq(certificateTable.id, normalizeCertificateId(id) ?? ''), eq(certificateTable.tenantId, tenantId)))
    .limit(1);
  const found = rows[0];
  if (!found || !inScope(scope, found.orgUnitId)) throw new NotFoundError(NOT_IN_DISTRICT);
  const successor = await db
    .select({ id: certificateTable.id })
    .from(certificateTable)
    .where(and(eq(certificateTable.tenantId, tenantId), eq(certificateTable.replacesId, found.row.id)))
    .limit(1);
  const courses =
    storedPayload(found.row)?.achievement.courses.map((c) => ({ title: c.title, minutes: c.minutes, version: c.version })) ?? [];
  return { ...toItem(found.row, found, now), replacedBy: successor[0]?.id ?? null, courses };
}
