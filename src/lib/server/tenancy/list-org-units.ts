/** Org units of one tenant in tree order with their depth (for selects and dashboards). */
import { eq } from 'drizzle-orm';
import type { Db } from '../../../../db/client.ts';
import { orgUnitTable } from '../../../../db/schema/index.ts';

export interface OrgUnitOption {
  id: string;
  code: string;
  name: string;
  depth: number;
}

export async function listOrgUnits(db: Db, tenantId: string): Promise<OrgUnitOption[]> {
  const units = await db.select().from(orgUnitTable).where(eq(orgUnitTable.tenantId, tenantId));
  const children = new Map<string | null, typeof units>();
  for (const u of units) children.set(u.parentId, [...(children.get(u.parentId) ?? []), u]);
  const out: OrgUnitOption[] = [];
  const walk = (parent: string | null, depth: number): void => {
    for (const u of (children.get(parent) ?? []).sort((a, b) => a.code.localeCompare(b.code, 'de'))) {
      out.push({ id: u.id, code: u.code, name: u.name, depth });
      walk(u.id, depth + 1);
    }
  };
  walk(null, 0);
  return out;
}
