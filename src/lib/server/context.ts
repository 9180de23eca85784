/**
 * The context every verb receives: database, the actor it acts for, the actor's tenant, a clock and the curriculum.
 * A verb's first step is `authorize(ctx, action, …)` (authz/authorize.ts), which answers with the scope its queries use.
 * Pages and actions build it from the request (src/lib/web/context.ts), the CLI from its flags (a named operator or
 * system actor, so the audit log always says who), tests with `systemContext`/`personContext`.
 */
import type { Db } from '../../../db/client.ts';
import type { ContentSet } from './content/load-content.ts';
import type { AuthUser } from './users/get-auth-user.ts';

/** Who acts: a signed-in person, or the command line acting as a named operator or as the system. */
export type Actor =
  | { kind: 'person'; user: AuthUser }
  | { kind: 'operator'; name: string; tenantId: string | null }
  | { kind: 'system'; name: string; tenantId: string | null };

export interface Ctx {
  db: Db;
  actor: Actor;
  content: ContentSet;
  /** The current time; tests and "as of" computations pass a fixed one. */
  clock: () => Date;
}

/** Id written to the record and the audit log for the actor ("operator:name", "system:name" for the CLI). */
export function actorId(actor: Actor): string {
  return actor.kind === 'person' ? actor.user.id : `${actor.kind}:${actor.name}`;
}

/** The tenant the actor acts in (null for platform operators and platform-wide system jobs). */
export function actorTenantId(actor: Actor): string | null {
  return actor.kind === 'person' ? (actor.user.tenant?.id ?? null) : actor.tenantId;
}

export function personContext(db: Db, user: AuthUser, content: ContentSet, clock: () => Date = () => new Date()): Ctx {
  return { db, actor: { kind: 'person', user }, content, clock };
}

/** Context of a CLI command or background job acting for the system (or an operator) within one tenant or the platform. */
export function systemContext(
  db: Db,
  content: ContentSet,
  opts: { name?: string; tenantId?: string | null; operator?: boolean; clock?: () => Date } = {},
): Ctx {
  const name = opts.name ?? 'kiko-cli';
  const tenantId = opts.tenantId ?? null;
  const actor: Actor = opts.operator ? { kind: 'operator', name, tenantId } : { kind: 'system', name, tenantId };
  return { db, actor, content, clock: opts.clock ?? (() => new Date()) };
}
