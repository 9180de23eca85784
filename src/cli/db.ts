/** `kiko db migrate` */
import { openDb } from '../../db/client.ts';
import { getEnv } from '../lib/server/config/env.ts';
import { prepareDatabase } from '../lib/server/evidence/prepare-database.ts';
import { type CliIo, UsageError } from './io.ts';

export default async function dbCommand(args: string[], io: CliIo): Promise<number> {
  if (args[0] !== 'migrate') throw new UsageError('kiko db migrate');
  const env = getEnv();
  const { db, close } = await openDb({ url: env.DATABASE_URL, authToken: env.DATABASE_AUTH_TOKEN });
  try {
    await prepareDatabase(db);
    io.out(`Datenbank ist auf dem neuesten Stand (${env.DATABASE_URL}).`);
    return 0;
  } finally {
    close();
  }
}
