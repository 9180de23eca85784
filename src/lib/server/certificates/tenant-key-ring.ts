/**
 * One signing key ring per district: `<KIKO_KEY_DIR>/<tenant-slug>/` (see key-ring.ts for the files and
 * README.md in this folder for rotation and backup). Rings are created on first use and cached per process;
 * a rotation by the CLI in another process is picked up through the index file's modification time.
 */
import { accessSync, constants, existsSync, mkdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { eq, sql } from 'drizzle-orm';
import type { Db } from '../../../../db/client.ts';
import { certificateTable, tenantTable } from '../../../../db/schema/index.ts';
import { getKey, type KeyRing, KeyRingError, loadOrCreateKeyRing } from './signing-keys.ts';

/** Same rule as tenant slugs (create-tenant.ts), so a slug can never leave the key directory. */
const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/** Returns the key directory of a tenant; throws for anything that is not a tenant slug. */
export function tenantKeyDir(keyDir: string, tenantSlug: string): string {
  if (!SLUG.test(tenantSlug) || tenantSlug.length > 100)
    throw new KeyRingError(`Ungültiges Landkreis-Kürzel „${tenantSlug}“ für das Schlüsselverzeichnis.`);
  return join(resolve(keyDir), tenantSlug);
}

const cache = new Map<string, { mtimeMs: number; ring: KeyRing }>();

function indexMtime(dir: string): number | null {
  try {
    return statSync(join(dir, 'keys.json')).mtimeMs;
  } catch {
    return null;
  }
}

/**
 * Returns the tenant's key ring. With `create` (issuing) a missing ring is generated; without it
 * (verifying) a missing ring gives null — verification must never mint keys.
 */
export function getTenantKeyRing(keyDir: string, tenantSlug: string, { create }: { create: boolean }): KeyRing | null {
  const dir = tenantKeyDir(keyDir, tenantSlug);
  const mtime = indexMtime(dir);
  const cached = cache.get(dir);
  if (cached && mtime !== null && cached.mtimeMs === mtime) return cached.ring;
  if (mtime === null && !create) return null;
  const ring = loadOrCreateKeyRing({ dir });
  cache.set(dir, { mtimeMs: indexMtime(dir) ?? 0, ring });
  return ring;
}

/** Like getTenantKeyRing with `create`, never null. */
export function requireTenantKeyRing(keyDir: string, tenantSlug: string): KeyRing {
  return getTenantKeyRing(keyDir, tenantSlug, { create: true }) as KeyRing;
}

/**
 * Start-up check of KIKO_KEY_DIR (call before serving and in the certificate CLI). Creates the directory when
 * no certificate exists yet; otherwise it must be a readable and writable directory, and every district with
 * certificates must still have its key ring with every key those certificates name. Throws a KeyRingError
 * with a German message for the administrator — a lost key directory would otherwise silently produce a new
 * key and make every issued certificate unverifiable.
 */
export async function assertCertificateKeys(db: Db, keyDir: string): Promise<void> {
  const root = resolve(keyDir);
  const used = await db
    .select({ slug: tenantTable.slug, keyId: certificateTable.keyId, n: sql<number>`count(*)` })
    .from(certificateTable)
    .innerJoin(tenantTable, eq(tenantTable.id, certificateTable.tenantId))
    .groupBy(tenantTable.slug, certificateTable.keyId);
  if (!existsSync(root)) {
    if (used.length > 0) {
      const total = used.reduce((sum, u) => sum + Number(u.n), 0);
      throw new KeyRingError(
        `Das Schlüsselverzeichnis KIKO_KEY_DIR „${root}“ fehlt, es gibt aber bereits ${total === 1 ? 'ein ausgestelltes Zertifikat' : `${total} ausgestellte Zertifikate`}. ` +
          'Bitte das Verzeichnis aus der Sicherung wiederherstellen (oder KIKO_KEY_DIR korrigieren); ohne die Schlüssel lassen sich ausgestellte Zertifikate nicht mehr prüfen.',
      );
    }
    try {
      mkdirSync(root, { recursive: true, mode: 0o700 });
    } catch (error) {
      throw new KeyRingError(`Das Schlüsselverzeichnis KIKO_KEY_DIR „${root}“ lässt sich nicht anlegen: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }
  try {
    if (!statSync(root).isDirectory()) throw new Error('kein Verzeichnis');
    accessSync(root, constants.R_OK | constants.W_OK | constants.X_OK);
  } catch (error) {
    throw new KeyRingError(
      `Das Schlüsselverzeichnis KIKO_KEY_DIR „${root}“ ist nicht les- und beschreibbar (${(error as Error).message}). ` +
        'Bitte Rechte prüfen: der KIKO-Prozess braucht Lese- und Schreibzugriff (Modus 0700).',
      { cause: error },
    );
  }
  for (const slug of new Set(used.map((u) => u.slug))) {
    const ring = getTenantKeyRing(root, slug, { create: false });
    if (!ring) {
      throw new KeyRingError(
        `Der Schlüsselbund des Landkreises „${slug}“ fehlt in „${tenantKeyDir(root, slug)}“, obwohl er Zertifikate ausgestellt hat. ` +
          'Bitte aus der Sicherung wiederherstellen.',
      );
    }
    const missing = used.filter((u) => u.slug === slug && !getKey(ring, u.keyId)).map((u) => u.keyId);
    if (missing.length > 0) {
      throw new KeyRingError(
        `Im Schlüsselbund des Landkreises „${slug}“ fehlen die Schlüssel ${missing.join(', ')}, mit denen Zertifikate signiert wurden. ` +
          'Bitte die öffentlichen Schlüssel (<id>.public.pem und keys.json) aus der Sicherung wiederherstellen.',
      );
    }
  }
}
