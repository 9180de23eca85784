/** `kiko demo seed` */
import { openDb } from '../../db/client.ts';
import { getEnv } from '../lib/server/config/env.ts';
import { seedDemo } from '../lib/server/demo/seed-demo.ts';
import { prepareDatabase } from '../lib/server/evidence/prepare-database.ts';
import { type CliIo, UsageError } from './io.ts';

export default async function demoCommand(args: string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === 'generate') {
    const { generateCommand } = await import('./demo-generate.ts');
    return generateCommand(rest, io);
  }
  if (sub !== 'seed') throw new UsageError('kiko demo seed | kiko demo generate --tenant T --staff N');
  const env = getEnv();
  const { db, close } = await openDb({ url: env.DATABASE_URL, authToken: env.DATABASE_AUTH_TOKEN });
  try {
    await prepareDatabase(db);
    const r = await seedDemo(db);
    io.out(
      `Demo-Daten: ${r.tenantsCreated} Landkreise, ${r.usersCreated} Demo-Konten und ${r.staffCreated.toLocaleString('de-DE')} weitere Beschäftigte neu angelegt (vorhandene bleiben unverändert).`,
    );
    return 0;
  } finally {
    close();
  }
}
