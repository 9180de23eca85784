/**
 * The admin's people list: search (name, e-mail), filters (org unit with its sub-units, job role, role, active),
 * sorting and pages of 50. Built for districts of 50,000 people: one query for the page (roles and unit joined in,
 * no query per row) and one for the count, both within the actor's scope. Unknown filter values are ignored and
 * reported as a German note, never an error.
 */
import { type SQL, sql } from 'drizzle-orm';
import { orgUnitTable, userRoleTable, userTable } from '../../../../db/schema/index.ts';
import { foldName } from '../../../../db/schema/users.ts';
import { jobRoleLabels, roleLabels } from '../../shared/people-labels.ts';
import { authorize } from '../authz/authorize.ts';
import type { Ctx } from '../context.ts';

export const PEOPLE_PAGE_SIZE = 50;
export const peopleSorts = ['name', 'email', 'unit', 'created', 'login'] as const;
export type PeopleSort = (typeof peopleSorts)[number];

/** Raw query parameters as the page receives them (strings or absent). */
export interface PeopleQuery {
  q?: string | null;
  unit?: string | null;
  jobRole?: string | null;
  role?: string | null;
  status?: string | null;
  sort?: string | null;
  dir?: string | null;
  page?: string | number | null;
}

export interface PersonRow {
  id: string;
  name: string;
  email: string;
  externalId: string | null;
  jobRole: string;
  status: 'active' | 'disabled';
  orgUnit: { id: string; code: string; name: string } | null;
  roles: string[];
  lastLoginAt: Date | null;
}

export interface PeoplePage {
  rows: PersonRow[];
  total: number;
  page: number;
  pages: number;
  /** The filters as applied (unknown values dropped). */
  applied: {
    q: string;
    unit: string | null;
    jobRole: string | null;
    role: string | null;
    status: 'active' | 'disabled' | 'all';
    sort: PeopleSort;
    dir: 'asc' | 'desc';
  };
  /** German notes about ignored filter values. */
  notes: string[];
}

const sortColumn: Record<PeopleSort, SQL> = {
  name: sql`u.name_sort`,
  email: sql`u.email`,
  unit: sql`o.code`,
  created: sql`u.created_at`,
  login: sql`u.last_login_at`,
};

