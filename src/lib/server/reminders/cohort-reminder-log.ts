/**
 * The reminder log of one cohort: what was sent from the cohort's page (sends whose key names the cohort, see
 * cohort-reminders.ts), by any of its multipliers — per send when, by whom, which template, how many and how far
 * delivery got. Names of reminded people only with the district's person-level views, and only of people who still
 * belong to the cohort; otherwise the log has counts only.
 */
import { and, count, desc, eq, gte, inArray, lt, max } from 'drizzle-orm';
import { mailMessageTable, reminderLogTable, userTable } from '../../../../db/schema/index.ts';
import { type MailStatus, mailStatuses } from '../../../../db/schema/mail.ts';
import { authorize } from '../authz/authorize.ts';
import { type Cohort, membersOf, requireCohortIn } from '../cohorts/cohort-members.ts';
import type { Ctx } from '../context.ts';
import { getTenantSettings } from '../tenancy/tenant-settings.ts';
import { cohortSendKey } from './cohort-reminders.ts';
import { templatesOf } from './reminder-templates.ts';

export interface CohortSend {
  sentAt: Date;
  /** The sender's name; null when it was the reader. */
  sentBy: string | null;
  template: string;
  total: number;
  counts: Record<MailStatus, number>;
}

export interface CohortReminderEntry {
  sentAt: Date;
  /** Null for a person who no longer belongs to the cohort. */
  name: string | null;
  template: string;
  status: MailStatus;
}

export interface CohortReminderLog {
  cohort: Cohort;
  personViews: boolean;
  /** The latest sends, newest first. */
  sends: CohortSend[];
  /** The latest reminders one by one, newest first — only with person-level views. */
  entries: CohortReminderEntry[];
}

export async function getCohortReminderLog(
  ctx: Ctx,
  cohortId: string,
  opts: { sends?: number; entries?: number } = {},
): Promise<CohortReminderLog> {
  const scope = await authorize(ctx, 'cohort.view', { cohortId });
  const cohort = await requireCohortIn(ctx, scope, cohortId);
  const tenantId = scope.tenantId as string;
  const personViews = (await getTenantSettings(ctx.db, tenantId)).multiplierPersonViews;
  // the keys of this cohort's sends, as a range reminder_log_batch_user_idx serves ('/' follows '.')
  const from = `${tenantId}:${cohortSendKey(cohortId, '')}`;
  const inCohort = and(
    eq(reminderLogTable.tenantId, tenantId),
    gte(reminderLogTable.batchKey, from),
    lt(reminderLogTable.batchKey, `${from.slice(0, -1)}/`),
  );
  const templates = new Map((await templatesOf(ctx, tenantId)).map((t) => [t.id, t.name]));
  const templateName = (id: string | null): string => (id ? (templates.get(id) ?? 'gelöschte Vorlage') : '–');
  const rows = await ctx.db
    .select({
      batchKey: reminderLogTable.batchKey,
      sentBy: reminderLogTable.sentBy,
      templateId: reminderLogTable.templateId,
      sentAt: max(reminderLogTable.sentAt),
      status: mailMessageTable.status,
      n: count(),
    })
    .from(reminderLogTable)
    .leftJoin(mailMessageTable, eq(mailMessageTable.id, reminderLogTable.mailId))
    .where(inCohort)
    .groupBy(reminderLogTable.batchKey, reminderLogTable.sentBy, reminderLogTable.templateId, mailMessageTable.status);
  const byKey = new Map<
    string,
    { sentAt: Date; sentBy: string; templateId: string | null; counts: Record<MailStatus, number>; total: number }
  >();
  for (const r of rows) {
    let send = byKey.get(r.batchKey);
    if (!send) {
      send = {
        sentAt: r.sentAt ?? new Date(0),
        sentBy: r.sentBy,
        templateId: r.templateId,
        total: 0,
        counts: Object.fromEntries(mailStatuses.map((s) => [s, 0])) as Record<MailStatus, number>,
      };
      byKey.set(r.batchKey, send);
    }
    send.total += r.n;
    send.counts[r.status ?? 'queued'] += r.n;
  }
  const latest = [...byKey.values()].sort((a, b) => b.sentAt.getTime() - a.sentAt.getTime()).slice(0, opts.sends ?? 20);
  const me = scope.actorUserId;
  const senderIds = [...new Set(latest.map((s) => s.sentBy).filter((id) => id !== me))];
  const senders = new Map(
    senderIds.length === 0
      ? []
      : (
          await ctx.db
            .select({ id: userTable.id, name: userTable.name })
            .from(userTable)
            .where(and(eq(userTable.tenantId, tenantId), inArray(userTable.id, senderIds)))
        ).map((u) => [u.id, u.name]),
  );
  const sends = latest.map((s) => ({
    sentAt: s.sentAt,
    sentBy: s.sentBy === me ? null : (senders.get(s.sentBy) ?? 'unbekannt'),
    template: templateName(s.templateId),
    total: s.total,
    counts: s.counts,
  }));
  if (!personViews) return { cohort, personViews, sends, entries: [] };
  const recent = await ctx.db
    .select({
      userId: reminderLogTable.userId,
      sentAt: reminderLogTable.sentAt,
      templateId: reminderLogTable.templateId,
      status: mailMessageTable.status,
    })
    .from(reminderLogTable)
    .leftJoin(mailMessageTable, eq(mailMessageTable.id, reminderLogTable.mailId))
    .where(inCohort)
    .orderBy(desc(reminderLogTable.sentAt))
    .limit(opts.entries ?? 100);
  const members = new Set((await membersOf(ctx, scope, cohort)).map((m) => m.userId));
  const shown = [...new Set(recent.map((r) => r.userId).filter((id) => members.has(id)))];
  const names = new Map(
    shown.length === 0
      ? []
      : (
          await ctx.db
            .select({ id: userTable.id, name: userTable.name })
            .from(userTable)
            .where(and(eq(userTable.tenantId, tenantId), inArray(userTable.id, shown)))
        ).map((u) => [u.id, u.name]),
  );
  const entries = recent.map((r) => ({
    sentAt: r.sentAt,
    name: names.get(r.userId) ?? null,
    template: templateName(r.templateId),
    status: r.status ?? 'queued',
  }));
  return { cohort, personViews, sends, entries };
}
