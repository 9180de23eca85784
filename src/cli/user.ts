/**
 * `kiko user create --tenant T --email E --name N [--role R,...] [--job-role J] [--password P] [--invite]`
 *  (`--invite`: mails the person a link to set their password)
 * `kiko user unlock --email E` (lifts the login lock of an account)
 * `kiko user erase --tenant T --email E` (erasure that keeps the evidence: pseudonymised, audit parts cleared)
 * Commands act as the system ("system:kiko-cli") or, with `--operator NAME`, as that operator; the audit log records it.
 */

import { eq } from 'drizzle-orm';
import { openDb } from '../../db/client.ts';
import { tenantTable, userTable } from '../../db/schema/index.ts';
import { unlockLogin } from '../lib/server/auth/unlock-login.ts';
import { getEnv } from '../lib/server/config/env.ts';
import { DomainError } from '../lib/server/errors/domain-errors.ts';
import { prepareDatabase } from '../lib/server/evidence/prepare-database.ts';
import { getContent } from '../lib/server/learning/content-registry.ts';
import { operatorNameSchema, tenantContext } from '../lib/server/tenancy/tenant-context.ts';
import { createUser } from '../lib/server/users/create-user.ts';
import { erasePerson } from '../lib/server/users/erase-person.ts';
import { sendInvitation } from '../lib/server/users/send-invitation.ts';
import { formatDateTime } from '../lib/shared/format.ts';
import { type CliIo, parseFlags, UsageError } from './io.ts';

const USAGE =
  'kiko user create --tenant KÜRZEL --email E-MAIL --name "NAME" [--role learner,hr,…] [--job-role sachbearbeitung] [--password PASSWORT] [--invite]\n' +
  'kiko user unlock --email E-MAIL\n' +
  'kiko user erase --tenant KÜRZEL --email E-MAIL [--operator NAME]';

export default async function userCommand(args: string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === 'unlock') return unlockCommand(rest, io);
  if (sub === 'erase') return eraseCommand(rest, io);
  if (sub !== 'create') throw new UsageError(USAGE);
  const f = parseFlags(rest, {
    tenant: 'string',
    email: 'string',
    name: 'string',
    role: 'string',
    'job-role': 'string',
    password: 'string',
    operator: 'string',
    invite: 'boolean',
  });
  if (f.invite && !f.tenant) throw new UsageError(`--invite braucht --tenant.\n${USAGE}`);
  if (!f.email || !f.name) throw new UsageError(`--email und --name sind Pflicht.\n${USAGE}`);
  const env = getEnv();
  const { db, close } = await openDb({ url: env.DATABASE_URL, authToken: env.DATABASE_AUTH_TOKEN });
  try {
    await prepareDatabase(db);
    const { id } = await createUser(
      db,
      {
        tenant: f.tenant ? String(f.tenant) : undefined,
        email: String(f.email),
        name: String(f.name),
        roles: f.role ? (String(f.role).split(',') as never) : undefined,
        jobRole: f['job-role'] ? (String(f['job-role']) as never) : undefined,
        password: f.password ? String(f.password) : undefined,
      },
      { actorId: f.operator ? `operator:${operatorNameSchema.parse(f.operator)}` : 'system:kiko-cli' },
    );
    io.out(`Konto angelegt: ${String(f.email).toLowerCase()} (${id})`);
    if (f.invite) {
      const ctx = await tenantContext(db, getContent(), {
        tenantSlug: String(f.tenant),
        ...(f.operator ? { operator: String(f.operator) } : {}),
      });
      const { expiresAt } = await sendInvitation(ctx, id);
      io.out(`Einladung per E-Mail in den Versand gegeben (Link gültig bis ${formatDateTime(expiresAt)} Uhr).`);
    }
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

/** `kiko user unlock --email E`: removes the login counters of the account (after a lock by someone's guesses). */
async function unlockCommand(args: string[], io: CliIo): Promise<number> {
  const f = parseFlags(args, { email: 'string' });
  if (!f.email) throw new UsageError(`--email ist Pflicht.\n${USAGE}`);
  const env = getEnv();
  const { db, close } = await openDb({ url: env.DATABASE_URL, authToken: env.DATABASE_AUTH_TOKEN });
  try {
    await prepareDatabase(db);
    const { removed } = await unlockLogin(db, 'cli', { email: String(f.email) });
    io.out(`Anmeldung für ${String(f.email).trim().toLowerCase()} entsperrt (${removed} Zähler entfernt).`);
    return 0;
  } catch (e) {
    if (e instanceof DomainError) {
      io.err(`Fehler: ${e.message}`);
      return 1;
    }
    throw e;
  } finally {
    close();
  }
}

/** `kiko user erase --tenant T --email E`: erasure of a person that keeps the evidence verifiable. */
async function eraseCommand(args: string[], io: CliIo): Promise<number> {
  const f = parseFlags(args, { tenant: 'string', email: 'string', operator: 'string' });
  if (!f.tenant || !f.email) throw new UsageError(`--tenant und --email sind Pflicht.\n${USAGE}`);
  const env = getEnv();
  const { db, close } = await openDb({ url: env.DATABASE_URL, authToken: env.DATABASE_AUTH_TOKEN });
  try {
    await prepareDatabase(db);
    const ctx = await tenantContext(db, getContent(), {
      tenantSlug: String(f.tenant),
      ...(f.operator ? { operator: String(f.operator) } : {}),
    });
    const [tenant] = await db
      .select()
      .from(tenantTable)
      .where(eq(tenantTable.slug, String(f.tenant)));
    if (!tenant) throw new UsageError(`Landkreis "${String(f.tenant)}" gibt es nicht.`);
    const [user] = await db
      .select({ id: userTable.id, tenantId: userTable.tenantId })
      .from(userTable)
      .where(eq(userTable.email, String(f.email).trim().toLowerCase()));
    if (!user || user.tenantId !== tenant.id) {
      io.err(`Fehler: Eine Person mit ${String(f.email)} gibt es in diesem Landkreis nicht.`);
      return 1;
    }
    const { auditPartsCleared } = await erasePerson(ctx, user.id);
    io.out(
      `Personenbezogene Daten gelöscht (${auditPartsCleared} Audit-Einträge geleert); Lernnachweise bleiben pseudonymisiert erhalten.`,
    );
    return 0;
  } catch (e) {
    if (e instanceof DomainError) {
      io.err(`Fehler: ${e.message}`);
      return 1;
    }
    throw e;
  } finally {
    close();
  }
}
