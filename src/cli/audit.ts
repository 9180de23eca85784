/**
 * `kiko audit …`: verification of a district's audit chain (in the database or as an exported file), export for
 * auditors and signed checkpoints. Thin: parses flags, calls one lib verb, prints German output.
 * Exit codes: 0 intact, 1 broken (the first broken entry is named), 2 wrong call or unreadable file.
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { SingleBar } from 'cli-progress';
import { type Db, openDb } from '../../db/client.ts';
import { runMigrations } from '../../db/migrate.ts';
import { auditKeyRing, resolveAuditChain } from '../lib/server/audit/audit-chain-ref.ts';
import { type AuditCheckpoint, parseCheckpoint, trustedKeysOf } from '../lib/server/audit/audit-checkpoint.ts';
import type { AuditVerification } from '../lib/server/audit/chain-verifier.ts';
import { exportAuditLog } from '../lib/server/audit/export-audit-log.ts';
import { verifyAuditChain } from '../lib/server/audit/verify-audit-chain.ts';
import { verifyAuditExport } from '../lib/server/audit/verify-audit-export.ts';
import { writeCheckpoint } from '../lib/server/audit/write-checkpoint.ts';
import { certificateConfig } from '../lib/server/certificates/certificate-config.ts';
import { DomainError } from '../lib/server/errors/domain-errors.ts';
import { type CliIo, parseFlags, processIo, UsageError } from './io.ts';

const USAGE = `kiko audit verify --tenant KÜRZEL [--checkpoint DATEI]
      Audit-Protokoll des Landkreises in der Datenbank prüfen (--platform: Plattform-Protokoll);
      mit --checkpoint zusätzlich gegen einen aufbewahrten signierten Kontrollpunkt
  kiko audit verify --file EXPORT [--checkpoint DATEI]
      exportiertes Protokoll ohne Datenbank prüfen
  kiko audit export --tenant KÜRZEL --out DATEI
      Protokoll als JSON-Lines-Datei mit frischem signiertem Kontrollpunkt exportieren
  kiko audit checkpoint --tenant KÜRZEL [--out DATEI]
      signierten Kontrollpunkt des aktuellen Stands schreiben (und als Datei zum Aufbewahren ausgeben)
  Exit-Code: 0 in Ordnung, 1 Protokoll gebrochen, 2 Aufruffehler`;

/** What the command works with; tests pass their own. */
export interface AuditContext {
  db: Db | null;
  keyDir: string;
  /** Show a progress bar (interactive terminal). */
  tty: boolean;
}

const entriesLabel = (n: number): string => `${n.toLocaleString('de-DE')} ${n === 1 ? 'Eintrag' : 'Einträge'}`;

function progress(ctx: AuditContext): { update: (done: number, total: number) => void; stop: () => void } {
  if (!ctx.tty) return { update: () => {}, stop: () => {} };
  const bar = new SingleBar({ format: 'Prüfe [{bar}] {value}/{total} Einträge', hideCursor: true });
  let started = false;
  return {
    update: (done, total) => {
      if (!started) {
        bar.start(Math.max(total, done), 0);
        started = true;
      }
      bar.setTotal(Math.max(total, done));
      bar.update(done);
    },
    stop: () => {
      if (started) bar.stop();
    },
  };
}

function readCheckpointFile(file: string): AuditCheckpoint {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new UsageError(`Die Kontrollpunkt-Datei „${file}“ lässt sich nicht lesen: ${(e as Error).message}`);
  }
  const cp = parseCheckpoint(value);
  if (!cp) throw new UsageError(`Die Datei „${file}“ ist kein KIKO-Kontrollpunkt.`);
  return cp;
}

function chainArg(f: { tenant?: string | boolean; platform?: string | boolean }): string {
  if (f.platform) return '';
  if (!f.tenant || typeof f.tenant !== 'string') throw new UsageError(`--tenant (oder --platform) ist Pflicht.\n${USAGE}`);
  return f.tenant;
}

function printResult(label: string, r: AuditVerification, io: CliIo): number {
  if (r.ok) {
    io.out(`IN ORDNUNG: ${label}: ${entriesLabel(r.entries)} geprüft, lückenlos verkettet, unverändert.`);
    io.out(
      r.checkpoints > 0
        ? `  Kontrollpunkte: ${r.checkpoints} gültig signiert (${r.keyIds.join(', ')}).`
        : '  Kontrollpunkte: keine (ohne Kontrollpunkt bleibt ein gekürztes Ende unentdeckt: kiko audit checkpoint).',
    );
    return 0;
  }
  const b = r.firstBroken;
  io.out(`GEBROCHEN: ${label}: erster fehlerhafter Eintrag ${b?.seq}: ${b?.reason}`);
  io.out(`  ${entriesLabel(r.entries)} gelesen.`);
  return 1;
}

