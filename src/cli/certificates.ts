/**
 * `kiko certificates …`: batch issue for a district, verification of a certificate file, key rotation and the
 * key directory check. Thin: parses flags, calls one lib verb, prints German output. Issue and rotation act in one
 * district as a named actor (`tenantContext`: "system:kiko-cli", or "operator:NAME" with --operator), which the
 * audit log records; verify and check-keys only read (the public check, the key files) and need no actor.
 */
import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { SingleBar } from 'cli-progress';
import { type Db, openDb } from '../../db/client.ts';
import { type CertificateConfig, certificateConfig } from '../lib/server/certificates/certificate-config.ts';
import { formatGermanDate } from '../lib/server/certificates/certificate-texts.ts';
import { type BatchProgress, issueTenantCertificates } from '../lib/server/certificates/issue-tenant-certificates.ts';
import { rotateTenantKey } from '../lib/server/certificates/rotate-tenant-key.ts';
import { assertCertificateKeys } from '../lib/server/certificates/tenant-key-ring.ts';
import { type VerificationResult, verifyCertificateUpload } from '../lib/server/certificates/verify-certificate.ts';
import { getEnv } from '../lib/server/config/env.ts';
import type { ContentSet } from '../lib/server/content/load-content.ts';
import { DomainError } from '../lib/server/errors/domain-errors.ts';
import { prepareDatabase } from '../lib/server/evidence/prepare-database.ts';
import { getContent } from '../lib/server/learning/content-registry.ts';
import { tenantContext } from '../lib/server/tenancy/tenant-context.ts';
import { type CliIo, parseFlags, processIo, UsageError } from './io.ts';

const USAGE = `kiko certificates issue --tenant KÜRZEL [--path LERNPFAD] [--pdf ORDNER] [--operator NAME]
      Zertifikate für alle ausstellen, die eines erworben und noch keines haben (Wiederholung setzt fort);
      mit --pdf zusätzlich die PDF-Dateien fehlender Zertifikate in ORDNER schreiben (braucht KIKO_PUBLIC_URL)
  kiko certificates verify DATEI        PDF oder Open-Badges-JSON prüfen (Exit-Code 0 nur bei „echt“)
  kiko certificates rotate-key --tenant KÜRZEL [--operator NAME]
      neuen Signaturschlüssel erzeugen; alte Schlüssel prüfen weiter, signieren aber nicht mehr
  kiko certificates check-keys          Schlüsselverzeichnis (KIKO_KEY_DIR) prüfen
  --operator NAME: wer den Befehl ausführt, steht so im Audit-Protokoll (ohne: system:kiko-cli)`;

/** "1 Zertifikat", "3 Zertifikate". */
const count = (n: number, one: string, many: string): string => `${n} ${n === 1 ? one : many}`;

/** Largest file `verify` reads (certificates are far smaller). */
const MAX_FILE_BYTES = 10 * 1024 * 1024;

/** What the command works with; tests pass their own. */
export interface CertificatesContext {
  db: Db;
  config: CertificateConfig;
  content: () => ContentSet;
  /** Show a progress bar (interactive terminal) instead of plain progress lines. */
  tty: boolean;
  /** The current time (tests pass a fixed one). */
  clock?: () => Date;
}

/** The context of a command in one district, acting as the system or as the operator named with --operator. */
function districtContext(
  ctx: CertificatesContext,
  f: { tenant?: string | boolean; operator?: string | boolean },
): ReturnType<typeof tenantContext> {
  if (!f.tenant) throw new UsageError(`--tenant ist Pflicht.\n${USAGE}`);
  return tenantContext(ctx.db, ctx.content(), {
    tenantSlug: String(f.tenant),
    ...(f.operator !== undefined ? { operator: String(f.operator) } : {}),
    ...(ctx.clock ? { clock: ctx.clock } : {}),
  });
}

const VERDICT: Record<VerificationResult['status'], string> = {
  genuine: 'ECHT',
  'not-genuine': 'NICHT ECHT',
  revoked: 'WIDERRUFEN',
  expired: 'ABGELAUFEN',
  'not-found': 'NICHT GEFUNDEN',
};

function printVerification(result: VerificationResult, io: CliIo): void {
  const c = result.certificate;
  if (!c) {
    io.out(`${VERDICT[result.status]}: ${result.reason ?? 'Zu dieser Nummer ist kein Zertifikat verzeichnet.'}`);
    return;
  }
  io.out(`${VERDICT[result.status]}: ${c.heading} Nr. ${c.displayId}`);
  io.out(`  Ausgestellt von: ${c.issuer} am ${formatGermanDate(c.issuedAt.toISOString())}`);
  io.out(`  Bescheinigt:     ${c.title} (${c.minutes} Minuten)`);
  if (c.holder) io.out(`  Inhaber:in:      ${c.holder}`);
  io.out(`  Gültig bis:      ${c.expiresAt ? formatGermanDate(c.expiresAt.toISOString()) : 'unbefristet'}`);
  if (c.revokedAt)
    io.out(`  Widerrufen am:   ${formatGermanDate(c.revokedAt.toISOString())}${c.replaced ? ' (durch ein neues Zertifikat ersetzt)' : ''}`);
}

