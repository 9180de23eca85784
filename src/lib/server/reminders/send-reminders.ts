/**
 * Sends reminders: authorization and the template check first, then per person (in chunks, each one transaction) a
 * log entry and a queued mail. The same idempotency key sends once — a double click, a repeated form post or a
 * rerun of the CLI with the same key adds nothing. The cool-down is checked again inside each chunk's transaction,
 * so two different sends at the same moment cannot both remind a person.
 */
import { randomUUID } from 'node:crypto';
import { and, eq, gt, inArray } from 'drizzle-orm';
import { reminderLogTable, tenantTable } from '../../../../db/schema/index.ts';
import { appendAuditEvent } from '../audit/append-audit-event.ts';
import { actorId, type Ctx } from '../context.ts';
import { ValidationError } from '../errors/domain-errors.ts';
import { queueMail } from '../mail/queue-mail.ts';
import { readTenantSettings } from '../tenancy/tenant-settings.ts';
import { buildReminders } from './preview-reminders.ts';
import { authorizeReminderAudience, type CanRemind } from './reminder-audience.ts';
import { requireValidReminderText } from './reminder-template.ts';
import { templateOf } from './reminder-templates.ts';

export interface SendInput {
  userIds: readonly string[];
  templateId: string;
  /** Same key, same send: repeated calls remind nobody twice. */
  idempotencyKey: string;
  canRemind?: CanRemind;
  /** The grant the sender acts under (see authorizeReminderAudience). */
  as?: 'cohort.view';
  /** Called after each chunk with the people handled so far. */
  onProgress?: (done: number, total: number) => void;
}

export interface SendResult {
  total: number;
  queued: number;
  /** Skipped: reminded within the cool-down period. */
  coolDown: number;
  /** Skipped: nothing open in their path. */
  nothingOpen: number;
  /** Already reminded by this very send (same key). */
  alreadySent: number;
}

const CHUNK = 100;
const KEY = /^[A-Za-z0-9._:-]{8,100}$/;

export async function sendReminders(ctx: Ctx, input: SendInput): Promise<SendResult> {
  const { scope, people } = await authorizeReminderAudience(ctx, input.userIds, input.canRemind, input.as);
  if (!KEY.test(input.idempotencyKey)) throw new ValidationError('Ungültiger Sendeschlüssel. Bitte das Formular neu laden.');
  const tenantId = scope.tenantId as string;
  const template = await templateOf(ctx, tenantId, input.templateId);
  requireValidReminderText(template);
  const batchKey = `${tenantId}:${input.idempotencyKey}`;
  const previews = await buildReminders(ctx, scope, people, template);
  const [tenant] = await ctx.db.select({ settings: tenantTable.settings }).from(tenantTable).where(eq(tenantTable.id, tenantId));
  const coolDownMs = readTenantSettings(tenant?.settings).reminderCooldownDays * 86_400_000;
  const result: SendResult = { total: previews.length, queued: 0, coolDown: 0, nothingOpen: 0, alreadySent: 0 };
  const sender = actorId(ctx.actor);
  const now = ctx.clock();
  for (let i = 0; i < previews.length; i += CHUNK) {
    const chunk = previews.slice(i, i + CHUNK);
    await ctx.db.transaction(async (tx) => {
      const ids = chunk.map((p) => p.userId);
      const recent = await tx
        .select({ userId: reminderLogTable.userId, batchKey: reminderLogTable.batchKey })
        .from(reminderLogTable)
        .where(
          and(
            eq(reminderLogTable.tenantId, tenantId),
            inArray(reminderLogTable.userId, ids),
            gt(reminderLogTable.sentAt, new Date(now.getTime() - Math.max(coolDownMs, 1))),
          ),
        );
      const ownBatch = new Set(recent.filter((r) => r.batchKey === batchKey).map((r) => r.userId));
      const cooling = new Set(recent.map((r) => r.userId));
      for (const p of chunk) {
        if (ownBatch.has(p.userId)) {
          result.alreadySent++;
          continue;
        }
        if (p.skip === 'nothing-open') {
          result.nothingOpen++;
          continue;
        }
        if (coolDownMs > 0 && cooling.has(p.userId)) {
          result.coolDown++;
          continue;
        }
        const logId = randomUUID();
        const inserted = await tx
          .insert(reminderLogTable)
          .values({ id: logId, tenantId, userId: p.userId, templateId: template.id, sentBy: sender, batchKey, sentAt: now })
          .onConflictDoNothing()
          .returning({ id: reminderLogTable.id });
        if (!inserted[0]) {
          result.alreadySent++;
          continue;
        }
        const mail = await queueMail(
          tx,
          {
            tenantId,
            userId: p.userId,
            to: p.email,
            template: 'reminder',
            subject: p.subject,
            text: p.body,
            idempotencyKey: `reminder:${batchKey}:${p.userId}`,
          },
          { now },
        );
        await tx.update(reminderLogTable).set({ mailId: mail.id }).where(eq(reminderLogTable.id, logId));
        result.queued++;
      }
    });
    input.onProgress?.(Math.min(i + CHUNK, previews.length), previews.length);
  }
  if (result.queued > 0)
    await ctx.db.transaction((tx) =>
      appendAuditEvent(tx, {
        tenantId,
        actorId: sender,
        type: 'reminders.sent',
        data: { template: template.id, queued: result.queued, coolDown: result.coolDown, nothingOpen: result.nothingOpen },
        at: now,
      }),
    );
  return result;
}
