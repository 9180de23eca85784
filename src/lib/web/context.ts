/** Builds the verb context of a request (page, action or endpoint) from the signed-in user. */
import { getDb } from '../server/app-context.ts';
import { type Ctx, personContext } from '../server/context.ts';
import { ForbiddenError } from '../server/errors/domain-errors.ts';
import { archiveContent } from '../server/evidence/content-archive.ts';
import { getContent } from '../server/learning/content-registry.ts';
import type { AuthUser } from '../server/users/get-auth-user.ts';

export async function requestContext(locals: { user: AuthUser | null }): Promise<Ctx> {
  if (!locals.user) throw new ForbiddenError('Bitte melden Sie sich an.');
  const db = await getDb();
  const content = getContent();
  // the served versions are archived once per process, so evidence can always say what was learned
  await archiveContent(db, content);
  return personContext(db, locals.user, content);
}
