/**
 * The staff import, one verb for the admin page and `kiko users import`: `previewImport` is the dry run (nothing
 * written), `applyImport` applies all or nothing. Applying re-plans inside ONE write transaction (so it acts on what
 * the database holds at that moment), refuses when any row has an error, and then writes set-based in batches —
 * users, role grants, facts of the learning record (creation, membership changes) and audit entries as INSERT/UPDATE
 * … SELECT over one JSON parameter per batch — yielding to the event loop between batches, as the district generator
 * does (src/lib/server/demo/generate-district.ts). The same file applied twice changes nothing the second time.
 */
import { createHash, randomUUID } from 'node:crypto';
import { and, eq, isNull, sql } from 'drizzle-orm';
import { orgUnitTable, sessionTable, userRoleTable, userTable } from '../../../../../db/schema/index.ts';
import { appendAuditEvent } from '../../audit/append-audit-event.ts';
import { appendAuditEvents } from '../../audit/append-audit-events.ts';
import { forgetSession } from '../../auth/session-cache.ts';
import { authorize, type Scope } from '../../authz/authorize.ts';
import { actorId, type Ctx } from '../../context.ts';
import { ConflictError, ValidationError } from '../../errors/domain-errors.ts';
import { appendFactsBulk, type Tx } from '../../evidence/record.ts';
import { recordMembershipChanges } from '../change-membership.ts';
import { LAST_ADMIN_MESSAGE } from '../last-admin.ts';
import { loadImportMapping } from './import-mapping.ts';
import { parseStaffFile } from './parse-staff-file.ts';
import { type ExistingPerson, type ImportPlan, planChanges, planImport } from './plan-import.ts';

export interface ImportOptions {
  file: Buffer;
  deactivateMissing?: boolean;
  /** Progress of the apply step (the CLI draws a bar). */
  onProgress?: (phase: string, done: number, total: number) => void;
}
export interface ImportResult {
  plan: ImportPlan;
  created: number;
  changed: number;
  deactivated: number;
  unchanged: number;
}

/** Page cache (KiB) of the importing connection during an apply. */
const IMPORT_CACHE_KIB = 32_768;
/** People per batch of set-based writes. */
const BATCH = 1_000;
const yieldToEventLoop = (): Promise<void> => new Promise((r) => setImmediate(r));

type Reader = Pick<Tx, 'select' | 'all'>;

async function loadPlan(
  db: Reader,
  scope: Scope,
  file: ReturnType<typeof parseStaffFile>,
  deactivateMissing: boolean,
): Promise<ImportPlan> {
  const tenantId = scope.tenantId as string;
  const emails = [...new Set(file.rows.flatMap((r) => r.cells.map((c) => c.trim().toLowerCase()).filter((c) => c.includes('@'))))];
  const [people, others, units, mapping] = await Promise.all([
    db
      .select({
        id: userTable.id,
        tenantId: userTable.tenantId,
        email: userTable.email,
        name: userTable.name,
        externalId: userTable.externalId,
        orgUnitId: userTable.orgUnitId,
        jobRole: userTable.jobRole,
        status: userTable.status,
      })
      .from(userTable)
      .where(eq(userTable.tenantId, tenantId)),
    // e-mail addresses are logins, unique on the installation: those of the file taken in other districts
    db.all<{ id: string; tenant_id: string | null; email: string }>(sql`
      SELECT u.id, u.tenant_id, u.email FROM json_each(${JSON.stringify(emails)}) j CROSS JOIN ${userTable} u ON u.email = j.value
       WHERE u.tenant_id IS NOT ${tenantId}`),
    db
      .select({ id: orgUnitTable.id, code: orgUnitTable.code, name: orgUnitTable.name, closedAt: orgUnitTable.closedAt })
      .from(orgUnitTable)
      .where(eq(orgUnitTable.tenantId, tenantId)),
    loadImportMapping(db, tenantId),
  ]);
  const existing: ExistingPerson[] = [
    ...people,
    ...others.map((o) => ({
      id: o.id,
      tenantId: o.tenant_id,
      email: o.email,
      name: '',
      externalId: null,
      orgUnitId: null,
      jobRole: '',
      status: 'active' as const,
    })),
  ];
  return planImport({
    file,
    tenantId,
    scope,
    people: existing,
    units: units.map((u) => ({ id: u.id, code: u.code, name: u.name, closed: u.closedAt !== null })),
    mapping,
    deactivateMissing,
    actorUserId: scope.actorUserId,
  });
}

