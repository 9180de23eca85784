/**
 * What a reminder would say to each chosen person, before anything is sent: the open course (overdue first, then a
 * refresher due, then not yet finished) and its due date from the one status rule (computeStatusAsOf), the filled
 * template, and whether the person is still in their cool-down (no more than one reminder per period).
 */
import { and, eq, gt, inArray, max } from 'drizzle-orm';
import { reminderLogTable, tenantTable } from '../../../../db/schema/index.ts';
import { formatDate } from '../../shared/format.ts';
import type { Scope } from '../authz/authorize.ts';
import type { Ctx } from '../context.ts';
import type { CourseStatus } from '../evidence/course-status.ts';
import { computeStatusAsOf } from '../evidence/status-as-of.ts';
import { publicLink } from '../mail/mail-links.ts';
import { readTenantSettings } from '../tenancy/tenant-settings.ts';
import { authorizeReminderAudience, type CanRemind, type Recipient } from './reminder-audience.ts';
import { type ReminderText, renderReminder, requireValidReminderText } from './reminder-template.ts';
import { templateOf } from './reminder-templates.ts';

export interface ReminderPreview {
  userId: string;
  name: string;
  email: string;
  /** Why this person would get no reminder now. */
  skip: null | 'cool-down' | 'nothing-open';
  lastReminderAt: Date | null;
  courseTitle: string | null;
  dueAt: Date | null;
  subject: string;
  body: string;
}

const order: Record<string, number> = { overdue: 0, expired: 1, 'refresher-due': 2, 'in-progress': 3, 'not-started': 4 };

/** The course a reminder is about: the most pressing required one that is not done. */
function pressing(courses: readonly CourseStatus[]): CourseStatus | null {
  const open = courses.filter((c) => c.required && c.state !== 'completed');
  open.sort((a, b) => (order[a.state] ?? 9) - (order[b.state] ?? 9));
  return open[0] ?? null;
}

/** Internal step of the reminder verbs (after authorizeReminderAudience): fills the template for each person. */
export async function buildReminders(ctx: Ctx, scope: Scope, people: readonly Recipient[], text: ReminderText): Promise<ReminderPreview[]> {
  const tenantId = scope.tenantId as string;
  const now = ctx.clock();
  const [tenant] = await ctx.db.select({ settings: tenantTable.settings }).from(tenantTable).where(eq(tenantTable.id, tenantId));
  const coolDownMs = readTenantSettings(tenant?.settings).reminderCooldownDays * 86_400_000;
  const ids = people.map((p) => p.id);
  const status = await computeStatusAsOf(ctx, scope, { asOf: now, recordedBy: now, userIds: ids, current: true });
  const byPerson = new Map(status.people.map((p) => [p.userId, p]));
  const last = new Map<string, Date>();
  for (let i = 0; i < ids.length; i += 500) {
    const rows = await ctx.db
      .select({ userId: reminderLogTable.userId, at: max(reminderLogTable.sentAt) })
      .from(reminderLogTable)
      .where(
        and(
          eq(reminderLogTable.tenantId, tenantId),
          inArray(reminderLogTable.userId, ids.slice(i, i + 500)),
          gt(reminderLogTable.sentAt, new Date(now.getTime() - Math.max(coolDownMs, 1))),
        ),
      )
      .groupBy(reminderLogTable.userId);
    for (const r of rows) if (r.at) last.set(r.userId, r.at);
  }
  return people.map((p) => {
    const person = byPerson.get(p.id);
    const course = person ? pressing(person.courses) : null;
    const title = course ? (ctx.content.courses.get(course.courseId)?.course.title ?? course.courseId) : null;
    const dueAt = course
      ? course.state === 'refresher-due' || course.state === 'expired'
        ? course.refresherDueAt
        : (course.dueAt ?? person?.path?.dueAt ?? null)
      : null;
    const rendered = renderReminder(text, {
      name: p.name,
      kurs: title ?? 'Ihr Lernpfad',
      faellig: dueAt ? formatDate(dueAt) : 'ohne Frist',
      link: publicLink(course ? `/kurse/${course.courseId}` : '/lernen'),
    });
    const lastAt = last.get(p.id) ?? null;
    const skip = !course ? 'nothing-open' : coolDownMs > 0 && lastAt ? 'cool-down' : null;
    return { userId: p.id, name: p.name, email: p.email, skip, lastReminderAt: lastAt, courseTitle: title, dueAt, ...rendered };
  });
}

export interface PreviewInput {
  userIds: readonly string[];
  /** A saved template's id, or an unsaved text (checked first). */
  templateId?: string;
  template?: ReminderText;
  canRemind?: CanRemind;
  /** The grant the sender acts under (see authorizeReminderAudience). */
  as?: 'cohort.view';
}

export async function previewReminders(ctx: Ctx, input: PreviewInput): Promise<ReminderPreview[]> {
  const { scope, people } = await authorizeReminderAudience(ctx, input.userIds, input.canRemind, input.as);
  const text = input.template ?? (await templateOf(ctx, scope.tenantId as string, input.templateId ?? 'standard'));
  requireValidReminderText(text);
  return buildReminders(ctx, scope, people, text);
}
