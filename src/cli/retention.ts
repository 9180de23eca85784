/**
 * `kiko retention run --tenant T [--dry-run] [--operator NAME]`: one run of the retention job for one district
 * (users/retention.ts): erases the accounts deactivated longer than the district's setting allows, or with
 * --dry-run only lists them. Exit codes: 0 done (also when retention is off), 1 refused, 2 wrong call.
 */
import { openDb } from '../../db/client.ts';
import { getEnv } from '../lib/server/config/env.ts';
import { DomainError } from '../lib/server/errors/domain-errors.ts';
import { prepareDatabase } from '../lib/server/evidence/prepare-database.ts';
import { getContent } from '../lib/server/learning/content-registry.ts';
import { tenantContext } from '../lib/server/tenancy/tenant-context.ts';
import { runRetention } from '../lib/server/users/retention.ts';
import { formatDate } from '../lib/shared/format.ts';
import { type CliIo, parseFlags, UsageError } from './io.ts';

const USAGE = `kiko retention run --tenant KÜRZEL [--dry-run] [--operator NAME]
      deaktivierte Konten löschen, deren Frist (Einstellung des Landkreises) abgelaufen ist; --dry-run zeigt sie nur`;

export default async function retentionCommand(args: string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== 'run') throw new UsageError(USAGE);
  const f = parseFlags(rest, { tenant: 'string', 'dry-run': 'boolean', operator: 'string' });
  if (!f.tenant || f._.length > 0) throw new UsageError(`--tenant ist Pflicht.\n${USAGE}`);
  const env = getEnv();
  const { db, close } = await openDb({ url: env.DATABASE_URL, authToken: env.DATABASE_AUTH_TOKEN });
  try {
    await prepareDatabase(db);
    const ctx = await tenantContext(db, getContent(), {
      tenantSlug: String(f.tenant),
      ...(f.operator ? { operator: String(f.operator) } : {}),
    });
    const r = await runRetention(ctx, { dryRun: Boolean(f['dry-run']) });
    if (r.months === null) {
      io.out(`Für ${f.tenant} ist keine Löschfrist eingestellt (Verwaltung › Aufbewahrung); es wurde nichts gelöscht.`);
      return 0;
    }
    io.out(`Löschfrist: ${r.months} Monate nach der Deaktivierung (deaktiviert bis ${formatDate(r.cutoff)}).`);
    if (r.dryRun) {
      io.out(`Probelauf: ${r.due.length} Konten würden gelöscht.`);
      for (const p of r.due) io.out(`  ${p.email} (deaktiviert am ${formatDate(p.deactivatedAt)})`);
      return 0;
    }
    io.out(`Gelöscht: ${r.erased} Konten, ${r.certificatesRevoked} Zertifikate widerrufen. Eintrag im Audit-Protokoll geschrieben.`);
    if (r.failed > 0) {
      io.err(`${r.failed} Konten konnten nicht gelöscht werden (z. B. die letzte Administration); der nächste Lauf versucht es erneut.`);
      return 1;
    }
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