async function verify(rest: string[], ctx: AuditContext, io: CliIo): Promise<number> {
  const f = parseFlags(rest, { tenant: 'string', platform: 'boolean', file: 'string', checkpoint: 'string' });
  const checkpoint = f.checkpoint ? readCheckpointFile(String(f.checkpoint)) : undefined;
  const bar = progress(ctx);
  if (f.file) {
    const file = String(f.file);
    try {
      if (!statSync(file).isFile()) throw new Error('keine Datei');
    } catch (e) {
      io.err(`Die Datei „${file}“ lässt sich nicht lesen: ${(e as Error).message}`);
      return 2;
    }
    const r = await verifyAuditExport(file, { checkpoint });
    bar.stop();
    const code = printResult(`Export „${file}“`, r, io);
    if (r.header) io.out(`  Protokoll: ${r.header.tenant ? r.header.tenant.name : 'Plattform'}, exportiert am ${r.header.exportedAt}.`);
    io.out('  Bitte die Schlüssel-IDs mit dem veröffentlichten Schlüssel des Landkreises vergleichen.');
    return code;
  }
  const db = ctx.db as Db;
  const ref = await resolveAuditChain(db, chainArg(f));
  const ring = auditKeyRing(ctx.keyDir, ref, { create: false });
  try {
    const r = await verifyAuditChain(db, ref.chain, {
      checkpoint,
      trustedKeys: ring ? trustedKeysOf(ring) : undefined,
      onProgress: bar.update,
    });
    bar.stop();
    const code = printResult(`Audit-Protokoll ${ref.tenant ? `„${ref.tenant.slug}“` : 'der Plattform'}`, r, io);
    if (!ring) io.out('  Hinweis: kein Schlüsselbund gefunden; Signaturen wurden nur auf Gültigkeit, nicht auf Herkunft geprüft.');
    return code;
  } finally {
    bar.stop();
  }
}

async function exportCommand(rest: string[], ctx: AuditContext, io: CliIo): Promise<number> {
  const f = parseFlags(rest, { tenant: 'string', platform: 'boolean', out: 'string' });
  if (!f.out || typeof f.out !== 'string') throw new UsageError(`--out ist Pflicht.\n${USAGE}`);
  const db = ctx.db as Db;
  const ref = await resolveAuditChain(db, chainArg(f));
  const ring = auditKeyRing(ctx.keyDir, ref, { create: true });
  if (!ring) throw new UsageError('Kein Schlüsselbund.');
  const bar = progress(ctx);
  try {
    const r = await exportAuditLog(db, ref.chain, resolve(f.out), { ring, onProgress: bar.update });
    bar.stop();
    io.out(
      `Exportiert: ${entriesLabel(r.entries)} nach „${r.file}“, Kontrollpunkt bei Eintrag ${r.checkpoint.seq} (${r.checkpoint.keyId}).`,
    );
    io.out(`Prüfen ohne Datenbank: npx kiko audit verify --file ${f.out}`);
    return 0;
  } finally {
    bar.stop();
  }
}

async function checkpointCommand(rest: string[], ctx: AuditContext, io: CliIo): Promise<number> {
  const f = parseFlags(rest, { tenant: 'string', platform: 'boolean', out: 'string' });
  const db = ctx.db as Db;
  const ref = await resolveAuditChain(db, chainArg(f));
  const ring = auditKeyRing(ctx.keyDir, ref, { create: true });
  if (!ring) throw new UsageError('Kein Schlüsselbund.');
  const cp = await writeCheckpoint(db, ref.chain, ring);
  const json = `${JSON.stringify(cp, null, 2)}\n`;
  if (f.out && typeof f.out === 'string') {
    writeFileSync(f.out, json, { mode: 0o644 });
    io.out(`Kontrollpunkt bei Eintrag ${cp.seq} geschrieben und in „${f.out}“ gespeichert. Bitte außerhalb von KIKO aufbewahren.`);
  } else {
    io.out(json.trimEnd());
  }
  return 0;
}

/** Runs a `kiko audit` subcommand with the given context. */
export async function runAuditCommand(args: string[], io: CliIo, ctx: AuditContext): Promise<number> {
  const [sub, ...rest] = args;
  try {
    switch (sub) {
      case 'verify':
        return await verify(rest, ctx, io);
      case 'export':
        return await exportCommand(rest, ctx, io);
      case 'checkpoint':
        return await checkpointCommand(rest, ctx, io);
      default:
        throw new UsageError(sub ? `Unbekannter Unterbefehl „${sub}“.\n${USAGE}` : USAGE);
    }
  } catch (e) {
    if (e instanceof DomainError) {
      io.err(`Fehler: ${e.message}`);
      return 2;
    }
    throw e;
  }
}

/** Entry of `kiko audit`: an offline export check opens no database. */
export default async function auditCommand(args: string[], io: CliIo): Promise<number> {
  if (!args[0] || args[0] === 'help' || args[0] === '--help') {
    io.out(USAGE);
    return args[0] ? 0 : 2;
  }
  const tty = io === processIo && !!process.stdout.isTTY;
  const keyDir = certificateConfig().keyDir;
  if (args[0] === 'verify' && args.includes('--file')) return runAuditCommand(args, io, { db: null, keyDir, tty });
  const { getEnv } = await import('../lib/server/config/env.ts');
  const env = getEnv();
  const { db, close } = await openDb({ url: env.DATABASE_URL, authToken: env.DATABASE_AUTH_TOKEN });
  try {
    await runMigrations(db);
    return await runAuditCommand(args, io, { db, keyDir, tty });
  } finally {
    close();
  }
}
