/**
 * Key rotation of a district (`kiko certificates rotate-key`, `certificate.manage`): a new signing key becomes active,
 * the older ones stay for verification only (key-ring.ts). The rotation is written to the district's audit chain as
 * "certificate.key-rotated" with the key ids and the actor, so an auditor can tell which key signed from when and on
 * whose command.
 */
import { eq } from 'drizzle-orm';
import { tenantTable } from '../../../../db/schema/index.ts';
import { appendAuditEvent } from '../audit/append-audit-event.ts';
import { authorize } from '../authz/authorize.ts';
import { actorId, type Ctx } from '../context.ts';
import { NotFoundError } from '../errors/domain-errors.ts';
import type { CertificateConfig } from './certificate-config.ts';
import { type KeyRing, rotateKey } from './signing-keys.ts';
import { requireTenantKeyRing, tenantKeyDir } from './tenant-key-ring.ts';

/** What a rotation did. */
export interface KeyRotation {
  tenantSlug: string;
  /** The key that signs from now on. */
  activeKeyId: string;
  /** The keys that signed until now (kept for verification). */
  retiredKeyIds: string[];
  ring: KeyRing;
}

/** Rotates the signing key of the actor's district and records it in the audit log. */
export async function rotateTenantKey(ctx: Ctx, config: Pick<CertificateConfig, 'keyDir'>): Promise<KeyRotation> {
  const scope = await authorize(ctx, 'certificate.manage');
  const now = ctx.clock();
  const [tenant] = await ctx.db
    .select({ id: tenantTable.id, slug: tenantTable.slug })
    .from(tenantTable)
    .where(eq(tenantTable.id, scope.tenantId as string));
  if (!tenant) throw new NotFoundError('Diesen Landkreis gibt es nicht.');
  const before = requireTenantKeyRing(config.keyDir, tenant.slug);
  const retiredKeyIds = before.keys.filter((k) => k.privateKey !== null).map((k) => k.id);
  // the key files change inside the audit transaction: should writing the files fail, no entry claims a rotation
  const ring = await ctx.db.transaction(async (tx) => {
    const rotated = rotateKey(tenantKeyDir(config.keyDir, tenant.slug), now);
    await appendAuditEvent(tx, {
      tenantId: tenant.id,
      actorId: actorId(ctx.actor),
      type: 'certificate.key-rotated',
      data: { keyId: rotated.active.id, retiredKeyIds, keyIds: rotated.keys.map((k) => k.id) },
      at: now,
    });
    return rotated;
  });
  return { tenantSlug: tenant.slug, activeKeyId: ring.active.id, retiredKeyIds, ring };
}
