/** The reminders a learner received (shown on their history page): when, subject, and whether it was delivered. */
import { and, desc, eq } from 'drizzle-orm';
import { mailMessageTable, reminderLogTable } from '../../../../db/schema/index.ts';
import type { MailStatus } from '../../../../db/schema/mail.ts';
import { authorize } from '../authz/authorize.ts';
import type { Ctx } from '../context.ts';

export interface OwnReminder {
  sentAt: Date;
  subject: string | null;
  status: MailStatus | null;
}

export async function listOwnReminders(ctx: Ctx, limit = 20): Promise<OwnReminder[]> {
  const scope = await authorize(ctx, 'learning.own');
  return ctx.db
    .select({ sentAt: reminderLogTable.sentAt, subject: mailMessageTable.subject, status: mailMessageTable.status })
    .from(reminderLogTable)
    .leftJoin(mailMessageTable, eq(mailMessageTable.id, reminderLogTable.mailId))
    .where(and(eq(reminderLogTable.tenantId, scope.tenantId as string), eq(reminderLogTable.userId, scope.actorUserId as string)))
    .orderBy(desc(reminderLogTable.sentAt))
    .limit(limit);
}
