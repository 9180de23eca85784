/**
 * Password hashing with argon2id (OWASP minimum: m = 19 MiB, t = 2, p = 1). At most
 * `maxConcurrent` hashes run at once so a login storm cannot exhaust memory; the rest queue.
 */
import { hash, verify } from '@node-rs/argon2';

const ARGON2ID = 2; // Algorithm.Argon2id (const enum in the typings)
export const ARGON2_OPTIONS = { algorithm: ARGON2ID, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

let maxConcurrent = 4;
let running = 0;
const waiting: Array<() => void> = [];

export function setMaxConcurrentHashes(n: number): void {
  maxConcurrent = Math.max(1, n);
}

async function limited<T>(fn: () => Promise<T>): Promise<T> {
  if (running >= maxConcurrent) await new Promise<void>((resolve) => waiting.push(resolve));
  running++;
  try {
    return await fn();
  } finally {
    running--;
    waiting.shift()?.();
  }
}

export function hashPassword(password: string): Promise<string> {
  return limited(() => hash(password, ARGON2_OPTIONS));
}

/** True when the password matches; false for a mismatch or a malformed hash. */
export function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  return limited(() => verify(passwordHash, password).catch(() => false));
}

let dummyHash: Promise<string> | undefined;
/** Burns the same time as a real verification, so unknown accounts are not told apart by timing. */
export async function verifyAgainstDummy(password: string): Promise<false> {
  dummyHash ??= hashPassword('kiko-dummy-password-for-timing');
  await verifyPassword(await dummyHash, password);
  return false;
}

/** Password rules for new passwords (ASVS: at least 8, better 12+; no composition rules). */
export function passwordProblem(password: string): string | null {
  if (password.length < 8) return 'Das Passwort muss mindestens 8 Zeichen lang sein.';
  if (password.length > 256) return 'Das Passwort darf höchstens 256 Zeichen lang sein.';
  return null;
}
