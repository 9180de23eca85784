/**
 * The district's outbox (Verwaltung → Postausgang): every mail KIKO queued for people of the district, with its
 * delivery status; without an SMTP server this is where mails are kept, to be read in KIKO or downloaded as .eml.
 * District admins only; an admin limited to an org subtree sees the mails of people in it.
 */
import { and, count, desc, eq, inArray, type SQL } from 'drizzle-orm';
import { mailMessageTable, userTable } from '../../../../db/schema/index.ts';
import type { MailStatus } from '../../../../db/schema/mail.ts';
import { authorize, type Scope } from '../authz/authorize.ts';
import type { Ctx } from '../context.ts';
import { NotFoundError } from '../errors/domain-errors.ts';
import { composeEml, type MailRow } from './compose-mail.ts';
import { mailDelivery } from './mail-config.ts';

export const OUTBOX_PAGE_SIZE = 50;

export interface OutboxEntry {
  id: string;
  to: string;
  subject: string;
  template: string;
  status: MailStatus;
  attempts: number;
  createdAt: Date;
  sentAt: Date | null;
  lastError: string | null;
}

export interface OutboxPage {
  entries: OutboxEntry[];
  page: number;
  pages: number;
  total: number;
  counts: Record<MailStatus, number>;
  /** Whether mails go to an SMTP server (else they stay here). */
  smtp: boolean;
}

function inScope(scope: Scope): SQL {
  const own = eq(mailMessageTable.tenantId, scope.tenantId as string);
  if (!scope.orgUnitIds) return own;
  const people = scope.orgUnitIds.size === 0 ? [''] : [...scope.orgUnitIds];
  return and(own, inArray(userTable.orgUnitId, people)) as SQL;
}

export async function listOutbox(ctx: Ctx, opts: { page?: number; status?: MailStatus } = {}): Promise<OutboxPage> {
  const scope = await authorize(ctx, 'tenant.admin');
  const t = mailMessageTable;
  const where = opts.status ? (and(inScope(scope), eq(t.status, opts.status)) as SQL) : inScope(scope);
  const grouped = await ctx.db
    .select({ status: t.status, n: count() })
    .from(t)
    .leftJoin(userTable, eq(userTable.id, t.userId))
    .where(inScope(scope))
    .groupBy(t.status);
  const counts = { queued: 0, sending: 0, sent: 0, stored: 0, failed: 0 } as Record<MailStatus, number>;
  for (const g of grouped) counts[g.status] = g.n;
  const total = opts.status ? counts[opts.status] : Object.values(counts).reduce((a, b) => a + b, 0);
  const pages = Math.max(1, Math.ceil(total / OUTBOX_PAGE_SIZE));
  const page = Math.min(Math.max(1, opts.page ?? 1), pages);
  const rows = await ctx.db
    .select({
      id: t.id,
      to: t.toAddress,
      subject: t.subject,
      template: t.template,
      status: t.status,
      attempts: t.attempts,
      createdAt: t.createdAt,
      sentAt: t.sentAt,
      lastError: t.lastError,
    })
    .from(t)
    .leftJoin(userTable, eq(userTable.id, t.userId))
    .where(where)
    .orderBy(desc(t.createdAt), desc(t.id))
    .limit(OUTBOX_PAGE_SIZE)
    .offset((page - 1) * OUTBOX_PAGE_SIZE);
  return { entries: rows, page, pages, total, counts, smtp: mailDelivery().mode === 'smtp' };
}

/** Kinds of mail whose text holds a personal link that sets a password. */
const PERSONAL_LINK_TEMPLATES = new Set(['password-reset', 'invitation']);

/** Shown instead of the text of a delivered password mail. */
export const HIDDEN_LINK_TEXT =
  'Diese E-Mail enthält einen persönlichen Link zum Festlegen des Passworts. Sie wurde an die Person versendet; der Text wird hier nicht gezeigt.';

/**
 * One message of the district's outbox; NotFound for another district's or an out-of-scope one. A password mail that
 * went to the SMTP server keeps its link to the person: the admin sees that it was sent, not the link. Without an
 * SMTP server (stored in the outbox) the admin needs the text to pass it on, so it is shown.
 */
export async function getOutboxMessage(ctx: Ctx, id: string): Promise<MailRow> {
  const scope = await authorize(ctx, 'tenant.admin');
  const [row] = await ctx.db
    .select({ m: mailMessageTable })
    .from(mailMessageTable)
    .leftJoin(userTable, eq(userTable.id, mailMessageTable.userId))
    .where(and(eq(mailMessageTable.id, id), inScope(scope)));
  if (!row) throw new NotFoundError('Diese Nachricht gibt es nicht.');
  if (PERSONAL_LINK_TEMPLATES.has(row.m.template) && row.m.status !== 'stored')
    return { ...row.m, bodyText: HIDDEN_LINK_TEXT, bodyHtml: null };
  return row.m;
}

/** The message as .eml file (built by nodemailer's MailComposer). */
export async function getOutboxEml(ctx: Ctx, id: string): Promise<{ filename: string; content: Buffer }> {
  const row = await getOutboxMessage(ctx, id);
  const content = await composeEml(row, mailDelivery().from);
  return { filename: `kiko-nachricht-${row.id.slice(0, 8)}.eml`, content };
}