/** The dry run: what applying the file would do, and every row's problem. Writes nothing. */
export async function previewImport(ctx: Ctx, opts: ImportOptions): Promise<ImportPlan> {
  const scope = await authorize(ctx, 'tenant.admin');
  const file = parseStaffFile(opts.file);
  return loadPlan(ctx.db, scope, file, opts.deactivateMissing ?? false);
}

/** Applies the file all or nothing; refused (ValidationError, nothing written) when the dry run has errors. */
export async function applyImport(ctx: Ctx, opts: ImportOptions): Promise<ImportResult> {
  const scope = await authorize(ctx, 'tenant.admin');
  const tenantId = scope.tenantId as string;
  const file = parseStaffFile(opts.file);
  const by = actorId(ctx.actor);
  const importId = randomUUID();
  const fileHash = createHash('sha256').update(opts.file).digest('hex');
  const progress = opts.onProgress ?? (() => {});
  const ended: string[] = [];
  const result = await ctx.db.transaction(async (tx) => {
    const restoreCache = await enlargePageCache(tx);
    try {
      const plan = await loadPlan(tx, scope, file, opts.deactivateMissing ?? false);
      if (plan.missing.length > 0) throw new ValidationError(`In der Datei fehlt: ${plan.missing.join(', ')}. Es wurde nichts übernommen.`);
      if (plan.errors.length > 0)
        throw new ValidationError(
          `${plan.errors.length} Fehler in der Datei (erster in Zeile ${plan.errors[0]?.line}: ${plan.errors[0]?.message}). Es wurde nichts übernommen.`,
        );
      const now = ctx.clock();
      if (plan.deactivate.length > 0)
        await refuseLosingAllAdmins(
          tx,
          tenantId,
          plan.deactivate.map((d) => d.userId),
        );
      const total = planChanges(plan);
      let done = 0;
      for (let i = 0; i < plan.created.length; i += BATCH) {
        await writeCreated(tx, tenantId, plan.created.slice(i, i + BATCH), by, now, importId);
        done += Math.min(BATCH, plan.created.length - i);
        progress('Neue Personen', done, total);
        await yieldToEventLoop();
      }
      for (let i = 0; i < plan.changed.length; i += BATCH) {
        await writeChanged(tx, tenantId, plan.changed.slice(i, i + BATCH), by, now, importId);
        done += Math.min(BATCH, plan.changed.length - i);
        progress('Geänderte Personen', done, total);
        await yieldToEventLoop();
      }
      for (let i = 0; i < plan.deactivate.length; i += BATCH) {
        const part = plan.deactivate.slice(i, i + BATCH);
        await recordMembershipChanges(tx, {
          tenantId,
          actorId: by,
          at: now,
          changes: part.map((d) => ({ userId: d.userId, orgUnitId: d.orgUnitId, jobRole: d.jobRole, status: 'disabled' as const })),
          auditType: 'user.deactivated',
          audit: { importId },
        });
        const sessions = await tx
          .delete(sessionTable)
          .where(sql`${sessionTable.userId} IN (SELECT value FROM json_each(${JSON.stringify(part.map((d) => d.userId))}))`)
          .returning({ id: sessionTable.id });
        ended.push(...sessions.map((s) => s.id));
        done += part.length;
        progress('Deaktivierte Personen', done, total);
        await yieldToEventLoop();
      }
      if (total > 0)
        await appendAuditEvent(tx, {
          tenantId,
          actorId: by,
          type: 'users.imported',
          data: {
            importId,
            fileHash,
            created: plan.created.length,
            changed: plan.changed.length,
            deactivated: plan.deactivate.length,
            unchanged: plan.unchanged,
          },
          at: now,
        });
      return {
        plan,
        created: plan.created.length,
        changed: plan.changed.length,
        deactivated: plan.deactivate.length,
        unchanged: plan.unchanged,
      };
    } finally {
      await restoreCache();
    }
  });
  for (const id of ended) forgetSession(id);
  return result;
}

/**
 * A larger page cache for the importing connection while the batches run (they touch the user, record and audit
 * indexes all over; with SQLite's default 2 MB, pages are written and read again within the transaction), as the
 * district generator does. Returns the function that restores the previous size.
 */
async function enlargePageCache(tx: Tx): Promise<() => Promise<void>> {
  const [row] = await tx.all<{ cache_size: number }>(sql`PRAGMA cache_size`);
  const previous = Number(row?.cache_size ?? -2000);
  await tx.run(sql.raw(`PRAGMA cache_size = -${IMPORT_CACHE_KIB}`));
  return async () => {
    await tx.run(sql.raw(`PRAGMA cache_size = ${previous}`));
  };
}

