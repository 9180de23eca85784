/**
 * Ed25519 key ring on disk: one PEM pair per key plus a `keys.json` index with created/retired dates.
 * The newest active key signs; retired keys keep only their public half, so certificates signed before
 * a rotation stay verifiable while a leaked key directory cannot forge new ones with an old key.
 *
 * Layout of the key directory (mode 0700):
 *   keys.json            { "version": 1, "keys": [{ "id", "created", "retired" }] }
 *   <id>.public.pem      SPKI public key
 *   <id>.private.pem     PKCS#8 private key, mode 0600, only for the active key
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { chmodSync, existsSync, linkSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { newCertificateId } from './certificate-payload.ts';

/** One key of the ring. `privateKey` is null for retired keys. */
export interface SigningKey {
  id: string;
  created: string;
  retired: string | null;
  publicKey: KeyObject;
  privateKey: KeyObject | null;
}

/** All keys of a key directory; `active` is the key that signs new certificates. */
export interface KeyRing {
  dir: string;
  keys: SigningKey[];
  active: SigningKey & { privateKey: KeyObject };
}

/** The key directory cannot be used (unreadable, corrupt or inconsistent). Message in German for admins. */
export class KeyRingError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'KeyRingError';
  }
}

const indexSchema = z.strictObject({
  version: z.literal(1),
  keys: z.array(
    z.strictObject({ id: z.string().regex(/^[\w-]{1,100}$/), created: z.iso.datetime(), retired: z.iso.datetime().nullable() }),
  ),
});
type KeyIndex = z.infer<typeof indexSchema>;

const INDEX = 'keys.json';
const publicFile = (dir: string, id: string): string => join(dir, `${id}.public.pem`);
const privateFile = (dir: string, id: string): string => join(dir, `${id}.private.pem`);

function fail(file: string, reason: unknown): never {
  const detail = reason instanceof Error ? reason.message : String(reason);
  throw new KeyRingError(
    `Signaturschlüssel-Datei „${file}“ ist nicht lesbar oder beschädigt (${detail}). ` +
      'Bitte das Schlüsselverzeichnis prüfen oder aus der Sicherung wiederherstellen. ' +
      'Ohne die alten öffentlichen Schlüssel lassen sich bereits ausgestellte Zertifikate nicht mehr prüfen.',
    { cause: reason },
  );
}

function readIndex(dir: string): KeyIndex {
  const file = join(dir, INDEX);
  try {
    const index = indexSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
    if (!index.keys.some((k) => k.retired === null)) throw new Error('kein aktiver Schlüssel eingetragen');
    return index;
  } catch (error) {
    return fail(file, error);
  }
}

/**
 * Writes the index via a temporary file, so readers never see half a file. `exclusive`: fail with EEXIST
 * when an index exists already (hard link instead of rename), for two processes creating a ring at once.
 */
function writeIndex(dir: string, index: KeyIndex, exclusive = false): void {
  const tmp = join(dir, `${INDEX}.${process.pid}.tmp`);
  writeFileSync(tmp, `${JSON.stringify(index, null, 2)}\n`, { mode: 0o600 });
  try {
    if (exclusive) linkSync(tmp, join(dir, INDEX));
    else renameSync(tmp, join(dir, INDEX));
  } finally {
    rmSync(tmp, { force: true });
  }
}

/** Creates a key pair on disk and returns its index entry. */
function createKeyFiles(dir: string, now: Date): KeyIndex['keys'][number] {
  const created = now.toISOString();
  const id = `${created.slice(0, 10)}-${newCertificateId().slice(0, 6)}`;
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  writeFileSync(privateFile(dir, id), privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
  chmodSync(privateFile(dir, id), 0o600); // the mode option only applies on creation and is masked by umask
  writeFileSync(publicFile(dir, id), publicKey.export({ type: 'spki', format: 'pem' }), { mode: 0o644, flag: 'wx' });
  return { id, created, retired: null };
}

function loadKey(dir: string, entry: KeyIndex['keys'][number]): SigningKey {
  let publicKey: KeyObject;
  try {
    publicKey = createPublicKey(readFileSync(publicFile(dir, entry.id)));
    if (publicKey.asymmetricKeyType !== 'ed25519') throw new Error(`Schlüsseltyp ${publicKey.asymmetricKeyType}, erwartet ed25519`);
  } catch (error) {
    return fail(publicFile(dir, entry.id), error);
  }
  if (entry.retired !== null) return { ...entry, publicKey, privateKey: null };
  try {
    const privateKey = createPrivateKey(readFileSync(privateFile(dir, entry.id)));
    const derived = createPublicKey(privateKey).export({ type: 'spki', format: 'der' });
    if (!derived.equals(publicKey.export({ type: 'spki', format: 'der' }))) throw new Error('passt nicht zum öffentlichen Schlüssel');
    return { ...entry, publicKey, privateKey };
  } catch (error) {
    return fail(privateFile(dir, entry.id), error);
  }
}

function toRing(dir: string, index: KeyIndex): KeyRing {
  const keys = index.keys.map((entry) => loadKey(dir, entry));
  const active = keys
    .filter((k): k is SigningKey & { privateKey: KeyObject } => k.privateKey !== null)
    .sort((a, b) => b.created.localeCompare(a.created))[0];
  if (!active) return fail(join(dir, INDEX), new Error('kein aktiver Schlüssel'));
  return { dir, keys, active };
}

/**
 * Loads the key ring from `dir`, creating the directory and a first key when there is none yet.
 * Throws a KeyRingError (German message) when a key file or the index is unreadable or corrupt.
 */
export function loadOrCreateKeyRing({ dir, now = new Date() }: { dir: string; now?: Date }): KeyRing {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (!existsSync(join(dir, INDEX))) {
    const entry = createKeyFiles(dir, now);
    try {
      writeIndex(dir, { version: 1, keys: [entry] }, true);
    } catch (error) {
      // another process created the ring first: drop our key, use theirs
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      rmSync(privateFile(dir, entry.id), { force: true });
      rmSync(publicFile(dir, entry.id), { force: true });
    }
  }
  return toRing(dir, readIndex(dir));
}

/**
 * Creates a new signing key and retires all others: their private key files are deleted, their public
 * keys stay so that existing signatures remain verifiable. Returns the new ring. Not safe against two
 * rotations running at the same moment (an admin action, run once).
 */
export function rotateKey(dir: string, now: Date = new Date()): KeyRing {
  const index = readIndex(dir);
  const entry = createKeyFiles(dir, now);
  const retired = now.toISOString();
  const keys = index.keys.map((k) => (k.retired === null ? { ...k, retired } : k));
  writeIndex(dir, { version: 1, keys: [...keys, entry] });
  for (const k of index.keys) if (k.retired === null) rmSync(privateFile(dir, k.id), { force: true });
  return toRing(dir, readIndex(dir));
}

/** Returns the key with this id, or null when the ring does not know it. */
export function getKey(ring: KeyRing, keyId: string): SigningKey | null {
  return ring.keys.find((k) => k.id === keyId) ?? null;
}
