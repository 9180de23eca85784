/**
 * `kiko reminders send --tenant T [--status not-started,overdue,refresher-due] [--template ID] [--dry-run]
 *  [--key SCHLÜSSEL] [--operator NAME]`: reminds the people of a district whose status (from the one status rule)
 * matches, with the district's template (default: the standard text). Without `--key` the key is the day, the
 * statuses and the template, so a scheduled run that is repeated the same day sends nothing twice; the cool-down
 * applies as on the web. Mails are queued; `kiko serve` delivers them (or keeps them in the outbox).
 */
import { openDb } from '../../db/client.ts';
import { getEnv } from '../lib/server/config/env.ts';
import { DomainError } from '../lib/server/errors/domain-errors.ts';
import { prepareDatabase } from '../lib/server/evidence/prepare-database.ts';
import { getContent } from '../lib/server/learning/content-registry.ts';
import { previewReminders } from '../lib/server/reminders/preview-reminders.ts';
import { DEFAULT_TEMPLATE_ID, listReminderTemplates } from '../lib/server/reminders/reminder-templates.ts';
import { REMINDER_STATUSES, type ReminderStatus, selectPeopleByStatus } from '../lib/server/reminders/select-by-status.ts';
import { sendReminders } from '../lib/server/reminders/send-reminders.ts';
import { tenantContext } from '../lib/server/tenancy/tenant-context.ts';
import { type CliIo, parseFlags, UsageError } from './io.ts';

const USAGE =
  'kiko reminders send --tenant KÜRZEL [--status not-started,overdue,refresher-due] [--template ID] [--dry-run] [--key SCHLÜSSEL] [--operator NAME]';

export default async function remindersCommand(args: string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== 'send') throw new UsageError(USAGE);
  const f = parseFlags(rest, {
    tenant: 'string',
    status: 'string',
    template: 'string',
    'dry-run': 'boolean',
    key: 'string',
    operator: 'string',
  });
  if (!f.tenant) throw new UsageError(`--tenant ist Pflicht.\n${USAGE}`);
  const statuses = String(f.status ?? 'overdue')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = statuses.filter((s) => !(REMINDER_STATUSES as readonly string[]).includes(s));
  if (unknown.length > 0 || statuses.length === 0)
    throw new UsageError(`Unbekannter Status ${unknown.join(', ')}; erlaubt sind ${REMINDER_STATUSES.join(', ')}.`);
  const templateId = f.template ? String(f.template) : DEFAULT_TEMPLATE_ID;
  const env = getEnv();
  const { db, close } = await openDb({ url: env.DATABASE_URL, authToken: env.DATABASE_AUTH_TOKEN });
  try {
    await prepareDatabase(db);
    const ctx = await tenantContext(db, getContent(), {
      tenantSlug: String(f.tenant),
      ...(f.operator ? { operator: String(f.operator) } : {}),
    });
    // the template first: a wrong id is an error even when nobody is due today
    if (!(await listReminderTemplates(ctx)).some((t) => t.id === templateId)) {
      io.err(`Fehler: Diese Vorlage gibt es nicht („${templateId}“). Vorlagen bearbeiten Sie unter Verwaltung → Erinnerungen.`);
      return 1;
    }
    const userIds = await selectPeopleByStatus(ctx, statuses as ReminderStatus[]);
    if (userIds.length === 0) {
      io.out(`Niemand mit Status ${statuses.join(', ')} – keine Erinnerung nötig.`);
      return 0;
    }
    if (f['dry-run']) {
      const preview = await previewReminders(ctx, { userIds, templateId });
      const due = preview.filter((p) => !p.skip);
      io.out(
        `Probelauf: ${due.length} von ${preview.length} Personen würden erinnert (${preview.length - due.length} in der Sperrfrist oder ohne offenen Kurs).`,
      );
      for (const p of due.slice(0, 10)) io.out(`  ${p.email}: ${p.subject}`);
      if (due.length > 10) io.out(`  … und ${due.length - 10} weitere`);
      io.out('Es wurde nichts versendet.');
      return 0;
    }
    const key = f.key ? String(f.key) : `cli:${new Date().toISOString().slice(0, 10)}:${statuses.join('_')}:${templateId}`;
    const r = await sendReminders(ctx, {
      userIds,
      templateId,
      idempotencyKey: key,
      onProgress: (done, total) => io.out(`Erinnerungen: ${done} von ${total} bearbeitet`),
    });
    io.out(
      `${r.queued} Erinnerungen in den Versand gegeben; ${r.coolDown} in der Sperrfrist, ${r.nothingOpen} ohne offenen Kurs, ${r.alreadySent} mit diesem Schlüssel schon erinnert.`,
    );
    return 0;
  } catch (e) {
    if (e instanceof DomainError) {
      io.err(`Fehler: ${e.message}`);
      return e.status === 400 ? 2 : 1;
    }
    throw e;
  } finally {
    close();
  }
}
