/**
 * HR/admin withdraws a certificate within their scope with a reason (`certificate.manage`). From then on the
 * verification page shows it as revoked and the holder can no longer download it. The revocation and its audit
 * event commit together. A certificate of another district or, for a grant limited to an org unit, of a person
 * outside that subtree is "not found".
 */
import { and, eq, isNull } from 'drizzle-orm';
import { z } from 'zod';
import { certificateTable, userTable } from '../../../../db/schema/index.ts';
import { appendAuditEvent } from '../audit/append-audit-event.ts';
import { authorize, inScope } from '../authz/authorize.ts';
import { actorId, type Ctx } from '../context.ts';
import { ConflictError, NotFoundError, ValidationError } from '../errors/domain-errors.ts';
import { appendFact } from '../evidence/record.ts';
import { normalizeCertificateId } from './certificate-payload.ts';
import type { CertificateWriter } from './issue-certificate.ts';
import { NOT_IN_DISTRICT } from './list-tenant-certificates.ts';

/** Form input of a revocation. */
export const revokeInputSchema = z.object({
  certificateId: z.string().trim().min(1).max(40),
  reason: z
    .string()
    .trim()
    .min(3, 'Bitte geben Sie einen Grund an (mindestens 3 Zeichen).')
    .max(500, 'Der Grund darf höchstens 500 Zeichen lang sein.'),
});

/** Marks the certificate revoked inside the caller's transaction (shared with reissue). Returns false if it already was. */
export async function markRevoked(
  tx: CertificateWriter,
  input: { tenantId: string; actorId: string; id: string; reason: string; now: Date },
): Promise<boolean> {
  const updated = await tx
    .update(certificateTable)
    .set({ revokedAt: input.now, revokedReason: input.reason })
    .where(and(eq(certificateTable.id, input.id), eq(certificateTable.tenantId, input.tenantId), isNull(certificateTable.revokedAt)))
    .returning({ userId: certificateTable.userId });
  const row = updated[0];
  if (!row) return false;
  await appendFact(tx, {
    tenantId: input.tenantId,
    type: 'certificate.revoked',
    userId: row.userId,
    ref: input.id,
    data: { reason: input.reason },
    effectiveAt: input.now,
    actorId: input.actorId,
  });
  await appendAuditEvent(tx, {
    tenantId: input.tenantId,
    actorId: input.actorId,
    type: 'certificate.revoked',
    subjectId: row.userId,
    data: { certificateId: input.id },
    // free text, may name people: erasable personal part, not the permanent envelope
    personal: { reason: input.reason },
    at: input.now,
  });
  return true;
}

/**
 * Revokes a certificate within the actor's scope. NotFound for unknown ids and for certificates of other districts or
 * outside the actor's org subtree; Conflict if already revoked.
 */
export async function revokeCertificate(ctx: Ctx, input: { certificateId: string; reason: string }): Promise<{ id: string }> {
  const scope = await authorize(ctx, 'certificate.manage');
  const tenantId = scope.tenantId as string;
  const now = ctx.clock();
  const parsed = revokeInputSchema.safeParse(input);
  if (!parsed.success)
    throw new ValidationError(parsed.error.issues[0]?.message ?? 'Ungültige Eingabe.', { reason: parsed.error.issues[0]?.message ?? '' });
  const id = normalizeCertificateId(parsed.data.certificateId) ?? '';
  return ctx.db.transaction(async (tx) => {
    const [row] = await tx
      .select({ revokedAt: certificateTable.revokedAt, orgUnitId: userTable.orgUnitId })
      .from(certificateTable)
      .innerJoin(userTable, eq(userTable.id, certificateTable.userId))
      .where(and(eq(certificateTable.id, id), eq(certificateTable.tenantId, tenantId)));
    if (!row || !inScope(scope, row.orgUnitId)) throw new NotFoundError(NOT_IN_DISTRICT);
    if (!(await markRevoked(tx, { tenantId, actorId: actorId(ctx.actor), id, reason: parsed.data.reason, now }))) {
      throw new ConflictError('Dieses Zertifikat ist bereits widerrufen.');
    }
    return { id };
  });
}
