/**
 * The admin page's erasure (GDPR Art. 17): the admin types the person's e-mail address to confirm, then erasePerson
 * pseudonymises the account and clears the personal audit parts while the evidence stays verifiable (and refuses the
 * district's last admin).
 */
import { and, eq } from 'drizzle-orm';
import { userTable } from '../../../../db/schema/index.ts';
import { authorize } from '../authz/authorize.ts';
import type { Ctx } from '../context.ts';
import { ConflictError, ValidationError } from '../errors/domain-errors.ts';
import { erasePerson } from './erase-person.ts';

export async function erasePersonConfirmed(
  ctx: Ctx,
  input: { userId: string; confirmation: string },
): Promise<{ auditPartsCleared: number }> {
  const scope = await authorize(ctx, 'tenant.admin', { userId: input.userId });
  const tenantId = scope.tenantId as string;
  const [user] = await ctx.db
    .select({ email: userTable.email })
    .from(userTable)
    .where(and(eq(userTable.id, input.userId), eq(userTable.tenantId, tenantId)));
  if (!user || input.confirmation.trim().toLowerCase() !== user.email)
    throw new ValidationError('Zur Bestätigung bitte die E-Mail-Adresse der Person genau so eingeben, wie sie oben steht.', {
      confirmation: 'Die E-Mail-Adresse stimmt nicht überein.',
    });
  if (ctx.actor.kind === 'person' && ctx.actor.user.id === input.userId)
    throw new ConflictError('Ihre eigenen Daten kann nur eine andere Administration löschen.');
  return erasePerson(ctx, input.userId);
}
