/**
 * Reminders from a cohort's page (/multiplikator/kohorte/…/erinnerungen): the multiplier picks current members of the
 * cohort by status or by hand (from the matrix), sees a preview and sends. Preview and send are the district's
 * reminder verbs (previewReminders, sendReminders) under the `cohort.view` grant with the one-cohort check
 * (select-cohort-by-status.ts); this module adds the cohort's privacy rule: without the district's person-level views
 * (tenant setting `multiplierPersonViews`) people can only be chosen by status and the preview carries counts, never
 * a name. A send from the cohort's page carries the cohort in its key (`cohort.<cohort id>.<send key>`); that is how
 * the cohort's reminder log (cohort-reminder-log.ts) finds it.
 */

import type { MailStatus } from '../../../../db/schema/mail.ts';
import { authorize } from '../authz/authorize.ts';
import { type Cohort, requireCohortIn } from '../cohorts/cohort-members.ts';
import type { Ctx } from '../context.ts';
import { ValidationError } from '../errors/domain-errors.ts';
import { getTenantSettings } from '../tenancy/tenant-settings.ts';
import { previewReminders, type ReminderPreview } from './preview-reminders.ts';
import { getReminderBatch } from './reminder-batch.ts';
import { type ReminderText, renderReminder, requireValidReminderText } from './reminder-template.ts';
import { templateOf } from './reminder-templates.ts';
import type { ReminderStatus } from './select-by-status.ts';
import { oneCohortCanRemind, selectCohortMembersByStatus } from './select-cohort-by-status.ts';
import { type SendResult, sendReminders } from './send-reminders.ts';

/** Who is to be reminded: everyone of the cohort with one of the statuses, or people picked in the matrix. */
export type CohortAudience = { statuses: readonly ReminderStatus[] } | { userIds: readonly string[] };

/** The send key a page hands out with its form (a fresh random value per preview). */
export const COHORT_SEND_KEY = /^[A-Za-z0-9-]{8,40}$/;

/** The idempotency key of a send from the cohort's page. */
export function cohortSendKey(cohortId: string, sendKey: string): string {
  return `cohort.${cohortId}.${sendKey}`;
}

export interface CohortReminderPreview {
  cohort: Cohort;
  personViews: boolean;
  template: { id: string; name: string };
  /** People chosen, and of them: reminded now, skipped for the cool-down, skipped with nothing open. */
  total: number;
  due: number;
  coolDown: number;
  nothingOpen: number;
  /** The e-mail: the first reminded person's with person-level views, otherwise with the fields named, not filled. */
  sample: ReminderText | null;
  /** One row per person — only with person-level views, otherwise empty. */
  people: Array<Pick<ReminderPreview, 'userId' | 'name' | 'skip' | 'lastReminderAt' | 'courseTitle' | 'dueAt'>>;
}

/** How the e-mail reads when no person may be named: the fields say what each person will see there. */
const NAMED_FIELDS = { name: '[Name]', kurs: '[offener Kurs]', faellig: '[Fälligkeitsdatum]', link: '[Link zum Kurs]' };

/** The cohort of a reminder page and whether people may be named there; NotFound for a cohort the sender does not lead. */
export async function getReminderCohort(ctx: Ctx, cohortId: string): Promise<{ cohort: Cohort; tenantId: string; personViews: boolean }> {
  const scope = await authorize(ctx, 'cohort.view', { cohortId });
  const cohort = await requireCohortIn(ctx, scope, cohortId);
  const tenantId = scope.tenantId as string;
  return { cohort, tenantId, personViews: (await getTenantSettings(ctx.db, tenantId)).multiplierPersonViews };
}

async function audienceOf(
  ctx: Ctx,
  cohortId: string,
  audience: CohortAudience,
): Promise<{ cohort: Cohort; tenantId: string; personViews: boolean; userIds: string[] }> {
  const { cohort, tenantId, personViews } = await getReminderCohort(ctx, cohortId);
  if ('userIds' in audience) {
    if (!personViews)
      throw new ValidationError(
        'Einzelne Personen können Sie nur auswählen, wenn Ihr Landkreis personenbezogene Auswertungen freigeschaltet hat. Bitte wählen Sie einen Status.',
      );
    return { cohort, tenantId, personViews, userIds: [...new Set(audience.userIds)] };
  }
  return { cohort, tenantId, personViews, userIds: await selectCohortMembersByStatus(ctx, cohortId, audience.statuses) };
}

