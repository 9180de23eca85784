/**
 * HR/admin reissues a certificate (`certificate.manage`), e.g. after a change of name or a key rotation: a new
 * certificate with a new id certifies the same achievement and validity with the holder's and district's current
 * names, signed by the active key, with `replacesId` set; the old one is revoked with the reason "ersetzt".
 * Both, with their audit events, commit in one transaction.
 */
import { and, eq } from 'drizzle-orm';
import { certificateTable, tenantTable, userTable } from '../../../../db/schema/index.ts';
import { authorize, inScope } from '../authz/authorize.ts';
import { type Ctx, actorId as idOf } from '../context.ts';
import { ConflictError, NotFoundError } from '../errors/domain-errors.ts';
import type { CertificateConfig } from './certificate-config.ts';
import { normalizeCertificateId } from './certificate-payload.ts';
import { storedPayload } from './certificate-records.ts';
import { issueCertificate } from './issue-certificate.ts';
import { NOT_IN_DISTRICT } from './list-tenant-certificates.ts';
import { markRevoked } from './revoke-certificate.ts';
import { requireTenantKeyRing } from './tenant-key-ring.ts';

/** Revocation reason of a replaced certificate (the verification page shows "ersetzt"). */
export const REPLACED_REASON = 'ersetzt';

/**
 * Returns the id of the new certificate. NotFound for unknown ids and for certificates of other districts or outside
 * the actor's org subtree; Conflict if already replaced or already revoked (only a valid certificate is reissued, see
 * README.md "Reissue and revocation").
 */
export async function reissueCertificate(
  ctx: Ctx,
  input: { certificateId: string },
  config: Pick<CertificateConfig, 'keyDir'>,
): Promise<{ id: string; replacesId: string }> {
  const scope = await authorize(ctx, 'certificate.manage');
  const tenantId = scope.tenantId as string;
  const actorId = idOf(ctx.actor);
  const now = ctx.clock();
  const oldId = normalizeCertificateId(input.certificateId) ?? '';
  return ctx.db.transaction(async (tx) => {
    const [found] = await tx
      .select({ row: certificateTable, tenant: tenantTable, holderName: userTable.name, holderUnit: userTable.orgUnitId })
      .from(certificateTable)
      .innerJoin(tenantTable, eq(tenantTable.id, certificateTable.tenantId))
      .innerJoin(userTable, eq(userTable.id, certificateTable.userId))
      .where(and(eq(certificateTable.id, oldId), eq(certificateTable.tenantId, tenantId)));
    if (!found || !inScope(scope, found.holderUnit)) throw new NotFoundError(NOT_IN_DISTRICT);
    const [successor] = await tx
      .select({ id: certificateTable.id })
      .from(certificateTable)
      .where(and(eq(certificateTable.tenantId, tenantId), eq(certificateTable.replacesId, oldId)));
    if (successor) throw new ConflictError(`Dieses Zertifikat wurde bereits durch ${successor.id} ersetzt.`);
    // a revoked certificate was withdrawn on purpose (e.g. deception): a new one would undo the revocation
    if (found.row.revokedAt)
      throw new ConflictError(
        'Ein widerrufenes Zertifikat kann nicht neu ausgestellt werden. Für eine Namensänderung oder einen Fehler stellen Sie das noch gültige Zertifikat neu aus.',
      );
    const old = storedPayload(found.row);
    if (!old) throw new ConflictError('Die gespeicherten Daten dieses Zertifikats sind beschädigt; es kann nicht neu ausgestellt werden.');
    const ring = requireTenantKeyRing(config.keyDir, found.tenant.slug);
    const issued = await issueCertificate(
      tx,
      {
        tenant: { id: tenantId, slug: found.tenant.slug, name: found.tenant.name },
        holder: { userId: found.row.userId, name: found.holderName },
        kind: found.row.kind,
        achievement: old.achievement,
        issuedAt: now,
        expiresAt: old.expiresAt ? new Date(old.expiresAt) : null,
        replacesId: oldId,
        actorId,
        now,
      },
      ring,
    );
    if (!issued.created) throw new ConflictError('Bitte versuchen Sie es in einer Sekunde noch einmal.');
    await markRevoked(tx, { tenantId, actorId, id: oldId, reason: REPLACED_REASON, now });
    return { id: issued.id, replacesId: oldId };
  });
}
