/**
 * Issues one certificate: builds and signs the payload with the district's active key, stores it and appends
 * the `certificate.issued` audit event — all inside the caller's transaction. Idempotent per
 * (person, kind, achievement, time of issue): a second call for the same completion returns the stored one.
 */
import { and, eq } from 'drizzle-orm';
import type { Db } from '../../../../db/client.ts';
import { certificateTable } from '../../../../db/schema/index.ts';
import { appendAuditEvent } from '../audit/append-audit-event.ts';
import { appendFact } from '../evidence/record.ts';
import type { Achievement } from './certificate-achievements.ts';
import { type CertificatePayload, canonicalPayload, newCertificateId } from './certificate-payload.ts';
import { type KeyRing, signPayload } from './signing-keys.ts';

/** Database handle or transaction: what issuing needs. */
export type CertificateWriter = Pick<Db, 'select' | 'insert' | 'update' | 'delete'>;

/** Input of issueCertificate. */
export interface IssueCertificateInput {
  tenant: { id: string; slug: string; name: string };
  holder: { userId: string; name: string };
  kind: CertificatePayload['kind'];
  achievement: Achievement;
  issuedAt: Date;
  expiresAt: Date | null;
  /** Certificate that this one replaces (reissue). */
  replacesId?: string | null;
  /** Who caused the issue (the learner on completion, HR on reissue, the batch's system or operator actor). */
  actorId: string | null;
  /** Time of the audit event (default: now); the time of issue itself is `issuedAt`. */
  now?: Date;
}

/** Returns the certificate id and whether it was created now (false: it existed for this completion). */
export async function issueCertificate(
  tx: CertificateWriter,
  input: IssueCertificateInput,
  ring: KeyRing,
): Promise<{ id: string; created: boolean }> {
  const payload: CertificatePayload = {
    id: newCertificateId(),
    tenant: { slug: input.tenant.slug, name: input.tenant.name },
    holder: { name: input.holder.name },
    kind: input.kind,
    achievement: input.achievement,
    issuedAt: input.issuedAt.toISOString(),
    expiresAt: input.expiresAt ? input.expiresAt.toISOString() : null,
    keyId: ring.active.id,
  };
  const signature = signPayload(payload, ring);
  const inserted = await tx
    .insert(certificateTable)
    .values({
      id: payload.id,
      tenantId: input.tenant.id,
      userId: input.holder.userId,
      kind: input.kind,
      achievementId: input.achievement.id,
      payload: canonicalPayload(payload).toString('utf8'),
      signature,
      keyId: payload.keyId,
      issuedAt: input.issuedAt,
      expiresAt: input.expiresAt,
      replacesId: input.replacesId ?? null,
    })
    // only the completion index: an id collision (50 random bits) must fail loudly, not pass as "exists"
    .onConflictDoNothing({
      target: [certificateTable.userId, certificateTable.kind, certificateTable.achievementId, certificateTable.issuedAt],
    })
    .returning({ id: certificateTable.id });
  if (inserted.length === 0) {
    const existing = await tx
      .select({ id: certificateTable.id })
      .from(certificateTable)
      .where(
        and(
          eq(certificateTable.tenantId, input.tenant.id),
          eq(certificateTable.userId, input.holder.userId),
          eq(certificateTable.kind, input.kind),
          eq(certificateTable.achievementId, input.achievement.id),
          eq(certificateTable.issuedAt, input.issuedAt),
        ),
      )
      .limit(1);
    return { id: existing[0]?.id ?? '', created: false };
  }
  await appendFact(tx, {
    tenantId: input.tenant.id,
    type: 'certificate.issued',
    userId: input.holder.userId,
    subject: input.achievement.id,
    ref: payload.id,
    data: { kind: input.kind, expiresAt: payload.expiresAt, replacesId: input.replacesId ?? null },
    effectiveAt: input.issuedAt,
    actorId: input.actorId,
  });
  await appendAuditEvent(tx, {
    tenantId: input.tenant.id,
    actorId: input.actorId,
    type: 'certificate.issued',
    subjectId: input.holder.userId,
    data: {
      certificateId: payload.id,
      kind: input.kind,
      achievementId: input.achievement.id,
      versions: Object.fromEntries(input.achievement.courses.map((c) => [c.id, c.version])),
      expiresAt: payload.expiresAt,
      keyId: payload.keyId,
      replacesId: input.replacesId ?? null,
    },
    at: input.now ?? new Date(),
  });
  return { id: payload.id, created: true };
}
