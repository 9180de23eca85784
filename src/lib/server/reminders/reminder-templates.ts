/**
 * A district's reminder templates: listed for everyone who may send reminders, edited by district admins.
 * Without a saved template the German default (reminder-template.ts) is offered under the id `standard`.
 */
import { randomUUID } from 'node:crypto';
import { and, asc, eq } from 'drizzle-orm';
import { reminderTemplateTable } from '../../../../db/schema/index.ts';
import { authorize } from '../authz/authorize.ts';
import type { Ctx } from '../context.ts';
import { NotFoundError } from '../errors/domain-errors.ts';
import { reminderAction } from './reminder-audience.ts';
import { DEFAULT_REMINDER, type ReminderText, requireValidReminderText } from './reminder-template.ts';

export const DEFAULT_TEMPLATE_ID = 'standard';

export interface ReminderTemplate extends ReminderText {
  id: string;
  name: string;
}

/** Templates of a district (the default first); internal step after the caller's authorization. */
export async function templatesOf(ctx: Ctx, tenantId: string): Promise<ReminderTemplate[]> {
  const rows = await ctx.db
    .select({
      id: reminderTemplateTable.id,
      name: reminderTemplateTable.name,
      subject: reminderTemplateTable.subject,
      body: reminderTemplateTable.body,
    })
    .from(reminderTemplateTable)
    .where(eq(reminderTemplateTable.tenantId, tenantId))
    .orderBy(asc(reminderTemplateTable.name));
  return [{ id: DEFAULT_TEMPLATE_ID, ...DEFAULT_REMINDER }, ...rows];
}

/** One template of the district; NotFound for another district's id. */
export async function templateOf(ctx: Ctx, tenantId: string, id: string): Promise<ReminderTemplate> {
  const found = (await templatesOf(ctx, tenantId)).find((t) => t.id === id);
  if (!found) throw new NotFoundError('Diese Vorlage gibt es nicht.');
  return found;
}

/** Saves a new template or changes one of the district (admins); the text is checked first. */
export async function saveReminderTemplate(
  ctx: Ctx,
  input: { id?: string; name: string; subject: string; body: string },
): Promise<{ id: string }> {
  const scope = await authorize(ctx, 'tenant.admin');
  const tenantId = scope.tenantId as string;
  requireValidReminderText(input);
  const name = input.name.trim().slice(0, 100) || 'Erinnerung';
  const now = ctx.clock();
  if (input.id && input.id !== DEFAULT_TEMPLATE_ID) {
    const changed = await ctx.db
      .update(reminderTemplateTable)
      .set({ name, subject: input.subject, body: input.body, updatedAt: now })
      .where(and(eq(reminderTemplateTable.id, input.id), eq(reminderTemplateTable.tenantId, tenantId)))
      .returning({ id: reminderTemplateTable.id });
    if (!changed[0]) throw new NotFoundError('Diese Vorlage gibt es nicht.');
    return { id: input.id };
  }
  const id = randomUUID();
  await ctx.db
    .insert(reminderTemplateTable)
    .values({ id, tenantId, name, subject: input.subject, body: input.body, createdAt: now, updatedAt: now });
  return { id };
}

/** The templates a sender may choose from. */
export async function listReminderTemplates(ctx: Ctx): Promise<ReminderTemplate[]> {
  const scope = await authorize(
    ctx,
    ctx.actor.kind === 'person' && ctx.actor.user.roles.includes('multiplier') ? 'cohort.view' : 'tenant.admin',
  );
  return templatesOf(ctx, scope.tenantId as string);
}
