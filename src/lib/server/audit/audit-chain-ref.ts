/**
 * Which chain a command means and which key ring signs it. Tenant chains are named by the tenant's slug (or id);
 * the platform chain (operator events, tenant id null) by "" and is signed with a platform key ring in
 * `<KIKO_KEY_DIR>/_platform/` — an underscore cannot occur in a tenant slug, so it never collides with a district.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { eq, or } from 'drizzle-orm';
import type { Db } from '../../../../db/client.ts';
import { tenantTable } from '../../../../db/schema/index.ts';
import { type KeyRing, loadOrCreateKeyRing } from '../certificates/signing-keys.ts';
import { getTenantKeyRing } from '../certificates/tenant-key-ring.ts';
import { NotFoundError } from '../errors/domain-errors.ts';

/** A resolved chain: its id ("" = platform) and, for tenant chains, the tenant. */
export interface AuditChainRef {
  chain: string;
  tenant: { id: string; slug: string; name: string } | null;
}

/** Directory name of the platform chain's key ring inside KIKO_KEY_DIR. */
export const PLATFORM_KEY_DIR = '_platform';

/** Resolves a tenant slug or id ("" for the platform chain); NotFoundError for an unknown district. */
export async function resolveAuditChain(db: Db, tenantSlugOrChain: string): Promise<AuditChainRef> {
  if (tenantSlugOrChain === '') return { chain: '', tenant: null };
  const rows = await db
    .select({ id: tenantTable.id, slug: tenantTable.slug, name: tenantTable.name })
    .from(tenantTable)
    .where(or(eq(tenantTable.slug, tenantSlugOrChain), eq(tenantTable.id, tenantSlugOrChain)))
    .limit(1);
  const tenant = rows[0];
  if (!tenant) throw new NotFoundError(`Einen Landkreis „${tenantSlugOrChain}“ gibt es nicht.`);
  return { chain: tenant.id, tenant };
}

/**
 * The key ring that signs checkpoints of a chain: the district's certificate key ring, or the platform ring.
 * With `create: false` (verifying) a missing ring gives null — verification never mints keys.
 */
export function auditKeyRing(keyDir: string, ref: AuditChainRef, { create }: { create: boolean }): KeyRing | null {
  if (ref.tenant) return getTenantKeyRing(keyDir, ref.tenant.slug, { create });
  const dir = join(resolve(keyDir), PLATFORM_KEY_DIR);
  if (!create && !existsSync(join(dir, 'keys.json'))) return null;
  return loadOrCreateKeyRing({ dir });
}
