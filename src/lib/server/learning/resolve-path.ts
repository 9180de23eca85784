/**
 * Which learning path a person has: an assignment to the person wins over one to their org unit (or the
 * nearest parent unit), which wins over the default path of their job role from content/paths.
 */
import { and, eq, isNull, or, sql } from 'drizzle-orm';
import type { Db } from '../../../../db/client.ts';
import { orgUnitTable, pathAssignmentTable, userTable } from '../../../../db/schema/index.ts';
import type { LearningPath } from '../../shared/content-schema.ts';
import type { ContentSet } from '../content/load-content.ts';
import type { Learner } from './learner.ts';

export interface AssignedPath {
  path: LearningPath;
  source: 'person' | 'org-unit' | 'job-role';
  assignedAt: Date;
  dueAt: Date;
}

const DAY = 86_400_000;
/** Deeper org trees than this are cut off (also ends a cycle in bad data). */
const MAX_ORG_DEPTH = 32;

export function defaultPathFor(content: ContentSet, jobRole: string): LearningPath | null {
  const paths = [...content.paths.values()];
  return paths.find((p) => p.jobRoles.includes(jobRole as never)) ?? paths.find((p) => p.jobRoles.includes('alle')) ?? null;
}

/** The person's org unit and its parents up to the root, nearest first (a recursive query: only the chain is read). */
async function orgUnitChain(db: Db, tenantId: string, orgUnitId: string | null): Promise<string[]> {
  if (!orgUnitId) return [];
  const rows = await db.all<{ id: string }>(sql`
    WITH RECURSIVE chain(id, parent_id, depth) AS (
      SELECT ${orgUnitTable.id}, ${orgUnitTable.parentId}, 0 FROM ${orgUnitTable}
       WHERE ${orgUnitTable.id} = ${orgUnitId} AND ${orgUnitTable.tenantId} = ${tenantId}
      UNION ALL
      SELECT o.id, o.parent_id, chain.depth + 1 FROM ${orgUnitTable} AS o JOIN chain ON o.id = chain.parent_id
       WHERE o.tenant_id = ${tenantId} AND chain.depth < ${MAX_ORG_DEPTH})
    SELECT id FROM chain ORDER BY depth`);
  const chain: string[] = [];
  for (const r of rows) if (!chain.includes(r.id)) chain.push(r.id);
  return chain;
}

export async function resolvePath(db: Db, learner: Learner, content: ContentSet): Promise<AssignedPath | null> {
  // explicit assignments of the tenant that could apply: the person's own and those of org units (usually few)
  const rows = await db
    .select()
    .from(pathAssignmentTable)
    .where(
      and(
        eq(pathAssignmentTable.tenantId, learner.tenantId),
        or(eq(pathAssignmentTable.userId, learner.userId), isNull(pathAssignmentTable.userId)),
      ),
    );
  let assignment = rows.find((r) => r.userId === learner.userId && r.orgUnitId === null);
  let source: AssignedPath['source'] = 'person';
  const unitRows = rows.filter((r) => r.userId === null && r.orgUnitId !== null);
  if (!assignment && unitRows.length > 0) {
    const chain = await orgUnitChain(db, learner.tenantId, learner.orgUnitId);
    assignment = chain.map((id) => unitRows.find((r) => r.orgUnitId === id)).find((r) => r !== undefined);
    source = 'org-unit';
  }
  if (assignment) {
    const path = content.paths.get(assignment.pathId);
    if (path)
      return {
        path,
        source,
        assignedAt: assignment.createdAt,
        dueAt: assignment.dueAt ?? new Date(assignment.createdAt.getTime() + path.dueDays * DAY),
      };
  }
  const path = defaultPathFor(content, learner.jobRole);
  if (!path) return null;
  const assignedAt = learner.since ?? (await userCreatedAt(db, learner));
  return { path, source: 'job-role', assignedAt, dueAt: new Date(assignedAt.getTime() + path.dueDays * DAY) };
}

async function userCreatedAt(db: Db, learner: Learner): Promise<Date> {
  const user = await db
    .select({ createdAt: userTable.createdAt })
    .from(userTable)
    .where(and(eq(userTable.id, learner.userId), eq(userTable.tenantId, learner.tenantId)));
  return user[0]?.createdAt ?? new Date();
}
