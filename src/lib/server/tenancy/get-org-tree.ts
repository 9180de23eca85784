/** The org tree of the district for the admin's organisation page: units in tree order with their people counts. */
import { sql } from 'drizzle-orm';
import { orgUnitTable, userTable } from '../../../../db/schema/index.ts';
import { authorize } from '../authz/authorize.ts';
import type { Ctx } from '../context.ts';

export interface OrgTreeUnit {
  id: string;
  parentId: string | null;
  code: string;
  name: string;
  depth: number;
  /** Active people directly in this unit (not in sub-units). */
  people: number;
  /** Open sub-units. */
  children: number;
  closedAt: Date | null;
}

/** Open units the actor may administer in tree order (sub-units below their parent, by code); closed units last. */
export async function getOrgTree(ctx: Ctx): Promise<{ open: OrgTreeUnit[]; closed: OrgTreeUnit[] }> {
  const scope = await authorize(ctx, 'tenant.admin');
  const tenantId = scope.tenantId as string;
  // one query: units with their active people counted by the users_tenant_org_members_idx index
  const rows = await ctx.db.all<{
    id: string;
    parent_id: string | null;
    code: string;
    name: string;
    closed_at: number | null;
    people: number;
  }>(sql`
    SELECT o.id, o.parent_id, o.code, o.name, o.closed_at,
           (SELECT count(*) FROM ${userTable} u WHERE u.tenant_id = o.tenant_id AND u.org_unit_id = o.id AND u.status = 'active') AS people
      FROM ${orgUnitTable} o WHERE o.tenant_id = ${tenantId}`);
  const visible = scope.orgUnitIds ? rows.filter((r) => scope.orgUnitIds?.has(r.id)) : rows;
  const ids = new Set(visible.map((u) => u.id));
  const open = visible.filter((u) => u.closed_at === null);
  const children = new Map<string | null, typeof open>();
  for (const u of open) {
    const parent = u.parent_id !== null && ids.has(u.parent_id) ? u.parent_id : null;
    children.set(parent, [...(children.get(parent) ?? []), u]);
  }
  const out: OrgTreeUnit[] = [];
  const walk = (parent: string | null, depth: number): void => {
    for (const u of (children.get(parent) ?? []).sort((a, b) => a.code.localeCompare(b.code, 'de'))) {
      out.push(toUnit(u, depth, children.get(u.id)?.length ?? 0));
      walk(u.id, depth + 1);
    }
  };
  walk(null, 0);
  const closed = visible
    .filter((u) => u.closed_at !== null)
    .sort((a, b) => a.code.localeCompare(b.code, 'de'))
    .map((u) => toUnit(u, 0, 0));
  return { open: out, closed };
}

function toUnit(
  u: { id: string; parent_id: string | null; code: string; name: string; closed_at: number | null; people: number },
  depth: number,
  children: number,
): OrgTreeUnit {
  return {
    id: u.id,
    parentId: u.parent_id,
    code: u.code,
    name: u.name,
    depth,
    people: Number(u.people),
    children,
    closedAt: u.closed_at === null ? null : new Date(u.closed_at),
  };
}
