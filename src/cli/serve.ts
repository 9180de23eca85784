/**
 * `kiko serve`: checks the configuration, migrates, seeds the demo districts in demo mode, then starts
 * the built Astro server (dist/server/entry.mjs) on HOST:PORT.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { openDb } from '../../db/client.ts';
import { runMigrations } from '../../db/migrate.ts';
import { certificateConfig } from '../lib/server/certificates/certificate-config.ts';
import { assertCertificateKeys } from '../lib/server/certificates/tenant-key-ring.ts';
import { getEnv, isDemoMode } from '../lib/server/config/env.ts';
import { DEMO_LOGINS, DEMO_PASSWORD, seedDemo } from '../lib/server/demo/seed-demo.ts';
import type { CliIo } from './io.ts';

export default async function serveCommand(_args: string[], io: CliIo): Promise<number> {
  const env = getEnv();
  const entry = join(process.cwd(), 'dist', 'server', 'entry.mjs');
  if (!existsSync(entry)) {
    io.err('KIKO ist noch nicht gebaut: bitte `npm start` (baut und startet) oder zuerst `npm run build` ausführen.');
    return 1;
  }
  let handle: Awaited<ReturnType<typeof openDb>>;
  try {
    handle = await openDb({ url: env.DATABASE_URL, authToken: env.DATABASE_AUTH_TOKEN });
    await runMigrations(handle.db);
  } catch (e) {
    io.err(`Die Datenbank ${env.DATABASE_URL} lässt sich nicht öffnen oder migrieren: ${(e as Error).message}`);
    io.err('Prüfen Sie, ob der Ordner beschreibbar ist und kein anderer Prozess die Datei sperrt.');
    return 1;
  }
  try {
    await assertCertificateKeys(handle.db, certificateConfig().keyDir);
  } catch (e) {
    io.err(`Zertifikate: ${(e as Error).message}`);
    handle.close();
    return 1;
  }
  if (isDemoMode(env)) {
    const r = await seedDemo(handle.db);
    if (r.usersCreated > 0) io.out(`Demo-Daten angelegt: ${r.tenantsCreated} Landkreise, ${r.usersCreated} Konten.`);
  }
  handle.close();
  process.env.HOST = env.HOST;
  process.env.PORT = String(env.PORT);
  await import(pathToFileURL(entry).href);
  io.out(`\nKIKO läuft auf http://${env.HOST === '127.0.0.1' ? 'localhost' : env.HOST}:${env.PORT}`);
  if (isDemoMode(env)) {
    io.out(`Demo-Anmeldungen (Passwort für alle: ${DEMO_PASSWORD}):`);
    for (const l of DEMO_LOGINS) io.out(`  ${l.email.padEnd(40)} ${l.role}`);
  }
  return 0;
}
