/**
 * Finds the KIKO person of a provider identity, in this order:
 * 1. by issuer and subject (an identity bound earlier) — an identity of another district is refused;
 * 2. once, an existing person of THIS district by the configured claim: personnel number (external id) or an e-mail
 *    address the provider marks verified (never an unverified one); the identity is then bound to them;
 * 3. otherwise a new person, created just in time with the verbs of the learning record (create-user.ts).
 * Org unit and job role follow the claims on every login, as membership changes in the learning record.
 */
import { randomUUID } from 'node:crypto';
import { and, eq, or } from 'drizzle-orm';
import type { Db } from '../../../../db/client.ts';
import { orgUnitTable, userIdentityTable, userTable } from '../../../../db/schema/index.ts';
import { appendAuditEvent } from '../audit/append-audit-event.ts';
import type { ContentSet } from '../content/load-content.ts';
import { systemContext } from '../context.ts';
import { ConflictError } from '../errors/domain-errors.ts';
import { changeMembership } from '../users/change-membership.ts';
import { createUser } from '../users/create-user.ts';
import { jobRoleFor, type MappedClaims } from './sso-claims.ts';
import type { SsoTenant } from './sso-tenant.ts';

/** Actor of the record entries single sign-on writes. */
export const SSO_ACTOR = 'system:sso';

export type ResolveResult =
  | { ok: true; userId: string; how: 'identity' | 'bound' | 'created' }
  | { ok: false; reason: 'other-district' | 'disabled' | 'no-match' | 'missing-claims' };

export interface ResolveInput {
  tenant: SsoTenant;
  issuer: string;
  subject: string;
  claims: MappedClaims;
  content: ContentSet;
  now: Date;
}

export async function resolveSsoPerson(db: Db, input: ResolveInput): Promise<ResolveResult> {
  const { tenant, issuer, subject, claims, now } = input;
  const identity = await db.query.userIdentityTable.findFirst({
    where: and(eq(userIdentityTable.issuer, issuer), eq(userIdentityTable.subject, subject)),
  });
  if (identity) {
    if (identity.tenantId !== tenant.id) return { ok: false, reason: 'other-district' };
    const user = await db.query.userTable.findFirst({ where: eq(userTable.id, identity.userId) });
    if (!user || user.tenantId !== tenant.id) return { ok: false, reason: 'other-district' };
    if (user.status !== 'active') return { ok: false, reason: 'disabled' };
    await followClaims(db, input, user);
    return { ok: true, userId: user.id, how: 'identity' };
  }

  const existing = await findToBind(db, input);
  if (existing === 'other-district') return { ok: false, reason: 'other-district' };
  if (existing) {
    if (existing.status !== 'active') return { ok: false, reason: 'disabled' };
    const other = await db.query.userIdentityTable.findFirst({
      where: and(eq(userIdentityTable.userId, existing.id), eq(userIdentityTable.issuer, issuer)),
    });
    // already bound to another subject of the same provider: a second account there must not take this person over
    if (other) return { ok: false, reason: 'no-match' };
    await db.transaction(async (tx) => {
      await tx
        .insert(userIdentityTable)
        .values({ id: randomUUID(), tenantId: tenant.id, issuer, subject, userId: existing.id, createdAt: now });
      await appendAuditEvent(tx, {
        tenantId: tenant.id,
        actorId: SSO_ACTOR,
        type: 'sso.identity-bound',
        subjectId: existing.id,
        data: { issuer, via: tenant.sso.bindBy },
        at: now,
      });
    });
    await followClaims(db, input, existing);
    return { ok: true, userId: existing.id, how: 'bound' };
  }

  if (!claims.email || !claims.name || claims.name.length < 2) return { ok: false, reason: 'missing-claims' };
  // an address that already has an account (unverified, or bound otherwise) is never taken over nor duplicated
  const taken = await db.query.userTable.findFirst({ where: eq(userTable.email, claims.email) });
  if (taken) return { ok: false, reason: taken.tenantId === tenant.id ? 'no-match' : 'other-district' };
  const orgUnitId = await orgUnitFor(db, tenant, claims.orgUnit);
  const jobRole = claims.jobRole ? jobRoleFor(claims.jobRole, tenant.sso) : tenant.sso.defaultJobRole;
  let created: { id: string };
  try {
    created = await createUser(
      db,
      {
        tenant: tenant.slug,
        email: claims.email,
        name: claims.name,
        roles: ['learner'],
        jobRole,
        orgUnitId: orgUnitId ?? undefined,
        externalId: claims.personnelNumber ?? undefined,
      },
      { actorId: SSO_ACTOR, now },
    );
  } catch (e) {
    // two first logins at once: the other one created the person; find them by the identity it bound
    if (e instanceof ConflictError) return { ok: false, reason: 'no-match' };
    throw e;
  }
  await db.transaction(async (tx) => {
    await tx
      .insert(userIdentityTable)
      .values({ id: randomUUID(), tenantId: tenant.id, issuer, subject, userId: created.id, createdAt: now });
    await appendAuditEvent(tx, {
      tenantId: tenant.id,
      actorId: SSO_ACTOR,
      type: 'sso.identity-created',
      subjectId: created.id,
      data: { issuer },
      at: now,
    });
  });
  return { ok: true, userId: created.id, how: 'created' };
}