/** The preview of a reminder to members of the cohort; NotFound for another cohort or a person outside this one. */
export async function previewCohortReminders(
  ctx: Ctx,
  cohortId: string,
  input: { audience: CohortAudience; templateId: string },
): Promise<CohortReminderPreview> {
  const { cohort, tenantId, personViews, userIds } = await audienceOf(ctx, cohortId, input.audience);
  const template = await templateOf(ctx, tenantId, input.templateId);
  requireValidReminderText(template);
  const empty = { cohort, personViews, template: { id: template.id, name: template.name }, total: 0, due: 0, coolDown: 0, nothingOpen: 0 };
  // by status nobody may match; a hand-picked empty list is refused by the reminder verb ("mindestens eine Person")
  if (userIds.length === 0 && 'statuses' in input.audience) return { ...empty, sample: null, people: [] };
  const preview = await previewReminders(ctx, {
    userIds,
    templateId: template.id,
    canRemind: oneCohortCanRemind(cohortId),
    as: 'cohort.view',
  });
  const due = preview.filter((p) => !p.skip);
  const first = due[0];
  return {
    ...empty,
    total: preview.length,
    due: due.length,
    coolDown: preview.filter((p) => p.skip === 'cool-down').length,
    nothingOpen: preview.filter((p) => p.skip === 'nothing-open').length,
    sample: !first ? null : personViews ? { subject: first.subject, body: first.body } : renderReminder(template, NAMED_FIELDS),
    people: personViews
      ? preview.map((p) => ({
          userId: p.userId,
          name: p.name,
          skip: p.skip,
          lastReminderAt: p.lastReminderAt,
          courseTitle: p.courseTitle,
          dueAt: p.dueAt,
        }))
      : [],
  };
}

/**
 * Sends the reminders once per `sendKey` (a double click sends nothing more); people chosen by status are chosen
 * again at the moment of sending. Refuses before anything is sent: another cohort, a person outside this cohort,
 * an unknown template.
 */
export async function sendCohortReminders(
  ctx: Ctx,
  cohortId: string,
  input: { audience: CohortAudience; templateId: string; sendKey: string; onProgress?: (done: number, total: number) => void },
): Promise<SendResult> {
  if (!COHORT_SEND_KEY.test(input.sendKey)) {
    await authorize(ctx, 'cohort.view', { cohortId });
    throw new ValidationError('Ungültiger Sendeschlüssel. Bitte die Vorschau neu laden.');
  }
  const { userIds } = await audienceOf(ctx, cohortId, input.audience);
  if (userIds.length === 0 && 'statuses' in input.audience) return { total: 0, queued: 0, coolDown: 0, nothingOpen: 0, alreadySent: 0 };
  return sendReminders(ctx, {
    userIds,
    templateId: input.templateId,
    idempotencyKey: cohortSendKey(cohortId, input.sendKey),
    canRemind: oneCohortCanRemind(cohortId),
    as: 'cohort.view',
    onProgress: input.onProgress,
  });
}

/** Where the sender's send from this cohort's page stands (mails queued, sent, in the outbox, failed). */
export async function getCohortReminderBatch(
  ctx: Ctx,
  cohortId: string,
  sendKey: string,
): Promise<{ cohort: Cohort; total: number; counts: Record<MailStatus, number> }> {
  const scope = await authorize(ctx, 'cohort.view', { cohortId });
  const cohort = await requireCohortIn(ctx, scope, cohortId);
  if (!COHORT_SEND_KEY.test(sendKey)) throw new ValidationError('Diesen Versand gibt es nicht.');
  return { cohort, ...(await getReminderBatch(ctx, cohortSendKey(cohortId, sendKey))) };
}
