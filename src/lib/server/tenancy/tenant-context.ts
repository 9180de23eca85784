/**
 * The context of a command that acts within one district (CLI, background job): the district by its slug, and a
 * named actor — the system ("system:kiko-cli") or, when a person runs it and gives their name, that operator — so the
 * audit log always says who acted.
 */
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../../../../db/client.ts';
import { tenantTable } from '../../../../db/schema/index.ts';
import type { ContentSet } from '../content/load-content.ts';
import { type Ctx, systemContext } from '../context.ts';
import { NotFoundError, ValidationError } from '../errors/domain-errors.ts';

/** An operator's name as it appears in the audit log: letters, digits and a few separators, at most 64 characters. */
export const operatorNameSchema = z
  .string()
  .trim()
  .regex(
    /^[\p{L}\p{N}][\p{L}\p{N} ._@-]{0,63}$/u,
    'Bitte einen Namen aus Buchstaben, Ziffern, Leerzeichen, Punkt, @, _ oder - angeben (höchstens 64 Zeichen).',
  );

export interface TenantContextOptions {
  tenantSlug: string;
  /** Name of the person running the command; without it the actor is the system ("system:kiko-cli"). */
  operator?: string;
  clock?: () => Date;
}

/** Throws NotFound (German) for an unknown district, Validation for an unusable operator name. */
export async function tenantContext(db: Db, content: ContentSet, opts: TenantContextOptions): Promise<Ctx> {
  const [tenant] = await db.select({ id: tenantTable.id }).from(tenantTable).where(eq(tenantTable.slug, opts.tenantSlug));
  if (!tenant) throw new NotFoundError(`Einen Landkreis „${opts.tenantSlug}“ gibt es nicht.`);
  let name = 'kiko-cli';
  if (opts.operator !== undefined) {
    const parsed = operatorNameSchema.safeParse(opts.operator);
    if (!parsed.success) throw new ValidationError(parsed.error.issues[0]?.message ?? 'Ungültiger Name.');
    name = parsed.data;
  }
  return systemContext(db, content, {
    tenantId: tenant.id,
    name,
    operator: opts.operator !== undefined,
    ...(opts.clock ? { clock: opts.clock } : {}),
  });
}
