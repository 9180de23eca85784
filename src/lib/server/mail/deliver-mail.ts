/**
 * The delivery job: sends due queued messages to the SMTP server with nodemailer.
 *
 * - **Retry**: a transient failure (server unreachable, 4xx answer, login refused) keeps the message queued with a
 *   growing pause (30 s, 1 min, 2 min … at most 1 h); after MAX_ATTEMPTS, or at once on a permanent 5xx refusal,
 *   it is marked failed. Messages are never dropped silently: their status and last problem stay visible.
 * - **Once**: a message is claimed (status `sending` until `claimedUntil`) by one atomic UPDATE before it is sent,
 *   so two senders never send the same row; the job itself runs in one process at a time (jobs/job-runner.ts).
 * - **Crash between send and mark**: the claim expires and the message is sent again (at least once, not at most
 *   once: a lost reminder or reset link is worse than a second copy). The second copy carries the same Message-ID,
 *   which mail clients and many servers use to drop duplicates, and the repeat is logged as a warning with the
 *   message's id. See docs/decisions/009-outgoing-mail.md.
 * - Logs name the message id and the SMTP host, never recipients' texts, user names or passwords.
 */
import { and, eq, inArray, lte, or, sql } from 'drizzle-orm';
import { createTransport } from 'nodemailer';
import type { Db } from '../../../../db/client.ts';
import { mailMessageTable } from '../../../../db/schema/index.ts';
import { type MailRow, mailOptionsOf } from './compose-mail.ts';
import { describeSmtp } from './mail-config.ts';

export const MAX_ATTEMPTS = 12;
/** How long a claimed message may take before another run may take it over. */
export const CLAIM_MS = 5 * 60_000;
const BATCH = 50;

/** Pause before attempt n+1 after n failed attempts. */
export function retryDelayMs(attempts: number): number {
  return Math.min(30_000 * 2 ** Math.max(0, attempts - 1), 60 * 60_000);
}

export interface DeliveryResult {
  sent: number;
  retry: number;
  failed: number;
  /** Messages sent again after an interrupted earlier attempt. */
  repeated: number;
}

export interface DeliveryOptions {
  smtpUrl: string;
  from: string;
  now?: Date;
  log?: (line: string) => void;
  /** Connection timeout towards the SMTP server (ms). */
  timeoutMs?: number;
}

/** Claims due messages (queued and due, or left `sending` by an interrupted run); which of them were interrupted. */
async function claim(db: Db, now: Date): Promise<{ rows: MailRow[]; interrupted: Set<string> }> {
  const t = mailMessageTable;
  const dueNow = or(and(eq(t.status, 'queued'), lte(t.nextAttemptAt, now)), and(eq(t.status, 'sending'), lte(t.claimedUntil, now)));
  const due = await db.select({ id: t.id, status: t.status }).from(t).where(dueNow).orderBy(t.nextAttemptAt).limit(BATCH);
  if (due.length === 0) return { rows: [], interrupted: new Set() };
  const rows = await db
    .update(t)
    .set({ status: 'sending', claimedUntil: new Date(now.getTime() + CLAIM_MS), attempts: sql`${t.attempts} + 1` })
    // the condition again: a row another sender claimed meanwhile is left alone
    .where(
      and(
        inArray(
          t.id,
          due.map((d) => d.id),
        ),
        dueNow,
      ),
    )
    .returning();
  return { rows, interrupted: new Set(due.filter((d) => d.status === 'sending').map((d) => d.id)) };
}

/** A short German description of a delivery problem, without credentials. */
function problemOf(error: unknown): { text: string; permanent: boolean } {
  const e = error as { code?: string; responseCode?: number; permanent?: boolean };
  const permanent = e.permanent === true || (typeof e.responseCode === 'number' && e.responseCode >= 500 && e.code !== 'EAUTH');
  if (e.code === 'EAUTH') return { text: 'Anmeldung am SMTP-Server abgelehnt (Zugangsdaten prüfen)', permanent: false };
  if (e.responseCode) return { text: `SMTP-Server antwortet ${e.responseCode}${permanent ? ' (endgültig abgelehnt)' : ''}`, permanent };
  return { text: `SMTP-Server nicht erreichbar (${e.code ?? 'Fehler'})`, permanent: false };
}

export async function deliverQueuedMail(db: Db, opts: DeliveryOptions): Promise<DeliveryResult> {
  const now = opts.now ?? new Date();
  const log = opts.log ?? ((line: string) => console.log(line));
  const result: DeliveryResult = { sent: 0, retry: 0, failed: 0, repeated: 0 };
  const { rows, interrupted } = await claim(db, now);
  if (rows.length === 0) return result;
  const timeout = opts.timeoutMs ?? 10_000;
  // one pooled connection for the whole batch (a new connection per message costs a handshake each)
  const transport = createTransport({
    url: opts.smtpUrl,
    pool: true,
    maxConnections: 1,
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: 30_000,
  });
  const host = describeSmtp(opts.smtpUrl);
  let serverDown = false;
  try {
    for (const row of rows) {
      const t = mailMessageTable;
      if (interrupted.has(row.id)) {
        log(`Warnung: E-Mail ${row.id} wird nach einem unterbrochenen Versand erneut gesendet (gleiche Message-ID).`);
        result.repeated++;
      }
      if (serverDown) {
        // the server was unreachable a moment ago: keep the rest queued without hammering it
        await db
          .update(t)
          .set({
            status: 'queued',
            attempts: row.attempts - 1,
            nextAttemptAt: new Date(now.getTime() + retryDelayMs(row.attempts)),
            claimedUntil: null,
          })
          .where(eq(t.id, row.id));
        result.retry++;
        continue;
      }
      try {
        await transport.sendMail(mailOptionsOf(row, opts.from));
        await db.update(t).set({ status: 'sent', sentAt: new Date(), claimedUntil: null, lastError: null }).where(eq(t.id, row.id));
        result.sent++;
      } catch (error) {
        const problem = problemOf(error);
        const final = problem.permanent || row.attempts >= MAX_ATTEMPTS;
        if (!problem.permanent && !(error as { responseCode?: number }).responseCode) serverDown = true;
        await db
          .update(t)
          .set({
            status: final ? 'failed' : 'queued',
            claimedUntil: null,
            lastError: problem.text,
            nextAttemptAt: new Date(now.getTime() + retryDelayMs(row.attempts)),
          })
          .where(eq(t.id, row.id));
        if (final) result.failed++;
        else result.retry++;
        log(`E-Mail ${row.id} über ${host}: ${problem.text}${final ? ' — aufgegeben' : ' — neuer Versuch später'}.`);
      }
    }
  } finally {
    transport.close();
  }
  return result;
}
