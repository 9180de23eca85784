/**
 * `kiko db migrate`
 * `kiko db backup DATEI [--force]`: consistent copy of the embedded database while KIKO runs
 * `kiko db restore DATEI [--force] [--operator NAME]`: disaster recovery from such a copy
 * Exit codes: 0 done, 1 refused (a server runs, the backup is damaged, the target exists), 2 wrong call.
 */
import { existsSync, statSync } from 'node:fs';
import { openDb } from '../../db/client.ts';
import { getEnv } from '../lib/server/config/env.ts';
import { prepareDatabase } from '../lib/server/evidence/prepare-database.ts';
import { BackupRefusedError, backupDatabase } from '../lib/server/operations/backup-database.ts';
import { recordBackup } from '../lib/server/operations/backup-record.ts';
import {
  BackupInvalidError,
  completeRestore,
  discardRestore,
  type PreparedRestore,
  prepareRestore,
} from '../lib/server/operations/restore-database.ts';
import { databaseFilePath, runningServer } from '../lib/server/operations/server-pid-file.ts';
import { operatorNameSchema } from '../lib/server/tenancy/tenant-context.ts';
import { type CliIo, parseFlags, UsageError } from './io.ts';

const USAGE = `kiko db migrate
      Datenbank-Migrationen anwenden
  kiko db backup DATEI [--force]
      konsistente Sicherung der Datenbank, auch während KIKO läuft (--force: vorhandene Datei überschreiben)
  kiko db restore DATEI [--force] [--operator NAME]
      Datenbank aus einer Sicherung wiederherstellen; verweigert, solange ein KIKO-Server auf ihr läuft
      (--force: trotzdem). Die bisherige Datenbank bleibt als DATENBANK.vor-wiederherstellung-<Zeit> erhalten.
  Exit-Code: 0 erledigt, 1 verweigert, 2 Aufruffehler`;

const secondsFmt = new Intl.DateTimeFormat('de-DE', {
  day: '2-digit',
  month: '2-digit',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  timeZone: 'Europe/Berlin',
});
const when = (d: Date | null): string => (d ? `${secondsFmt.format(d)} Uhr` : '–');
const count = (n: number, one: string, many: string): string => `${n.toLocaleString('de-DE')} ${n === 1 ? one : many}`;

