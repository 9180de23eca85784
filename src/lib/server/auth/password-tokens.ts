/**
 * One-time tokens that let a person set a password: `reset` (forgotten password, 60 minutes) and `invite` (new
 * account, 7 days). Same shape as session tokens (session-token.ts): `id.secret`, 32 random bytes of secret, only
 * the secret's SHA-256 stored, compared in constant time. A token works once; a new token of the same purpose ends
 * the person's earlier ones.
 */

import { sha256 } from '@oslojs/crypto/sha2';
import { constantTimeEqual } from '@oslojs/crypto/subtle';
import { encodeBase32LowerCaseNoPadding } from '@oslojs/encoding';
import { and, eq, isNull } from 'drizzle-orm';
import type { Db } from '../../../../db/client.ts';
import { passwordTokenTable } from '../../../../db/schema/index.ts';
import type { DbOrTx } from '../mail/queue-mail.ts';

export type PasswordTokenPurpose = 'reset' | 'invite';

export const TOKEN_LIFETIME_MS: Record<PasswordTokenPurpose, number> = {
  reset: 60 * 60_000,
  invite: 7 * 24 * 60 * 60_000,
};

function random(bytes: number): string {
  const buf = new Uint8Array(bytes);
  crypto.getRandomValues(buf);
  return encodeBase32LowerCaseNoPadding(buf);
}

const hash = (secret: string): Uint8Array => sha256(new TextEncoder().encode(secret));

/** Creates a token (ending the person's earlier unused ones of that purpose); returns the token for the link. */
export async function createPasswordToken(
  tx: DbOrTx,
  input: { userId: string; tenantId: string | null; purpose: PasswordTokenPurpose; now: Date },
): Promise<{ token: string; expiresAt: Date }> {
  const id = random(15);
  const secret = random(32);
  const expiresAt = new Date(input.now.getTime() + TOKEN_LIFETIME_MS[input.purpose]);
  await tx
    .delete(passwordTokenTable)
    .where(
      and(eq(passwordTokenTable.userId, input.userId), eq(passwordTokenTable.purpose, input.purpose), isNull(passwordTokenTable.usedAt)),
    );
  await tx.insert(passwordTokenTable).values({
    id,
    secretHash: Buffer.from(hash(secret)),
    userId: input.userId,
    tenantId: input.tenantId,
    purpose: input.purpose,
    createdAt: input.now,
    expiresAt,
  });
  return { token: `${id}.${secret}`, expiresAt };
}

/** Splits a token from a link; null for anything malformed. */
export function parsePasswordToken(token: string | null | undefined): { id: string; secret: string } | null {
  if (!token || token.length > 120) return null;
  const m = /^([a-z2-7]{24})\.([a-z2-7]{52})$/.exec(token);
  return m ? { id: m[1] as string, secret: m[2] as string } : null;
}

export type PasswordTokenRow = typeof passwordTokenTable.$inferSelect;

/** The token's row when it is well-formed, its secret matches, it is unused and not expired; else null. */
export async function findUsablePasswordToken(
  db: DbOrTx | Db,
  token: string | null | undefined,
  now: Date,
): Promise<PasswordTokenRow | null> {
  const parts = parsePasswordToken(token);
  if (!parts) return null;
  const [row] = await db.select().from(passwordTokenTable).where(eq(passwordTokenTable.id, parts.id));
  if (!row) return null;
  const presented = hash(parts.secret);
  const stored = new Uint8Array(row.secretHash);
  if (presented.length !== stored.length || !constantTimeEqual(presented, stored)) return null;
  if (row.usedAt || row.expiresAt.getTime() <= now.getTime()) return null;
  return row;
}
