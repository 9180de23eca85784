/**
 * Invitation of a new person: a mail with a link to set their password (a one-time token valid 7 days, the same
 * mechanism as the password reset). For district admins within their scope, and for the CLI.
 */
import { eq } from 'drizzle-orm';
import { tenantTable, userTable } from '../../../../db/schema/index.ts';
import { appendAuditEvent } from '../audit/append-audit-event.ts';
import { isPasswordLoginOn } from '../auth/password-login-setting.ts';
import { invitationMail } from '../auth/password-mails.ts';
import { createPasswordToken } from '../auth/password-tokens.ts';
import { authorize } from '../authz/authorize.ts';
import { actorId, type Ctx } from '../context.ts';
import { ConflictError, NotFoundError } from '../errors/domain-errors.ts';
import { publicLink } from '../mail/mail-links.ts';
import { queueMail } from '../mail/queue-mail.ts';

export async function sendInvitation(ctx: Ctx, userId: string): Promise<{ mailId: string; expiresAt: Date }> {
  const scope = await authorize(ctx, 'tenant.admin', { userId });
  const tenantId = scope.tenantId as string;
  const [person] = await ctx.db
    .select({ id: userTable.id, name: userTable.name, email: userTable.email, status: userTable.status, tenantName: tenantTable.name })
    .from(userTable)
    .innerJoin(tenantTable, eq(tenantTable.id, userTable.tenantId))
    .where(eq(userTable.id, userId));
  if (person?.status !== 'active') throw new NotFoundError('Diese Person gibt es nicht.');
  if (!(await isPasswordLoginOn(ctx.db, tenantId)))
    throw new ConflictError(
      'In diesem Landkreis ist die Anmeldung mit Passwort abgeschaltet; eine Einladung zum Passwort ist nicht nötig.',
    );
  const now = ctx.clock();
  return ctx.db.transaction(async (tx) => {
    const { token, expiresAt } = await createPasswordToken(tx, { userId, tenantId, purpose: 'invite', now });
    const mail = invitationMail({
      name: person.name,
      tenantName: person.tenantName,
      link: publicLink(`/passwort-neu?token=${token}`),
      expiresAt,
    });
    const { id } = await queueMail(tx, { tenantId, userId, to: person.email, template: 'invitation', ...mail }, { now });
    await appendAuditEvent(tx, { tenantId, actorId: actorId(ctx.actor), type: 'user.invited', subjectId: userId, data: {}, at: now });
    return { mailId: id, expiresAt };
  });
}
