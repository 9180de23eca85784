/**
 * What the platform operator sees of the districts: status, branding, head counts, people active in the last 30
 * days, row counts per table as a storage estimate, and the installation's last backup. Only counts — never a
 * person's name, e-mail, progress or any other learning data (operator pages are tested for that).
 */
import { count, eq, sql } from 'drizzle-orm';
import { tenantTable, userTable } from '../../../../db/schema/index.ts';
import { authorize } from '../authz/authorize.ts';
import type { Ctx } from '../context.ts';
import { NotFoundError } from '../errors/domain-errors.ts';
import { getLastBackup, type LastBackup } from '../operations/backup-record.ts';
import { readTenantSettings } from './tenant-settings.ts';

const DAY_MS = 24 * 60 * 60_000;

export interface DistrictSummary {
  id: string;
  slug: string;
  name: string;
  status: 'active' | 'suspended';
  createdAt: Date;
  brandColor: string;
  logoText: string | null;
  people: number;
  activePeople: number;
  /** People who signed in within the last 30 days. */
  active30: number;
}

export interface DistrictHealth extends DistrictSummary {
  /** Rows per table that carries the district's id (largest first) and their sum: a storage estimate. */
  rows: Array<{ table: string; rows: number }>;
  totalRows: number;
  lastBackup: LastBackup | null;
}

/** All districts with their head counts (one grouped query). */
export async function listDistricts(ctx: Ctx): Promise<DistrictSummary[]> {
  await authorize(ctx, 'platform.operate');
  const since = new Date(ctx.clock().getTime() - 30 * DAY_MS);
  const rows = await ctx.db
    .select({
      id: tenantTable.id,
      slug: tenantTable.slug,
      name: tenantTable.name,
      status: tenantTable.status,
      createdAt: tenantTable.createdAt,
      settings: tenantTable.settings,
      people: count(userTable.id),
      activePeople: sql<number>`coalesce(sum(${userTable.status} = 'active'), 0)`,
      active30: sql<number>`coalesce(sum(${userTable.lastLoginAt} >= ${since.getTime()}), 0)`,
    })
    .from(tenantTable)
    .leftJoin(userTable, eq(userTable.tenantId, tenantTable.id))
    .groupBy(tenantTable.id)
    .orderBy(tenantTable.name);
  return rows.map(({ settings, ...r }) => {
    const s = readTenantSettings(settings);
    return {
      ...r,
      activePeople: Number(r.activePeople),
      active30: Number(r.active30),
      brandColor: s.brandColor,
      logoText: s.logoText ?? null,
    };
  });
}

/** Tables with a tenant_id column (read from the schema, so new tables are counted without a change here). */
async function tenantTables(ctx: Ctx): Promise<string[]> {
  const rows = await ctx.db.all<{ name: string }>(sql`
    SELECT m.name AS name FROM sqlite_master AS m JOIN pragma_table_info(m.name) AS c
     WHERE m.type = 'table' AND c.name = 'tenant_id' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE '\\_%' ESCAPE '\\'
     ORDER BY m.name`);
  return rows.map((r) => r.name).filter((n) => /^[a-z_][a-z0-9_]*$/.test(n));
}

/** One district's health; NotFound for an unknown id. */
export async function getDistrictHealth(ctx: Ctx, tenantId: string): Promise<DistrictHealth> {
  await authorize(ctx, 'platform.operate');
  const all = await listDistricts(ctx);
  const district = all.find((d) => d.id === tenantId);
  if (!district) throw new NotFoundError('Diesen Landkreis gibt es nicht.');
  const tables = await tenantTables(ctx);
  const counts = await ctx.db.all<{ t: string; n: number }>(
    sql.join(
      tables.map((t) => sql`SELECT ${t} AS t, count(*) AS n FROM ${sql.identifier(t)} WHERE tenant_id = ${tenantId}`),
      sql` UNION ALL `,
    ),
  );
  const rows = counts
    .map((c) => ({ table: c.t, rows: Number(c.n) }))
    .filter((c) => c.rows > 0)
    .sort((a, b) => b.rows - a.rows || a.table.localeCompare(b.table));
  return { ...district, rows, totalRows: rows.reduce((s, r) => s + r.rows, 0), lastBackup: await getLastBackup(ctx.db) };
}
