/** Factories for test data: each test builds what it needs. */
import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { auditEventTable, auditPersonalTable, type UserRole } from '../../db/schema/index.ts';
import { ensureTenant } from '../../src/lib/server/tenancy/create-tenant.ts';
import { createUser } from '../../src/lib/server/users/create-user.ts';
import { type AuthUser, getAuthUser } from '../../src/lib/server/users/get-auth-user.ts';

export async function makeTenant(
  db: Db,
  slug = `lk-${randomUUID().slice(0, 8)}`,
): Promise<{ id: string; slug: string; orgUnitIds: Map<string, string> }> {
  const t = await ensureTenant(db, { slug, name: `Landkreis ${slug}` }, [
    { code: 'A', name: 'Amt A' },
    { code: 'B', name: 'Amt B' },
  ]);
  return { id: t.id, slug, orgUnitIds: t.orgUnitIds };
}

let cachedHash: string | undefined;
export async function makeUser(
  db: Db,
  opts: {
    tenant?: string;
    roles?: UserRole[];
    jobRole?: 'sachbearbeitung' | 'fuehrungskraft' | 'it-digitalisierung' | 'multiplikator' | 'personal-datenschutz';
    password?: string;
    orgUnitId?: string;
    name?: string;
  } = {},
): Promise<AuthUser> {
  const { hashPassword } = await import('../../src/lib/server/auth/password.ts');
  cachedHash ??= await hashPassword('richtiges-passwort');
  const email = `u-${randomUUID().slice(0, 8)}@test.example`;
  const { id } = await createUser(db, {
    tenant: opts.tenant,
    email,
    name: opts.name ?? 'Test Person',
    roles: opts.roles ?? ['learner'],
    jobRole: opts.jobRole,
    orgUnitId: opts.orgUnitId,
    passwordHash: opts.password ? undefined : cachedHash,
    password: opts.password,
  });
  const user = await getAuthUser(db, id);
  if (!user) throw new Error('user not created');
  return user;
}

/** Audit entries whose erasable personal part is about `personId` (actor and subject live there since chain v2). */
export async function auditEventsAbout(db: Db, personId: string): Promise<Array<typeof auditEventTable.$inferSelect>> {
  const rows = await db
    .select({ e: auditEventTable })
    .from(auditEventTable)
    .innerJoin(auditPersonalTable, eq(auditPersonalTable.seq, auditEventTable.seq))
    .where(eq(auditPersonalTable.personId, personId));
  return rows.map((r) => r.e);
}