function progressReporter(ctx: CertificatesContext, io: CliIo): { update: (p: BatchProgress) => void; stop: () => void } {
  const labels = { issue: 'Personen geprüft', pdf: 'PDF-Dateien' } as const;
  if (ctx.tty) {
    let phase: BatchProgress['phase'] | null = null;
    const bar = new SingleBar({
      format: '{label} [{bar}] {value}/{total} · ausgestellt: {issued} · geschrieben: {written}',
      hideCursor: true,
    });
    return {
      update: (p) => {
        if (p.phase !== phase) {
          if (phase) bar.stop();
          phase = p.phase;
          bar.start(p.total, 0, { label: labels[p.phase], issued: p.issued, written: p.written });
        }
        bar.update(p.done, { issued: p.issued, written: p.written });
      },
      stop: () => {
        if (phase) bar.stop();
      },
    };
  }
  // plain lines for logs and pipes: roughly every 10 % and at the end of a phase
  return {
    update: (p) => {
      const step = Math.max(1, Math.ceil(p.total / 10));
      if (p.done % step === 0 || p.done === p.total)
        io.out(`${labels[p.phase]}: ${p.done}/${p.total} (ausgestellt: ${p.issued}, geschrieben: ${p.written})`);
    },
    stop: () => {},
  };
}

async function issue(rest: string[], ctx: CertificatesContext, io: CliIo): Promise<number> {
  const f = parseFlags(rest, { tenant: 'string', path: 'string', pdf: 'string', operator: 'string' });
  const district = await districtContext(ctx, f);
  await assertCertificateKeys(ctx.db, ctx.config.keyDir);
  const reporter = progressReporter(ctx, io);
  try {
    const r = await issueTenantCertificates(district, {
      ...(f.path ? { pathId: String(f.path) } : {}),
      ...(f.pdf ? { pdfDir: resolve(String(f.pdf)) } : {}),
      config: ctx.config,
      onProgress: reporter.update,
    });
    reporter.stop();
    io.out(`Fertig: ${count(r.people, 'Person', 'Personen')} geprüft, ${count(r.issued, 'Zertifikat', 'Zertifikate')} neu ausgestellt.`);
    if (f.pdf) io.out(`PDF-Dateien: ${r.pdfsWritten} geschrieben, ${r.pdfsKept} waren schon vorhanden.`);
    return 0;
  } finally {
    reporter.stop();
  }
}

async function verify(rest: string[], ctx: CertificatesContext, io: CliIo): Promise<number> {
  const f = parseFlags(rest, {});
  const file = f._[0];
  if (!file) throw new UsageError(`Bitte die zu prüfende Datei angeben.\n${USAGE}`);
  let data: Buffer;
  try {
    if (statSync(file).size > MAX_FILE_BYTES) throw new Error('größer als 10 MB');
    data = readFileSync(file);
  } catch (e) {
    io.err(`Die Datei „${file}“ lässt sich nicht lesen: ${(e as Error).message}`);
    return 2;
  }
  const result = await verifyCertificateUpload(ctx.db, { data }, ctx.config);
  printVerification(result, io);
  return result.status === 'genuine' ? 0 : 1;
}

async function rotate(rest: string[], ctx: CertificatesContext, io: CliIo): Promise<number> {
  const f = parseFlags(rest, { tenant: 'string', operator: 'string' });
  const r = await rotateTenantKey(await districtContext(ctx, f), ctx.config);
  io.out(
    `Neuer Signaturschlüssel ${r.activeKeyId} für „${r.tenantSlug}“ aktiv; ${r.ring.keys.length - 1} ältere Schlüssel bleiben zum Prüfen erhalten.`,
  );
  io.out('Bitte das Schlüsselverzeichnis jetzt sichern. Laufende KIKO-Prozesse übernehmen den neuen Schlüssel beim nächsten Ausstellen.');
  return 0;
}

/** Runs a `kiko certificates` subcommand with the given context. */
export async function runCertificatesCommand(args: string[], io: CliIo, ctx: CertificatesContext): Promise<number> {
  const [sub, ...rest] = args;
  try {
    switch (sub) {
      case 'issue':
        return await issue(rest, ctx, io);
      case 'verify':
        return await verify(rest, ctx, io);
      case 'rotate-key':
        return await rotate(rest, ctx, io);
      case 'check-keys':
        await assertCertificateKeys(ctx.db, ctx.config.keyDir);
        io.out(`Schlüsselverzeichnis ${ctx.config.keyDir}: in Ordnung.`);
        return 0;
      default:
        throw new UsageError(sub ? `Unbekannter Unterbefehl „${sub}“.\n${USAGE}` : USAGE);
    }
  } catch (e) {
    if (e instanceof DomainError) {
      io.err(`Fehler: ${e.message}`);
      return e.status === 400 ? 2 : 1;
    }
    throw e;
  }
}

export default async function certificatesCommand(args: string[], io: CliIo): Promise<number> {
  if (!args[0] || args[0] === 'help' || args[0] === '--help') {
    io.out(USAGE);
    return args[0] ? 0 : 2;
  }
  const env = getEnv();
  const { db, close } = await openDb({ url: env.DATABASE_URL, authToken: env.DATABASE_AUTH_TOKEN });
  try {
    await prepareDatabase(db);
    return await runCertificatesCommand(args, io, {
      db,
      config: certificateConfig(),
      content: getContent,
      tty: io === processIo && !!process.stdout.isTTY,
    });
  } finally {
    close();
  }
}
