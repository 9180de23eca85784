/**
 * Which learning path a person has: an assignment to the person wins over one to their org unit (or the
 * nearest parent unit), which wins over the default path of their job role from content/paths.
 */
import { and, eq, isNull, or } from 'drizzle-orm';
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

export function defaultPathFor(content: ContentSet, jobRole: string): LearningPath | null {
  const paths = [...content.paths.values()];
  return paths.find((p) => p.jobRoles.includes(jobRole as never)) ?? paths.find((p) => p.jobRoles.includes('alle')) ?? null;
}

async function orgUnitChain(db: Db, tenantId: string, orgUnitId: string | null): Promise<string[]> {
  if (!orgUnitId) return [];
  const units = await db
    .select({ id: orgUnitTable.id, parentId: orgUnitTable.parentId })
    .from(orgUnitTable)
    .where(eq(orgUnitTable.tenantId, tenantId));
  const parent = new Map(units.map((u) => [u.id, u.parentId]));
  const chain: string[] = [];
  for (let id: string | null | undefined = orgUnitId; id && !chain.includes(id); id = parent.get(id)) chain.push(id);
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
