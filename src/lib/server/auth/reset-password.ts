/**
 * Sets a new password with a token from a reset or invitation mail: the token is used up (once, also when two
 * requests race: the UPDATE only succeeds while it is unused), every session of the person ends in all server
 * processes, and the audit log records it.
 */
import { and, eq, isNull } from 'drizzle-orm';
import type { Db } from '../../../../db/client.ts';
import { passwordTokenTable, sessionTable, userTable } from '../../../../db/schema/index.ts';
import { appendAuditEvent } from '../audit/append-audit-event.ts';
import { hashPassword, passwordProblem } from './password.ts';
import { isPasswordLoginOn } from './password-login-setting.ts';
import { findUsablePasswordToken } from './password-tokens.ts';
import { forgetSession } from './session-cache.ts';

export type ResetPasswordResult =
  | { ok: true; userId: string }
  | { ok: false; reason: 'invalid-token' }
  | { ok: false; reason: 'weak'; message: string };

/** Whether a token from a link can still be used (for showing the form or a German "link expired" notice). */
export async function isPasswordTokenUsable(db: Db, token: string | null | undefined, now = new Date()): Promise<boolean> {
  const row = await findUsablePasswordToken(db, token, now);
  return row !== null && (await isPasswordLoginOn(db, row.tenantId));
}

export async function resetPassword(db: Db, input: { token: string; password: string; now?: Date }): Promise<ResetPasswordResult> {
  const now = input.now ?? new Date();
  const row = await findUsablePasswordToken(db, input.token, now);
  if (!row || !(await isPasswordLoginOn(db, row.tenantId))) return { ok: false, reason: 'invalid-token' };
  const problem = passwordProblem(input.password);
  if (problem) return { ok: false, reason: 'weak', message: problem };
  const passwordHash = await hashPassword(input.password);
  const ended = await db
    .transaction(async (tx) => {
      const used = await tx
        .update(passwordTokenTable)
        .set({ usedAt: now })
        .where(and(eq(passwordTokenTable.id, row.id), isNull(passwordTokenTable.usedAt)))
        .returning({ id: passwordTokenTable.id });
      if (used.length === 0) return null;
      const [user] = await tx
        .update(userTable)
        .set({ passwordHash })
        .where(and(eq(userTable.id, row.userId), eq(userTable.status, 'active')))
        .returning({ id: userTable.id });
      if (!user) {
        tx.rollback();
        return null;
      }
      const sessions = await tx.delete(sessionTable).where(eq(sessionTable.userId, row.userId)).returning({ id: sessionTable.id });
      await appendAuditEvent(tx, {
        tenantId: row.tenantId,
        actorId: row.userId,
        type: row.purpose === 'invite' ? 'user.password-set' : 'user.password-reset',
        subjectId: row.userId,
        data: { sessionsEnded: sessions.length },
        at: now,
      });
      return sessions.map((s) => s.id);
    })
    .catch((e: unknown) => {
      if ((e as Error).constructor.name === 'TransactionRollbackError') return null;
      throw e;
    });
  if (!ended) return { ok: false, reason: 'invalid-token' };
  for (const id of ended) forgetSession(id);
  return { ok: true, userId: row.userId };
}
