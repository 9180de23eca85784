/**
 * HR/admin withdraws a certificate of their own district with a reason (`certificate.manage`). From then on the
 * verification page shows it as revoked and the holder can no longer download it. The revocation and its audit
 * event commit together. Another district's certificate is "not found".
 */
import { and, eq, isNull } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../../../../db/client.ts';
import { certificateTable } from '../../../../db/schema/index.ts';
import { appendAuditEvent } from '../audit/append-audit-event.ts';
import { requirePermission, requireTenantId } from '../authz/can.ts';
import { ConflictError, NotFoundError, ValidationError } from '../errors/domain-errors.ts';
import { appendFact } from '../evidence/record.ts';
import type { AuthUser } from '../users/get-auth-user.ts';
import { normalizeCertificateId } from './certificate-payload.ts';
import type { CertificateWriter } from './issue-certificate.ts';

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

/** Revokes a certificate of the user's tenant. NotFound for other tenants' or unknown ids, Conflict if already revoked. */
export async function revokeCertificate(
  db: Db,
  user: AuthUser,
  input: { certificateId: string; reason: string },
  now: Date = new Date(),
): Promise<{ id: string }> {
  requirePermission(user, 'certificate.manage');
  const tenantId = requireTenantId(user);
  const parsed = revokeInputSchema.safeParse(input);
  if (!parsed.success)
    throw new ValidationError(parsed.error.issues[0]?.message ?? 'Ungültige Eingabe.', { reason: parsed.error.issues[0]?.message ?? '' });
  const id = normalizeCertificateId(parsed.data.certificateId) ?? '';
  return db.transaction(async (tx) => {
    const [row] = await tx
      .select({ revokedAt: certificateTable.revokedAt })
      .from(certificateTable)
      .where(and(eq(certificateTable.id, id), eq(certificateTable.tenantId, tenantId)));
    if (!row) throw new NotFoundError('Dieses Zertifikat gibt es in Ihrem Landkreis nicht.');
    if (!(await markRevoked(tx, { tenantId, actorId: user.id, id, reason: parsed.data.reason, now }))) {
      throw new ConflictError('Dieses Zertifikat ist bereits widerrufen.');
    }
    return { id };
  });
}
