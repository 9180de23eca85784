/**
 * A person's membership history as the admin sees it on the person page: every change of org unit, job role,
 * account status and role grants, read from the learning record (`membership.changed`, `roles.changed`,
 * `person.erased` facts — nothing else is consulted), newest first, with the date it took effect and the date KIKO
 * recorded it (an import may record a move of last week). Each membership change also names the cohorts the person
 * joined or left through it: the cohorts whose rules valid at that date pick the new membership but not the old one
 * (or the other way round), from the one membership rule (cohorts/cohort-members.ts). Cohort changes that come from
 * a cohort's own rules changing are shown on the cohort, not here.
 */
import { and, eq, inArray } from 'drizzle-orm';
import { cohortRuleTable, cohortTable, learningEventTable, orgUnitTable } from '../../../../db/schema/index.ts';
import { jobRoleLabels, roleLabels } from '../../shared/people-labels.ts';
import { authorize } from '../authz/authorize.ts';
import { type CohortRule, rulesPick, rulesValidAt } from '../cohorts/cohort-members.ts';
import type { Ctx } from '../context.ts';

export const HISTORY_PAGE_SIZE = 20;

export interface HistoryEntry {
  effectiveAt: Date;
  recordedAt: Date;
  /** What the entry is about, for the table's first column. */
  kind: 'Angelegt' | 'Mitgliedschaft' | 'Rollen' | 'Gelöscht';
  /** What changed, one German line each ("Organisationseinheit: A – Amt A → B – Amt B"). */
  changes: string[];
}

export interface MembershipHistory {
  entries: HistoryEntry[];
  total: number;
  page: number;
  pages: number;
}

interface Membership {
  orgUnitId: string | null;
  jobRole: string;
  status: string;
}
type Grants = Array<{ role: string; scopeOrgUnitId: string | null }>;

