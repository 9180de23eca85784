/** Org units of one tenant in tree order with their depth (for selects and dashboards). */
import { eq } from 'drizzle-orm';
import { orgUnitTable } from '../../../../db/schema/index.ts';
import { authorize } from '../authz/authorize.ts';
import type { Ctx } from '../context.ts';

export interface OrgUnitOption {
  id: string;
  code: string;
  name: string;
  depth: number;
}

/** Open org units the actor may administer (the district, or the subtree of a scoped grant), in tree order. */
export async function listOrgUnits(ctx: Ctx): Promise<OrgUnitOption[]> {
  const scope = await authorize(ctx, 'tenant.admin');
  const all = await ctx.db
    .select()
    .from(orgUnitTable)
    .where(eq(orgUnitTable.tenantId, scope.tenantId as string));
  // closed units keep their id for the record but take no people or assignments any more
  const open = all.filter((u) => u.closedAt === null);
  const units = scope.orgUnitIds ? open.filter((u) => scope.orgUnitIds?.has(u.id)) : open;
  const ids = new Set(units.map((u) => u.id));
  const children = new Map<string | null, typeof units>();
  for (const u of units) children.set(u.parentId, [...(children.get(u.parentId) ?? []), u]);
  const out: OrgUnitOption[] = [];
  const walk = (parent: string | null, depth: number): void => {
    for (const u of (children.get(parent) ?? []).sort((a, b) => a.code.localeCompare(b.code, 'de'))) {
      out.push({ id: u.id, code: u.code, name: u.name, depth });
      walk(u.id, depth + 1);
    }
  };
  // roots of a scoped subtree have a parent outside it
  for (const u of units) if (u.parentId !== null && !ids.has(u.parentId)) children.set(null, [...(children.get(null) ?? []), u]);
  walk(null, 0);
  return out;
}
