/**
 * A district admin (or the CLI for a district) changes the district's single sign-on settings. The client secret is
 * not part of them: it comes from the environment (sso-settings.ts `secretEnvName`).
 */
import { and, eq } from 'drizzle-orm';
import type { z } from 'zod';
import { orgUnitTable, tenantTable } from '../../../../db/schema/index.ts';
import { appendAuditEvent } from '../audit/append-audit-event.ts';
import { authorize } from '../authz/authorize.ts';
import { actorId, type Ctx } from '../context.ts';
import { ForbiddenError, NotFoundError, ValidationError } from '../errors/domain-errors.ts';
import { readTenantSettings } from '../tenancy/tenant-settings.ts';
import { forgetOidcConfigurations } from './oidc-config.ts';
import { type SsoSettings, ssoSettingsSchema } from './sso-settings.ts';

export type SsoSettingsInput = z.input<typeof ssoSettingsSchema>;

/** Field of the first problem (for the form) and its German message. */
function validationOf(error: z.ZodError): ValidationError {
  const fields: Record<string, string> = {};
  for (const issue of error.issues) fields[issue.path.join('.')] ??= issue.message;
  return new ValidationError(error.issues[0]?.message ?? 'Bitte prüfen Sie die Angaben.', fields);
}

/** Saves the settings of the actor's district; returns what was stored. */
export async function updateSsoSettings(ctx: Ctx, input: SsoSettingsInput): Promise<SsoSettings> {
  const scope = await authorize(ctx, 'tenant.admin');
  // district-wide: an admin whose grant is limited to an org subtree may not change how the whole district signs in
  if (scope.orgUnitIds) throw new ForbiddenError('Die Anmeldung kann nur die Administration des ganzen Landkreises einstellen.');
  const tenantId = scope.tenantId as string;
  const parsed = ssoSettingsSchema.safeParse(input);
  if (!parsed.success) throw validationOf(parsed.error);
  const sso = parsed.data;
  if (!sso.enabled && !sso.passwordLogin)
    throw new ValidationError('Ohne Anmeldung mit dem Dienstkonto muss die Anmeldung mit Passwort eingeschaltet bleiben.', {
      passwordLogin: 'Bitte die Anmeldung mit Passwort eingeschaltet lassen oder das Dienstkonto einschalten.',
    });
  if (sso.defaultOrgUnitCode) {
    const [unit] = await ctx.db
      .select({ id: orgUnitTable.id })
      .from(orgUnitTable)
      .where(and(eq(orgUnitTable.tenantId, tenantId), eq(orgUnitTable.code, sso.defaultOrgUnitCode)));
    if (!unit)
      throw new ValidationError('Diese Organisationseinheit gibt es in Ihrem Landkreis nicht.', {
        defaultOrgUnitCode: 'Diese Organisationseinheit gibt es in Ihrem Landkreis nicht.',
      });
  }
  const now = ctx.clock();
  const slug = await ctx.db.transaction(async (tx) => {
    const [tenant] = await tx.select().from(tenantTable).where(eq(tenantTable.id, tenantId));
    if (!tenant) throw new NotFoundError('Diesen Landkreis gibt es nicht.');
    await tx
      .update(tenantTable)
      .set({ settings: { ...readTenantSettings(tenant.settings), sso } })
      .where(eq(tenantTable.id, tenantId));
    await appendAuditEvent(tx, {
      tenantId,
      actorId: actorId(ctx.actor),
      type: 'tenant.sso-settings-changed',
      data: { enabled: sso.enabled, issuer: sso.issuer, clientId: sso.clientId, bindBy: sso.bindBy, passwordLogin: sso.passwordLogin },
      at: now,
    });
    return tenant.slug;
  });
  forgetOidcConfigurations(slug);
  return sso;
}
