/**
 * What `kiko serve` does before the web server starts: migrate the database, check the certificate keys,
 * seed the demo districts in demo mode. Runs in a short-lived child process (see serve.ts), so the modules
 * it loads (drizzle unbundled, migrations, demo data, argon2) never occupy the server process: the server
 * then starts at about 110 MB instead of 285 MB. (A worker thread gave back only part of that memory.)
 */
import { openDb } from '../../db/client.ts';
import { certificateConfig } from '../lib/server/certificates/certificate-config.ts';
import { assertCertificateKeys } from '../lib/server/certificates/tenant-key-ring.ts';
import { getEnv, isDemoMode } from '../lib/server/config/env.ts';
import { seedDemo } from '../lib/server/demo/seed-demo.ts';
import { prepareDatabase } from '../lib/server/evidence/prepare-database.ts';

export type PrepareMessage = { type: 'out' | 'err'; line: string } | { type: 'done'; ok: boolean };

export async function prepareServer(say: (m: PrepareMessage) => void): Promise<boolean> {
  const env = getEnv();
  let handle: Awaited<ReturnType<typeof openDb>>;
  try {
    handle = await openDb({ url: env.DATABASE_URL, authToken: env.DATABASE_AUTH_TOKEN });
    await prepareDatabase(handle.db);
  } catch (e) {
    say({ type: 'err', line: `Die Datenbank ${env.DATABASE_URL} lässt sich nicht öffnen oder migrieren: ${(e as Error).message}` });
    say({ type: 'err', line: 'Prüfen Sie, ob der Ordner beschreibbar ist und kein anderer Prozess die Datei sperrt.' });
    return false;
  }
  try {
    try {
      await assertCertificateKeys(handle.db, certificateConfig().keyDir);
    } catch (e) {
      say({ type: 'err', line: `Zertifikate: ${(e as Error).message}` });
      return false;
    }
    if (isDemoMode(env)) {
      const r = await seedDemo(handle.db);
      if (r.usersCreated > 0 || r.staffCreated > 0)
        say({
          type: 'out',
          line: `Demo-Daten angelegt: ${r.tenantsCreated} Landkreise, ${r.usersCreated} Demo-Konten${r.staffCreated > 0 ? ` und ${r.staffCreated.toLocaleString('de-DE')} weitere Beschäftigte mit zwei Jahren Lernverlauf` : ''}.`,
        });
    }
    return true;
  } finally {
    handle.close();
  }
}

if (process.send && process.argv.includes('--kiko-prepare')) {
  const send = (m: PrepareMessage): void => void process.send?.(m);
  prepareServer(send)
    .catch((e: Error) => {
      send({ type: 'err', line: e.message });
      return false;
    })
    .then((ok) => {
      send({ type: 'done', ok });
      process.disconnect?.();
    });
}