type UserRow = typeof userTable.$inferSelect;

/** The person to bind by the district's configured claim: only in this district; a match elsewhere is refused. */
async function findToBind(db: Db, input: ResolveInput): Promise<UserRow | 'other-district' | null> {
  const { tenant, claims } = input;
  if (tenant.sso.bindBy === 'personnel-number') {
    if (!claims.personnelNumber) return null;
    const row = await db.query.userTable.findFirst({
      where: and(eq(userTable.tenantId, tenant.id), eq(userTable.externalId, claims.personnelNumber)),
    });
    return row ?? null;
  }
  if (!claims.email || !claims.emailVerified) return null;
  const row = await db.query.userTable.findFirst({ where: eq(userTable.email, claims.email) });
  if (!row) return null;
  return row.tenantId === tenant.id ? row : 'other-district';
}

/** The org unit for a claim value: by code, then by name, in this district; unknown → the district default. */
async function orgUnitFor(db: Db, tenant: SsoTenant, value: string | null): Promise<string | null> {
  const lookup = async (v: string): Promise<string | null> => {
    const rows = await db
      .select({ id: orgUnitTable.id, code: orgUnitTable.code })
      .from(orgUnitTable)
      .where(and(eq(orgUnitTable.tenantId, tenant.id), or(eq(orgUnitTable.code, v), eq(orgUnitTable.name, v))));
    return (rows.find((r) => r.code === v) ?? rows[0])?.id ?? null;
  };
  const found = value ? await lookup(value) : null;
  if (found) return found;
  return tenant.sso.defaultOrgUnitCode ? lookup(tenant.sso.defaultOrgUnitCode) : null;
}

/** Later logins: a configured claim that is present moves the person (a membership change in the learning record). */
async function followClaims(db: Db, input: ResolveInput, user: UserRow): Promise<void> {
  const { tenant, claims } = input;
  const orgUnitId = claims.orgUnit !== null ? await orgUnitFor(db, tenant, claims.orgUnit) : user.orgUnitId;
  const jobRole = claims.jobRole !== null ? jobRoleFor(claims.jobRole, tenant.sso) : user.jobRole;
  const changes: { orgUnitId?: string | null; jobRole?: ReturnType<typeof jobRoleFor> } = {};
  if (orgUnitId !== user.orgUnitId) changes.orgUnitId = orgUnitId;
  if (jobRole !== user.jobRole) changes.jobRole = jobRole as ReturnType<typeof jobRoleFor>;
  if (Object.keys(changes).length === 0) return;
  const ctx = systemContext(db, input.content, { name: 'sso', tenantId: tenant.id, clock: () => input.now });
  await changeMembership(ctx, { userId: user.id, ...changes });
}
