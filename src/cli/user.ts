/** `kiko user create --tenant T --email E --name N [--role R,...] [--job-role J] [--password P]` */
import { openDb } from '../../db/client.ts';
import { getEnv } from '../lib/server/config/env.ts';
import { DomainError } from '../lib/server/errors/domain-errors.ts';
import { prepareDatabase } from '../lib/server/evidence/prepare-database.ts';
import { createUser } from '../lib/server/users/create-user.ts';
import { type CliIo, parseFlags, UsageError } from './io.ts';

const USAGE =
  'kiko user create --tenant KÜRZEL --email E-MAIL --name "NAME" [--role learner,hr,…] [--job-role sachbearbeitung] [--password PASSWORT]';

export default async function userCommand(args: string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== 'create') throw new UsageError(USAGE);
  const f = parseFlags(rest, {
    tenant: 'string',
    email: 'string',
    name: 'string',
    role: 'string',
    'job-role': 'string',
    password: 'string',
  });
  if (!f.email || !f.name) throw new UsageError(`--email und --name sind Pflicht.\n${USAGE}`);
  const env = getEnv();
  const { db, close } = await openDb({ url: env.DATABASE_URL, authToken: env.DATABASE_AUTH_TOKEN });
  try {
    await prepareDatabase(db);
    const { id } = await createUser(db, {
      tenant: f.tenant ? String(f.tenant) : undefined,
      email: String(f.email),
      name: String(f.name),
      roles: f.role ? (String(f.role).split(',') as never) : undefined,
      jobRole: f['job-role'] ? (String(f['job-role']) as never) : undefined,
      password: f.password ? String(f.password) : undefined,
    });
    io.out(`Konto angelegt: ${String(f.email).toLowerCase()} (${id})`);
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