export async function getMembershipHistory(ctx: Ctx, userId: string, opts: { page?: string | null } = {}): Promise<MembershipHistory> {
  const scope = await authorize(ctx, 'tenant.admin', { userId });
  const tenantId = scope.tenantId as string;
  const facts = await ctx.db
    .select({
      seq: learningEventTable.seq,
      type: learningEventTable.type,
      data: learningEventTable.data,
      effectiveAt: learningEventTable.effectiveAt,
      recordedAt: learningEventTable.recordedAt,
    })
    .from(learningEventTable)
    .where(
      and(
        eq(learningEventTable.tenantId, tenantId),
        eq(learningEventTable.userId, userId),
        inArray(learningEventTable.type, ['membership.changed', 'roles.changed', 'person.erased']),
      ),
    )
    .orderBy(learningEventTable.effectiveAt, learningEventTable.seq);
  const [units, cohorts, rules] = await Promise.all([
    ctx.db
      .select({
        id: orgUnitTable.id,
        code: orgUnitTable.code,
        name: orgUnitTable.name,
        parentId: orgUnitTable.parentId,
        closedAt: orgUnitTable.closedAt,
      })
      .from(orgUnitTable)
      .where(eq(orgUnitTable.tenantId, tenantId)),
    ctx.db.select().from(cohortTable).where(eq(cohortTable.tenantId, tenantId)).orderBy(cohortTable.name),
    ctx.db.select().from(cohortRuleTable).where(eq(cohortRuleTable.tenantId, tenantId)),
  ]);
  const unitById = new Map(units.map((u) => [u.id, u]));
  const parentOf = new Map(units.map((u) => [u.id, u.parentId]));
  const rulesByCohort = new Map<string, CohortRule[]>();
  for (const r of rules) rulesByCohort.set(r.cohortId, [...(rulesByCohort.get(r.cohortId) ?? []), r]);
  const unitName = (id: string | null): string => {
    if (!id) return 'keine';
    const u = unitById.get(id);
    return u ? `${u.code} – ${u.name}` : 'unbekannt';
  };
  const jobRole = (j: string): string => jobRoleLabels[j] ?? j;
  const grantsText = (g: Grants): string =>
    g.length === 0
      ? 'keine'
      : g
          .map((x) => `${roleLabels[x.role] ?? x.role}${x.scopeOrgUnitId ? ` (nur ${unitName(x.scopeOrgUnitId)})` : ''}`)
          .sort((a, b) => a.localeCompare(b, 'de'))
          .join(', ');
  /** The cohorts (names) a membership belongs to at `at`: running then, rules valid then pick it, account active. */
  const cohortsOf = (m: Membership, at: Date): string[] =>
    m.status !== 'active'
      ? []
      : cohorts
          .filter((c) => c.createdAt <= at && (c.endedAt === null || c.endedAt > at))
          .filter((c) => rulesPick(rulesValidAt(rulesByCohort.get(c.id) ?? [], at), { userId, orgUnitId: m.orgUnitId }, parentOf))
          .map((c) => c.name);

  const entries: HistoryEntry[] = [];
  let membership: Membership | null = null;
  let grants: Grants | null = null;
  for (const f of facts) {
    const at = f.effectiveAt;
    const changes: string[] = [];
    if (f.type === 'membership.changed') {
      const next: Membership = {
        orgUnitId: (f.data.orgUnitId as string | null) ?? null,
        jobRole: String(f.data.jobRole ?? ''),
        status: String(f.data.status ?? 'active'),
      };
      const prev = membership;
      if (!prev) {
        changes.push(`Organisationseinheit: ${unitName(next.orgUnitId)}`, `Tätigkeitsprofil: ${jobRole(next.jobRole)}`);
        if (next.status !== 'active') changes.push('Konto: deaktiviert');
      } else {
        if (prev.orgUnitId !== next.orgUnitId)
          changes.push(`Organisationseinheit: ${unitName(prev.orgUnitId)} → ${unitName(next.orgUnitId)}`);
        if (prev.jobRole !== next.jobRole) changes.push(`Tätigkeitsprofil: ${jobRole(prev.jobRole)} → ${jobRole(next.jobRole)}`);
        if (prev.status !== next.status) changes.push(next.status === 'active' ? 'Konto: wieder aktiviert' : 'Konto: deaktiviert');
      }
      const before = prev ? cohortsOf(prev, at) : [];
      const after = cohortsOf(next, at);
      const joined = after.filter((c) => !before.includes(c));
      const left = before.filter((c) => !after.includes(c));
      if (joined.length) changes.push(`Kohorte aufgenommen: ${joined.join(', ')}`);
      if (left.length) changes.push(`Kohorte verlassen: ${left.join(', ')}`);
      membership = next;
      if (changes.length === 0) continue; // recorded again unchanged (e.g. the same import twice)
      entries.push({ effectiveAt: at, recordedAt: f.recordedAt, kind: prev ? 'Mitgliedschaft' : 'Angelegt', changes });
    } else if (f.type === 'roles.changed') {
      const next = ((f.data.grants as Grants | undefined) ?? []).map((g) => ({ role: g.role, scopeOrgUnitId: g.scopeOrgUnitId ?? null }));
      const prev = grants;
      grants = next;
      if (prev && grantsText(prev) === grantsText(next)) continue;
      entries.push({
        effectiveAt: at,
        recordedAt: f.recordedAt,
        kind: 'Rollen',
        changes: [prev ? `Rollen: ${grantsText(prev)} → ${grantsText(next)}` : `Rollen: ${grantsText(next)}`],
      });
    } else {
      entries.push({
        effectiveAt: at,
        recordedAt: f.recordedAt,
        kind: 'Gelöscht',
        changes: ['Personenbezogene Daten gelöscht (Art. 17 DSGVO)'],
      });
    }
  }
  // a person's first facts (membership and roles) are one "created" entry
  const first = entries[0];
  const second = entries[1];
  if (
    first?.kind === 'Angelegt' &&
    second?.kind === 'Rollen' &&
    second.effectiveAt.getTime() === first.effectiveAt.getTime() &&
    !second.changes[0]?.includes('→')
  ) {
    first.changes.push(...second.changes);
    entries.splice(1, 1);
  }
  entries.reverse();
  const total = entries.length;
  const pages = Math.max(1, Math.ceil(total / HISTORY_PAGE_SIZE));
  const asked = Number.parseInt(opts.page ?? '1', 10);
  const page = Number.isFinite(asked) ? Math.min(Math.max(1, asked), pages) : 1;
  return { entries: entries.slice((page - 1) * HISTORY_PAGE_SIZE, page * HISTORY_PAGE_SIZE), total, page, pages };
}