export async function listPeople(ctx: Ctx, query: PeopleQuery = {}): Promise<PeoplePage> {
  const scope = await authorize(ctx, 'tenant.admin');
  const tenantId = scope.tenantId as string;
  const notes: string[] = [];
  const q = String(query.q ?? '')
    .trim()
    .slice(0, 100);
  let unit = query.unit ? String(query.unit) : null;
  if (unit && scope.orgUnitIds && !scope.orgUnitIds.has(unit)) unit = null;
  if (unit) {
    const [known] = await ctx.db.all<{ id: string }>(sql`SELECT id FROM ${orgUnitTable} WHERE id = ${unit} AND tenant_id = ${tenantId}`);
    if (!known) unit = null;
  }
  if (query.unit && !unit) notes.push('Die gewählte Organisationseinheit gibt es nicht; der Filter wurde nicht angewandt.');
  const jobRole = query.jobRole && jobRoleLabels[String(query.jobRole)] ? String(query.jobRole) : null;
  if (query.jobRole && !jobRole)
    notes.push(`Das Tätigkeitsprofil „${String(query.jobRole).slice(0, 40)}“ gibt es nicht; der Filter wurde nicht angewandt.`);
  const role = query.role && roleLabels[String(query.role)] && query.role !== 'operator' ? String(query.role) : null;
  if (query.role && !role) notes.push(`Die Rolle „${String(query.role).slice(0, 40)}“ gibt es nicht; der Filter wurde nicht angewandt.`);
  const status = query.status === 'disabled' || query.status === 'all' ? query.status : 'active';
  if (query.status && !['active', 'disabled', 'all'].includes(String(query.status)))
    notes.push('Unbekannter Status; es werden aktive Personen gezeigt.');
  const sort = (peopleSorts as readonly string[]).includes(String(query.sort)) ? (query.sort as PeopleSort) : 'name';
  if (query.sort && sort !== query.sort) notes.push('Unbekannte Sortierung; sortiert nach Name.');
  const dir = query.dir === 'desc' ? 'desc' : 'asc';

  const where: SQL[] = [sql`u.tenant_id = ${tenantId}`];
  if (scope.orgUnitIds) where.push(sql`u.org_unit_id IN (SELECT value FROM json_each(${JSON.stringify([...scope.orgUnitIds])}))`);
  if (unit)
    where.push(sql`u.org_unit_id IN (
      WITH RECURSIVE sub(id, depth) AS (SELECT ${unit}, 0
        UNION SELECT o2.id, sub.depth + 1 FROM ${orgUnitTable} o2 JOIN sub ON o2.parent_id = sub.id WHERE o2.tenant_id = ${tenantId} AND sub.depth < 32)
      SELECT id FROM sub)`);
  if (jobRole) where.push(sql`u.job_role = ${jobRole}`);
  if (role) where.push(sql`EXISTS (SELECT 1 FROM ${userRoleTable} r WHERE r.user_id = u.id AND r.role = ${role})`);
  if (status !== 'all') where.push(sql`u.status = ${status}`);
  if (q) {
    const like = `%${q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    // "weiss" finds Weiß and "muller" Müller: the folded name as the list sorts it, beside the name as written
    const folded = `%${foldName(q).replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    where.push(
      sql`(u.name_sort LIKE ${folded} ESCAPE '\\' OR lower(u.name) LIKE ${like} ESCAPE '\\' OR u.email LIKE ${like} ESCAPE '\\' OR u.external_id = ${q})`,
    );
  }
  const cond = sql.join(where, sql` AND `);
  // name_sort is computed from the name (a virtual column): read from users_tenant_people_idx, which holds it, rather
  // than computed for each of 50,000 rows (sorted by last login with name_sort as tie-break: 5 instead of 450 ms)
  const people = sql`${userTable} u INDEXED BY users_tenant_people_idx`;
  const [count] = await ctx.db.all<{ n: number }>(sql`SELECT count(*) AS n FROM ${people} WHERE ${cond}`);
  const total = Number(count?.n ?? 0);
  const pages = Math.max(1, Math.ceil(total / PEOPLE_PAGE_SIZE));
  const requested = Number.parseInt(String(query.page ?? '1'), 10);
  const page = Number.isFinite(requested) && requested >= 1 ? Math.min(requested, pages) : 1;
  if (query.page && page !== requested) notes.push(`Seite ${String(query.page).slice(0, 10)} gibt es nicht; gezeigt wird Seite ${page}.`);
  // name and e-mail are never null: without a NULLS clause the name order (name_sort, the name as German lists sort
  // it, then name and id) comes straight from users_tenant_people_idx.
  // The page's ids are chosen first from that index alone; only the 50 rows shown are read with their unit.
  const nullable = sort === 'unit' || sort === 'login';
  const order = sql.join(
    [
      sortColumn[sort],
      sql.raw(`${dir === 'desc' ? 'DESC' : 'ASC'}${nullable ? ' NULLS LAST' : ''}`),
      // by name the ties break the same way round (a descending list is the ascending one reversed, read backwards
      // from the index); other sorts list the people of one value by name
      sql.raw(sort === 'name' ? (dir === 'desc' ? ', u.name DESC, u.id DESC' : ', u.name, u.id') : ', u.name_sort, u.name, u.id'),
    ],
    sql` `,
  );
  const rows = await ctx.db.all<{
    id: string;
    name: string;
    email: string;
    external_id: string | null;
    job_role: string;
    status: 'active' | 'disabled';
    unit_id: string | null;
    unit_code: string | null;
    unit_name: string | null;
    roles: string;
    last_login_at: number | null;
  }>(sql`
    SELECT u.id, u.name, u.email, u.external_id, u.job_role, u.status, u.last_login_at,
           o.id AS unit_id, o.code AS unit_code, o.name AS unit_name,
           (SELECT json_group_array(r.role) FROM ${userRoleTable} r WHERE r.user_id = u.id) AS roles
      FROM (SELECT u.id FROM ${people} ${sort === 'unit' ? sql`LEFT JOIN ${orgUnitTable} o ON o.id = u.org_unit_id` : sql``}
             WHERE ${cond} ORDER BY ${order}
             LIMIT ${PEOPLE_PAGE_SIZE} OFFSET ${(page - 1) * PEOPLE_PAGE_SIZE}) AS p
      JOIN ${userTable} u ON u.id = p.id
      LEFT JOIN ${orgUnitTable} o ON o.id = u.org_unit_id
     ORDER BY ${order}`);
  return {
    rows: rows.map((r) => ({
      id: r.id,
      name: r.name,
      email: r.email,
      externalId: r.external_id,
      jobRole: r.job_role,
      status: r.status,
      orgUnit: r.unit_id ? { id: r.unit_id, code: r.unit_code ?? '', name: r.unit_name ?? '' } : null,
      roles: (JSON.parse(r.roles) as string[]).sort(),
      lastLoginAt: r.last_login_at === null ? null : new Date(Number(r.last_login_at)),
    })),
    total,
    page,
    pages,
    applied: { q, unit, jobRole, role, status, sort, dir },
    notes,
  };
}
