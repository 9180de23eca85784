/** Creates a user with roles (CLI, admin pages, demo seed). Email is the login and unique on the installation. */
import { randomUUID } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../../../../db/client.ts';
import { orgUnitTable, tenantTable, userRoles, userRoleTable, userTable } from '../../../../db/schema/index.ts';
import { jobRoleSchema } from '../../shared/content-schema.ts';
import { appendAuditEvent } from '../audit/append-audit-event.ts';
import { hashPassword, passwordProblem } from '../auth/password.ts';
import { ConflictError, NotFoundError, ValidationError } from '../errors/domain-errors.ts';
import { appendFacts } from '../evidence/record.ts';

export const createUserInputSchema = z.object({
  /** Tenant slug; omit only for platform operators. */
  tenant: z.string().optional(),
  email: z.email('keine gültige E-Mail-Adresse').transform((e) => e.trim().toLowerCase()),
  name: z.string().trim().min(2, 'Name zu kurz').max(120),
  roles: z.array(z.enum(userRoles)).min(1).default(['learner']),
  jobRole: jobRoleSchema.exclude(['alle']).default('sachbearbeitung'),
  orgUnitId: z.string().optional(),
  password: z.string().optional(),
  /** Pre-computed argon2id hash (seeding many users with one password). */
  passwordHash: z.string().optional(),
  externalId: z.string().optional(),
});
export type CreateUserInput = z.input<typeof createUserInputSchema>;

/**
 * Creates the account and records the person's membership (org unit, job role) and role grants in the learning
 * record, with an audit entry, in one transaction. The org unit must belong to the same district.
 */
export async function createUser(
  db: Db,
  input: CreateUserInput,
  opts: { actorId?: string | null; now?: Date } = {},
): Promise<{ id: string }> {
  const parsed = createUserInputSchema.safeParse(input);
  if (!parsed.success) throw new ValidationError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  const u = parsed.data;
  const isOperator = u.roles.includes('operator');
  if (isOperator && u.tenant) throw new ValidationError('Betreiber:innen gehören zu keinem Landkreis (--tenant weglassen).');
  if (!isOperator && !u.tenant) throw new ValidationError('Bitte den Landkreis angeben (--tenant KÜRZEL).');
  if (u.password) {
    const problem = passwordProblem(u.password);
    if (problem) throw new ValidationError(problem);
  }
  const tenant = u.tenant ? await db.query.tenantTable.findFirst({ where: eq(tenantTable.slug, u.tenant) }) : null;
  if (u.tenant && !tenant) throw new NotFoundError(`Landkreis "${u.tenant}" gibt es nicht.`);
  if (await db.query.userTable.findFirst({ where: eq(userTable.email, u.email) }))
    throw new ConflictError(`Ein Konto mit ${u.email} gibt es bereits.`);
  if (u.orgUnitId) {
    const unit = tenant
      ? await db.query.orgUnitTable.findFirst({ where: and(eq(orgUnitTable.id, u.orgUnitId), eq(orgUnitTable.tenantId, tenant.id)) })
      : undefined;
    if (!unit) throw new NotFoundError('Diese Organisationseinheit gibt es in diesem Landkreis nicht.');
  }
  const now = opts.now ?? new Date();
  const actorId = opts.actorId ?? 'system:kiko-cli';
  const passwordHash = u.passwordHash ?? (u.password ? await hashPassword(u.password) : null);
  const id = randomUUID();
  await db.transaction(async (tx) => {
    await tx.insert(userTable).values({
      id,
      tenantId: tenant?.id ?? null,
      orgUnitId: u.orgUnitId ?? null,
      email: u.email,
      name: u.name,
      jobRole: u.jobRole,
      passwordHash,
      externalId: u.externalId ?? null,
      createdAt: now,
    });
    await tx.insert(userRoleTable).values(u.roles.map((role) => ({ userId: id, role, tenantId: tenant?.id ?? null })));
    if (tenant) {
      const base = { tenantId: tenant.id, userId: id, effectiveAt: now, recordedAt: now, actorId };
      await appendFacts(tx, [
        { ...base, type: 'membership.changed', data: { orgUnitId: u.orgUnitId ?? null, jobRole: u.jobRole, status: 'active' } },
        { ...base, type: 'roles.changed', data: { grants: u.roles.map((role) => ({ role, scopeOrgUnitId: null })) } },
      ]);
    }
    await appendAuditEvent(tx, {
      tenantId: tenant?.id ?? null,
      actorId,
      type: 'user.created',
      subjectId: id,
      data: { roles: u.roles, jobRole: u.jobRole, orgUnitId: u.orgUnitId ?? null },
      personal: { email: u.email, name: u.name },
      at: now,
    });
  });
  return { id };
}
