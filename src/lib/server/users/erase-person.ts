/**
 * Erasure of a person (GDPR Art. 17) that keeps the evidence: the account is pseudonymised (name, e-mail, password,
 * directory id gone; disabled; sessions ended), their certificates are revoked (the verification page answers
 * "widerrufen", not "nicht echt", without naming them), the person's erasable audit parts are cleared with a recorded erasure
 * entry, and a "person.erased" fact is appended. The person's learning facts stay under their pseudonymous id, so
 * figures for past dates (coverage, completions) are unchanged and the audit chain still verifies.
 */
import { and, eq, isNull } from 'drizzle-orm';
import {
  certificateTable,
  mailMessageTable,
  passwordTokenTable,
  sessionTable,
  userIdentityTable,
  userTable,
} from '../../../../db/schema/index.ts';
import { erasePersonalAudit } from '../audit/erase-personal-audit.ts';
import { authorize } from '../authz/authorize.ts';
import { markRevoked } from '../certificates/revoke-certificate.ts';
import { actorId, type Ctx } from '../context.ts';
import { ConflictError, NotFoundError } from '../errors/domain-errors.ts';
import { appendFact } from '../evidence/record.ts';
import { isDistrictAdmin, requireAnotherDistrictAdmin } from './last-admin.ts';

/** Display name of an erased person (pseudonym from the id, the same everywhere). */
export function pseudonymOf(userId: string): string {
  return `Gelöschte Person ${userId.slice(0, 8)}`;
}

/** Reason recorded with the certificates an erasure revokes. */
export const ERASURE_REVOCATION_REASON = 'Person gelöscht (Art. 17 DSGVO)';

export async function erasePerson(ctx: Ctx, userId: string): Promise<{ auditPartsCleared: number; certificatesRevoked: number }> {
  const scope = await authorize(ctx, 'tenant.admin', { userId });
  const tenantId = scope.tenantId as string;
  const now = ctx.clock();
  const by = actorId(ctx.actor);
  return ctx.db.transaction(async (tx) => {
    const [user] = await tx
      .select()
      .from(userTable)
      .where(and(eq(userTable.id, userId), eq(userTable.tenantId, tenantId)));
    if (!user) throw new NotFoundError('Diese Person gibt es in Ihrem Landkreis nicht.');
    if (user.email.endsWith('@geloescht.invalid')) throw new ConflictError('Die Daten dieser Person sind bereits gelöscht.');
    if (user.status === 'active' && (await isDistrictAdmin(tx, tenantId, userId))) await requireAnotherDistrictAdmin(tx, tenantId, userId);
    await tx
      .update(userTable)
      .set({ name: pseudonymOf(userId), email: `${userId}@geloescht.invalid`, passwordHash: null, externalId: null, status: 'disabled' })
      .where(eq(userTable.id, userId));
    await tx.delete(sessionTable).where(eq(sessionTable.userId, userId));
    // mails keep their date and status (the log that something was sent), not the address or the text
    await tx.delete(passwordTokenTable).where(eq(passwordTokenTable.userId, userId));
    await tx
      .update(mailMessageTable)
      .set({ toAddress: `${userId}@geloescht.invalid`, subject: 'gelöscht', bodyText: '', bodyHtml: null, attachments: null })
      .where(eq(mailMessageTable.userId, userId));
    await tx
      .update(mailMessageTable)
      .set({ status: 'failed', lastError: 'Empfänger gelöscht, nicht versendet' })
      .where(and(eq(mailMessageTable.userId, userId), eq(mailMessageTable.status, 'queued')));
    // the provider's subject identifies the person: an erased person can no longer sign in with single sign-on
    await tx.delete(userIdentityTable).where(eq(userIdentityTable.userId, userId));
    // before the audit parts are cleared, so the revocations' own personal parts are erased with the rest
    const valid = await tx
      .select({ id: certificateTable.id })
      .from(certificateTable)
      .where(and(eq(certificateTable.tenantId, tenantId), eq(certificateTable.userId, userId), isNull(certificateTable.revokedAt)));
    let certificatesRevoked = 0;
    for (const c of valid)
      if (await markRevoked(tx, { tenantId, actorId: by, id: c.id, reason: ERASURE_REVOCATION_REASON, now })) certificatesRevoked++;
    await appendFact(tx, { tenantId, type: 'person.erased', userId, effectiveAt: now, recordedAt: now, actorId: by, data: {} });
    const erased = await erasePersonalAudit(tx, { chain: tenantId, personId: userId, actorId: by, at: now });
    return { auditPartsCleared: erased.erased, certificatesRevoked };
  });
}
