/**
 * `kiko serve`: checks the configuration, migrates, checks the certificate keys and seeds the demo districts
 * in demo mode (serve-prepare.ts, in a short-lived child process), then starts the built Astro server
 * (dist/server/entry.mjs) on HOST:PORT — in this process, or with KIKO_WORKERS > 1 in that many worker
 * processes sharing the port (node:cluster; the primary only supervises them, see serve-cluster.ts).
 * KIKO owns the HTTP server (Astro's Node adapter runs in middleware mode and only renders) so every request passes
 * the body limit (body-limit.ts) before any route runs, the built browser files are served from a list made at the
 * start (built-files.ts), and every answer, static files included, carries the security headers (security-headers.ts).
 */
import { fork } from 'node:child_process';
import cluster from 'node:cluster';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { publicUrlProblem } from '../lib/server/certificates/certificate-config.ts';
import { getEnv, isDemoMode } from '../lib/server/config/env.ts';
import { limitRequestBodies } from '../lib/server/http/body-limit.ts';
import { withBuiltFiles } from '../lib/server/http/built-files.ts';
import { withCompression } from '../lib/server/http/compress.ts';
import { withSecurityHeaders } from '../lib/server/http/security-headers.ts';
import { parseTrustedProxies } from '../lib/server/http/trusted-proxy.ts';
import type { CliIo } from './io.ts';
import type { PrepareMessage } from './serve-prepare.ts';

export default async function serveCommand(_args: string[], io: CliIo): Promise<number> {
  const env = getEnv();
  const entry = join(process.cwd(), 'dist', 'server', 'entry.mjs');
  const startServer = async (): Promise<void> => {
    process.env.HOST = env.HOST;
    process.env.PORT = String(env.PORT);
    const { handler } = (await import(pathToFileURL(entry).href)) as {
      handler: (req: IncomingMessage, res: ServerResponse) => unknown;
    };
    // security headers first, so that every answer has them, also the body limit's 413 and static files; then
    // compression, then the built browser files, then the body limit before any route
    const built = join(process.cwd(), 'dist', 'client');
    const server = createServer(
      withSecurityHeaders(withCompression(withBuiltFiles(built, limitRequestBodies(handler))), parseTrustedProxies(env.KIKO_TRUST_PROXY)),
    );
    server.listen(env.PORT, env.HOST);
    await once(server, 'listening');
  };
  // refuses to start in production without KIKO_PUBLIC_URL: certificate links never come from a Host header
  const missingUrl = publicUrlProblem(env);
  if (missingUrl) {
    io.err(missingUrl);
    return 1;
  }
  if (cluster.isWorker) {
    // a worker forked by the primary below: the primary has checked, migrated and seeded already
    await startServer();
    return 0;
  }
  if (!existsSync(entry)) {
    io.err('KIKO ist noch nicht gebaut: bitte `npm start` (baut und startet) oder zuerst `npm run build` ausführen.');
    return 1;
  }
  if (!(await prepareInChild(io))) return 1;
  // `kiko db restore` refuses while this file names a live process (removed again on exit)
  const { databaseFilePath, holdServerPidFile } = await import('../lib/server/operations/server-pid-file.ts');
  const dbPath = databaseFilePath(env.DATABASE_URL);
  if (dbPath) {
    holdServerPidFile(dbPath);
    // the log is copied back into the file by a thread of its own, not by a request's commit (db/wal-checkpoints.ts);
    // set before the server and its workers open their connections
    const { WAL_CHECKPOINTS_ENV, startWalCheckpointer } = await import('../../db/wal-checkpoints.ts');
    process.env[WAL_CHECKPOINTS_ENV] = 'background';
    startWalCheckpointer(env.DATABASE_URL, (line) => io.err(line));
  }
  const workers = env.KIKO_WORKERS === 'auto' ? availableParallelism() : env.KIKO_WORKERS;
  if (workers > 1) {
    const { superviseWorkers } = await import('./serve-cluster.ts');
    await superviseWorkers(workers, io);
  } else await startServer();
  // a single server ends through process.exit once its jobs have given their leases back, so exit handlers (the pid
  // file) run; the cluster primary does the same (serve-cluster.ts)
  await startJobs(env, io, workers === 1);
  io.out(
    `\nKIKO läuft auf http://${env.HOST === '127.0.0.1' ? 'localhost' : env.HOST}:${env.PORT}${workers > 1 ? ` (${workers} Serverprozesse)` : ''}`,
  );
  if (isDemoMode(env)) {
    const { DEMO_LOGINS, DEMO_PASSWORD } = await import('../lib/server/demo/demo-logins.ts');
    io.out(`Demo-Anmeldungen (Passwort für alle: ${DEMO_PASSWORD}):`);
    for (const l of DEMO_LOGINS) io.out(`  ${l.email.padEnd(40)} ${l.role}`);
  }
  return 0;
}

/**
 * Scheduled jobs (mail delivery, retention) run once per server: here, in the single server process or the cluster's primary
 * (workers only serve requests); their leases (jobs/job-runner.ts) keep each job in one process also when several
 * servers share the database. A job's failure is logged and never stops the server.
 */
async function startJobs(env: ReturnType<typeof getEnv>, io: CliIo, ownSignals: boolean): Promise<void> {
  try {
    const { openDb } = await import('../../db/client.ts');
    const { startServerJobs } = await import('../lib/server/jobs/server-jobs.ts');
    const { describeSmtp, mailDelivery } = await import('../lib/server/mail/mail-config.ts');
    const { db } = await openDb({ url: env.DATABASE_URL, authToken: env.DATABASE_AUTH_TOKEN });
    const { getContent } = await import('../lib/server/learning/content-registry.ts');
    const runner = startServerJobs(db, env, (line) => io.err(line), getContent);
    for (const signal of ['SIGTERM', 'SIGINT'] as const)
      process.once(signal, () => {
        // give the leases back (at most 5 s); a single server then ends through process.exit, a cluster's primary
        // ends through its own handler (serve-cluster.ts)
        const stopped = Promise.race([runner.stop(), new Promise((r) => setTimeout(r, 5_000).unref())]);
        if (ownSignals) void stopped.finally(() => process.exit(0));
      });
    const delivery = mailDelivery(env);
    io.out(
      delivery.mode === 'smtp'
        ? `E-Mails werden über ${describeSmtp(delivery.smtpUrl)} versendet.`
        : 'Kein SMTP-Server eingerichtet (KIKO_SMTP_URL): E-Mails bleiben im Postausgang (Verwaltung → Postausgang).',
    );
  } catch (error) {
    io.err(`Geplante Aufgaben konnten nicht starten: ${(error as Error).message}`);
    if (ownSignals) for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => process.exit(0));
  }
}

/** Runs serve-prepare.ts in a child process, passing its output through; whether the server may start. */
function prepareInChild(io: CliIo): Promise<boolean> {
  return new Promise((resolve) => {
    const child = fork(fileURLToPath(new URL('./serve-prepare.ts', import.meta.url)), ['--kiko-prepare'], { stdio: 'inherit' });
    let ok = false;
    child.on('message', (m: PrepareMessage) => {
      if (m.type === 'out') io.out(m.line);
      else if (m.type === 'err') io.err(m.line);
      else if (m.type === 'done') ok = m.ok;
    });
    child.on('error', (e: Error) => io.err(`Fehler beim Vorbereiten: ${e.message}`));
    child.on('exit', () => resolve(ok));
  });
}
