/**
 * An admin lifts the login lock of an account (`tenant.admin` of the account's district, or the operator's CLI
 * `kiko user unlock --email E`): all counters of the account in `rate_limits` go, for every source and device.
 * The source-wide counters of addresses stay (they are not about this account). Recorded in the audit log.
 */
import { eq, or, sql } from 'drizzle-orm';
import type { Db } from '../../../../db/client.ts';
import { rateLimitTable, userTable } from '../../../../db/schema/index.ts';
import { appendAuditEvent } from '../audit/append-audit-event.ts';
import { requirePermission } from '../authz/can.ts';
import { NotFoundError } from '../errors/domain-errors.ts';
import type { AuthUser } from '../users/get-auth-user.ts';
import { LOGIN_KEY_PREFIX, userAndSourceKey } from './login.ts';

/** Who lifts the lock: a signed-in admin, or the command line on the server (operator). */
export type UnlockActor = AuthUser | 'cli';

/** Removes the account's login counters; `removed` = how many were set. NotFound for unknown or foreign accounts. */
export async function unlockLogin(db: Db, actor: UnlockActor, input: { email: string }): Promise<{ removed: number }> {
  if (actor !== 'cli') requirePermission(actor, 'tenant.admin');
  const email = input.email.trim().toLowerCase();
  const account = await db.query.userTable.findFirst({ where: eq(userTable.email, email) });
  if (!account || (actor !== 'cli' && account.tenantId !== actor.tenant?.id))
    throw new NotFoundError('Dieses Konto gibt es in Ihrem Landkreis nicht.');
  // keys are `<prefix>:<key>` (rate-limiter-flexible); the email ends in "|" in the per-source keys
  const perSource = `${LOGIN_KEY_PREFIX.userAndSource}:${userAndSourceKey(email, '')}`;
  return db.transaction(async (tx) => {
    const removed = await tx
      .delete(rateLimitTable)
      .where(
        or(
          eq(rateLimitTable.key, `${LOGIN_KEY_PREFIX.account}:${email}`),
          sql`substr(${rateLimitTable.key}, 1, ${perSource.length}) = ${perSource}`,
        ),
      )
      .returning({ key: rateLimitTable.key });
    await appendAuditEvent(tx, {
      tenantId: account.tenantId,
      actorId: actor === 'cli' ? null : actor.id,
      type: 'user.login-unlocked',
      subjectId: account.id,
      data: { counters: removed.length },
    });
    return { removed: removed.length };
  });
}
