/** Where one send stands: how many of its reminders are queued, sent, kept in the outbox or failed. */
import { and, count, eq } from 'drizzle-orm';
import { mailMessageTable, reminderLogTable } from '../../../../db/schema/index.ts';
import type { MailStatus } from '../../../../db/schema/mail.ts';
import { authorize } from '../authz/authorize.ts';
import { actorId, type Ctx } from '../context.ts';
import { reminderAction } from './reminder-audience.ts';

export async function getReminderBatch(ctx: Ctx, idempotencyKey: string): Promise<{ total: number; counts: Record<MailStatus, number> }> {
  const scope = await authorize(ctx, reminderAction(ctx));
  const rows = await ctx.db
    .select({ status: mailMessageTable.status, n: count() })
    .from(reminderLogTable)
    .innerJoin(mailMessageTable, eq(mailMessageTable.id, reminderLogTable.mailId))
    .where(
      and(
        eq(reminderLogTable.tenantId, scope.tenantId as string),
        eq(reminderLogTable.batchKey, `${scope.tenantId}:${idempotencyKey}`),
        // only the sender's own sends
        eq(reminderLogTable.sentBy, actorId(ctx.actor)),
      ),
    )
    .groupBy(mailMessageTable.status);
  const counts = { queued: 0, sending: 0, sent: 0, stored: 0, failed: 0 } as Record<MailStatus, number>;
  for (const r of rows) counts[r.status] = r.n;
  return { total: rows.reduce((a, r) => a + r.n, 0), counts };
}