function size(bytes: number): string {
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toLocaleString('de-DE', { maximumFractionDigits: 1 })} KB`;
  return `${(bytes / 1024 / 1024).toLocaleString('de-DE', { maximumFractionDigits: 1 })} MB`;
}

/** The embedded database file of the configuration; a usage error for a remote libSQL server. */
function localDatabase(): string {
  const path = databaseFilePath(getEnv().DATABASE_URL);
  if (!path)
    throw new UsageError(
      'Sicherung und Wiederherstellung gelten nur für eine eingebettete Datenbank (DATABASE_URL=file:…); ' +
        'einen libSQL-Server sichern Sie mit dessen eigenen Werkzeugen.',
    );
  return path;
}

async function migrate(io: CliIo): Promise<number> {
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

async function backup(args: string[], io: CliIo): Promise<number> {
  const f = parseFlags(args, { force: 'boolean' });
  const [target, ...extra] = f._;
  if (!target || extra.length > 0) throw new UsageError(`Bitte genau eine Zieldatei angeben.\n${USAGE}`);
  const dbPath = localDatabase();
  try {
    const r = await backupDatabase(dbPath, target, { force: f.force === true });
    // the operator console shows the last backup: one entry in the platform's audit chain of the live database
    const env = getEnv();
    const live = await openDb({ url: env.DATABASE_URL, authToken: env.DATABASE_AUTH_TOKEN });
    try {
      await recordBackup(live.db, r, { actorId: `operator:${process.env.USER || 'kiko-cli'}` });
    } catch (e) {
      io.err(`Hinweis: Die Sicherung ist vollständig, aber ihr Eintrag im Protokoll fehlt (${(e as Error).message}).`);
    } finally {
      live.close();
    }
    io.out(`Sicherung geschrieben: ${r.file} (${size(r.bytes)}).`);
    io.out(`  Neuester Eintrag im Lernnachweis: ${when(r.newestRecord)}; im Audit-Protokoll: ${when(r.newestAudit)}.`);
    io.out(`  Wiederherstellen: npx kiko db restore ${target}`);
    return 0;
  } catch (e) {
    if (e instanceof BackupRefusedError) {
      io.err(`Fehler: ${e.message}`);
      return 1;
    }
    throw e;
  }
}

function describeLoss(p: PreparedRestore, io: CliIo): void {
  const t = when(p.backupOf);
  const { loss } = p;
  if (!loss.exists) {
    io.out('Es gibt noch keine Datenbank; es geht nichts verloren.');
    return;
  }
  if (!loss.readable) {
    io.out(`Die aktuelle Datenbank lässt sich nicht lesen. Alles, was sie nach dem ${t} aufgezeichnet hat, geht verloren.`);
    return;
  }
  io.out(
    `Verloren geht alles, was nach dem neuesten Eintrag der Sicherung (${t}) aufgezeichnet wurde: ` +
      `${count(loss.learningFacts, 'Eintrag', 'Einträge')} im Lernnachweis und ${count(loss.auditEntries, 'Eintrag', 'Einträge')} im Audit-Protokoll.`,
  );
  if (loss.certificatesIssued > 0)
    io.out(
      `  Darunter ${count(loss.certificatesIssued, 'ausgestelltes Zertifikat', 'ausgestellte Zertifikate')}: ` +
        'Die Prüfseite kennt sie danach nicht mehr (auch die Nachweise, auf denen sie beruhen, gehen verloren).',
    );
}

async function restore(args: string[], io: CliIo): Promise<number> {
  const f = parseFlags(args, { force: 'boolean', operator: 'string' });
  const [file, ...extra] = f._;
  if (!file || extra.length > 0) throw new UsageError(`Bitte genau eine Sicherungsdatei angeben.\n${USAGE}`);
  let actorId = 'system:kiko-cli';
  if (f.operator !== undefined) {
    const name = operatorNameSchema.safeParse(f.operator);
    if (!name.success) throw new UsageError(name.error.issues[0]?.message ?? 'Ungültiger Name.');
    actorId = `operator:${name.data}`;
  }
  const dbPath = localDatabase();
  if (!existsSync(file) || !statSync(file).isFile()) throw new UsageError(`Die Sicherungsdatei „${file}“ gibt es nicht.`);
  const server = runningServer(dbPath);
  if (server && f.force !== true) {
    io.err(
      `Verweigert: Auf der Datenbank ${dbPath} läuft ein KIKO-Server (Prozess ${server.pid}, gestartet ${when(new Date(server.startedAt))}). ` +
        'Bitte den Server zuerst beenden (oder --force angeben, wenn er sicher nicht mehr schreibt).',
    );
    return 1;
  }
  let prepared: PreparedRestore;
  try {
    prepared = await prepareRestore(dbPath, file);
  } catch (e) {
    if (e instanceof BackupInvalidError) {
      io.err(`Verweigert: ${e.message} Die Datenbank wurde nicht verändert.`);
      return 1;
    }
    throw e;
  }
  describeLoss(prepared, io);
  if (prepared.migrated > 0) io.out(`Die Sicherung stammt von einer älteren KIKO-Version; ${prepared.migrated} Migrationen angewendet.`);
  let done: Awaited<ReturnType<typeof completeRestore>>;
  try {
    done = await completeRestore(prepared, { actorId });
  } catch (e) {
    discardRestore(prepared);
    throw e;
  }
  io.out(`Wiederhergestellt aus der Sicherung vom ${when(prepared.backupOf)} (${file}).`);
  if (done.keptAs) io.out(`  Die bisherige Datenbank bleibt erhalten als ${done.keptAs}.`);
  io.out(
    `  In ${count(done.auditEvents, 'Audit-Protokoll', 'Audit-Protokollen')} ist die Wiederherstellung vermerkt (Lücke sichtbar; prüfen: npx kiko audit verify --tenant KÜRZEL).`,
  );
  if (server) io.out(`  Achtung: Der Server (Prozess ${server.pid}) arbeitet noch mit der alten Datei; bitte sofort neu starten.`);
  return 0;
}

export default async function dbCommand(args: string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = args;
  switch (sub) {
    case 'migrate':
      return migrate(io);
    case 'backup':
      return backup(rest, io);
    case 'restore':
      return restore(rest, io);
    default:
      throw new UsageError(sub ? `Unbekannter Unterbefehl „${sub}“.\n${USAGE}` : USAGE);
  }
}