async function refuseLosingAllAdmins(tx: Reader, tenantId: string, leaving: string[]): Promise<void> {
  const [row] = await tx
    .select({ n: sql<number>`count(*)` })
    .from(userRoleTable)
    .innerJoin(userTable, eq(userTable.id, userRoleTable.userId))
    .where(
      and(
        eq(userRoleTable.tenantId, tenantId),
        eq(userRoleTable.role, 'admin'),
        isNull(userRoleTable.scopeOrgUnitId),
        eq(userTable.status, 'active'),
        sql`${userTable.id} NOT IN (SELECT value FROM json_each(${JSON.stringify(leaving)}))`,
      ),
    );
  if (Number(row?.n ?? 0) === 0) throw new ConflictError(`${LAST_ADMIN_MESSAGE} Die Datei würde alle deaktivieren.`);
}

async function writeCreated(
  tx: Tx,
  tenantId: string,
  people: ImportPlan['created'],
  by: string,
  now: Date,
  importId: string,
): Promise<void> {
  const rows = people.map((p) => ({ ...p, id: randomUUID() }));
  await tx.run(sql`INSERT INTO ${userTable} (id, tenant_id, org_unit_id, email, name, job_role, status, password_hash, external_id, created_at)
    SELECT value->>0, ${tenantId}, value->>1, value->>2, value->>3, value->>4, 'active', NULL, value->>5, ${now.getTime()}
      FROM json_each(${JSON.stringify(rows.map((p) => [p.id, p.orgUnitId, p.email, p.name, p.jobRole, p.externalId]))})`);
  await tx.run(sql`INSERT INTO ${userRoleTable} (user_id, role, tenant_id)
    SELECT value, 'learner', ${tenantId} FROM json_each(${JSON.stringify(rows.map((p) => p.id))})`);
  const base = { effectiveAt: now, recordedAt: now, actorId: by };
  await appendFactsBulk(
    tx,
    tenantId,
    rows.flatMap((p) => [
      {
        ...base,
        userId: p.id,
        type: 'membership.changed' as const,
        data: { orgUnitId: p.orgUnitId, jobRole: p.jobRole, status: 'active' },
      },
      { ...base, userId: p.id, type: 'roles.changed' as const, data: { grants: [{ role: 'learner', scopeOrgUnitId: null }] } },
    ]),
  );
  await appendAuditEvents(
    tx,
    rows.map((p) => ({
      tenantId,
      actorId: by,
      type: 'user.created',
      subjectId: p.id,
      data: { roles: ['learner'], jobRole: p.jobRole, orgUnitId: p.orgUnitId, importId },
      personal: { email: p.email, name: p.name, externalId: p.externalId },
      at: now,
    })),
  );
}

async function writeChanged(
  tx: Tx,
  tenantId: string,
  people: ImportPlan['changed'],
  by: string,
  now: Date,
  importId: string,
): Promise<void> {
  const personal = people.filter((p) => p.changes.some((c) => c === 'Name' || c === 'E-Mail' || c === 'Personalnummer'));
  if (personal.length > 0) {
    await tx.run(sql`UPDATE ${userTable} SET name = j.value->>1, email = j.value->>2, external_id = j.value->>3
        FROM json_each(${JSON.stringify(personal.map((p) => [p.userId, p.name, p.email, p.externalId]))}) AS j
       WHERE ${userTable.id} = j.value->>0 AND +${userTable.tenantId} = ${tenantId}`);
    await appendAuditEvents(
      tx,
      personal.map((p) => ({
        tenantId,
        actorId: by,
        type: 'user.updated',
        subjectId: p.userId,
        data: { fields: p.changes.filter((c) => c === 'Name' || c === 'E-Mail' || c === 'Personalnummer'), importId },
        personal: { email: p.email, name: p.name, externalId: p.externalId },
        at: now,
      })),
    );
  }
  const membership = people.filter((p) => p.changes.some((c) => c === 'Organisationseinheit' || c === 'Tätigkeitsprofil') || p.reactivate);
  await recordMembershipChanges(tx, {
    tenantId,
    actorId: by,
    at: now,
    changes: membership.map((p) => ({ userId: p.userId as string, orgUnitId: p.orgUnitId, jobRole: p.jobRole, status: 'active' as const })),
    audit: { importId },
  });
}
