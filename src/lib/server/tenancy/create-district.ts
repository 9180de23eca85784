/**
 * The platform operator creates a district (tenant): name, slug, branding, first settings and its first admin, who
 * gets an invitation mail (a one-time link to set a password, through the mail queue). District, record start,
 * admin account with its membership facts, invitation and audit entries commit in ONE transaction: either the
 * district exists with its admin and the mail is queued, or nothing happened.
 */
import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { tenantTable, userRoleTable, userTable } from '../../../../db/schema/index.ts';
import { appendAuditEvent } from '../audit/append-audit-event.ts';
import { invitationMail } from '../auth/password-mails.ts';
import { createPasswordToken } from '../auth/password-tokens.ts';
import { authorize } from '../authz/authorize.ts';
import { actorId, type Ctx } from '../context.ts';
import { ConflictError, ValidationError } from '../errors/domain-errors.ts';
import { appendFact, appendFacts } from '../evidence/record.ts';
import { publicLink } from '../mail/mail-links.ts';
import { queueMail } from '../mail/queue-mail.ts';
import type { TenantSettings } from './tenant-settings.ts';

/** The operator's form, with German messages per field. */
export const createDistrictSchema = z.object({
  name: z
    .string({ error: 'Bitte den Namen des Landkreises angeben.' })
    .trim()
    .min(3, 'Der Name muss mindestens 3 Zeichen lang sein.')
    .max(120, 'Der Name darf höchstens 120 Zeichen lang sein.'),
  slug: z
    .string({ error: 'Bitte ein Kürzel angeben.' })
    .trim()
    .toLowerCase()
    .min(2, 'Das Kürzel muss mindestens 2 Zeichen lang sein.')
    .max(40, 'Das Kürzel darf höchstens 40 Zeichen lang sein.')
    .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'Das Kürzel darf nur Kleinbuchstaben, Ziffern und einzelne Bindestriche enthalten.'),
  brandColor: z
    .string({ error: 'Bitte eine Farbe angeben.' })
    .trim()
    .regex(/^#[0-9a-fA-F]{6}$/, 'Die Farbe bitte als Hex-Wert angeben, z. B. #1f4e79.')
    .default('#1f4e79'),
  logoText: z
    .string()
    .trim()
    .max(60, 'Der Logo-Text darf höchstens 60 Zeichen lang sein.')
    .nullish()
    .transform((v) => v || undefined),
  verificationHolder: z
    .enum(['initials', 'full', 'none'], { error: 'Bitte wählen, was die Prüfseite vom Namen zeigt.' })
    .default('initials'),
  minGroupSize: z.coerce
    .number({ error: 'Die Mindestgruppe bitte als Zahl angeben.' })
    .int('Die Mindestgruppe bitte als ganze Zahl angeben.')
    .min(3, 'Die Mindestgruppe muss mindestens 3 sein.')
    .max(100, 'Die Mindestgruppe darf höchstens 100 sein.')
    .default(5),
  adminName: z
    .string({ error: 'Bitte den Namen der ersten Administration angeben.' })
    .trim()
    .min(2, 'Der Name der Administration ist zu kurz.')
    .max(120, 'Der Name der Administration darf höchstens 120 Zeichen lang sein.'),
  adminEmail: z
    .string({ error: 'Bitte die E-Mail-Adresse der ersten Administration angeben.' })
    .trim()
    .toLowerCase()
    .pipe(z.email({ error: 'Bitte eine gültige E-Mail-Adresse angeben.' }).max(254)),
});
export type CreateDistrictInput = z.input<typeof createDistrictSchema>;

/** The slug or the admin's e-mail address is taken: names the form field. */
export class DistrictConflictError extends ConflictError {
  readonly field: 'slug' | 'adminEmail';
  constructor(message: string, field: 'slug' | 'adminEmail') {
    super(message);
    this.field = field;
  }
}

/** Field → first message, for the form. */
export function fieldErrors(error: z.ZodError): Record<string, string> {
  const out: Record<string, string> = {};
  for (const issue of error.issues) {
    const key = String(issue.path[0] ?? '');
    out[key] ??= issue.message;
  }
  return out;
}

export async function createDistrict(ctx: Ctx, input: CreateDistrictInput): Promise<{ id: string; slug: string }> {
  await authorize(ctx, 'platform.operate');
  const parsed = createDistrictSchema.safeParse(input);
  if (!parsed.success) {
    const fields = fieldErrors(parsed.error);
    throw new ValidationError(Object.values(fields)[0] ?? 'Ungültige Eingabe.', fields);
  }
  const d = parsed.data;
  const now = ctx.clock();
  const by = actorId(ctx.actor);
  const id = randomUUID();
  const adminId = randomUUID();
  const settings: Partial<TenantSettings> = {
    brandColor: d.brandColor,
    verificationHolder: d.verificationHolder,
    minGroupSize: d.minGroupSize,
    ...(d.logoText ? { logoText: d.logoText } : {}),
  };
  return ctx.db.transaction(async (tx) => {
    if (await tx.query.tenantTable.findFirst({ where: eq(tenantTable.slug, d.slug), columns: { id: true } }))
      throw new DistrictConflictError(`Das Kürzel „${d.slug}“ ist schon vergeben. Bitte ein anderes wählen.`, 'slug');
    if (await tx.query.userTable.findFirst({ where: eq(userTable.email, d.adminEmail), columns: { id: true } }))
      throw new DistrictConflictError(`Mit ${d.adminEmail} gibt es schon ein Konto. Bitte eine andere Adresse angeben.`, 'adminEmail');
    await tx.insert(tenantTable).values({ id, slug: d.slug, name: d.name, settings, createdAt: now, recordStartedAt: now });
    await appendFact(tx, { tenantId: id, type: 'record.started', effectiveAt: now, recordedAt: now, actorId: by, data: {} });
    await appendAuditEvent(tx, {
      tenantId: id,
      actorId: by,
      type: 'tenant.created',
      data: { slug: d.slug, tenantName: d.name, settings },
      at: now,
    });
    await tx.insert(userTable).values({
      id: adminId,
      tenantId: id,
      orgUnitId: null,
      email: d.adminEmail,
      name: d.adminName,
      jobRole: 'sachbearbeitung',
      passwordHash: null,
      createdAt: now,
    });
    await tx.insert(userRoleTable).values([
      { userId: adminId, role: 'learner', tenantId: id },
      { userId: adminId, role: 'admin', tenantId: id },
    ]);
    const base = { tenantId: id, userId: adminId, effectiveAt: now, recordedAt: now, actorId: by };
    await appendFacts(tx, [
      { ...base, type: 'membership.changed', data: { orgUnitId: null, jobRole: 'sachbearbeitung', status: 'active' } },
      {
        ...base,
        type: 'roles.changed',
        data: {
          grants: [
            { role: 'learner', scopeOrgUnitId: null },
            { role: 'admin', scopeOrgUnitId: null },
          ],
        },
      },
    ]);
    await appendAuditEvent(tx, {
      tenantId: id,
      actorId: by,
      type: 'user.created',
      subjectId: adminId,
      data: { roles: ['learner', 'admin'], jobRole: 'sachbearbeitung', orgUnitId: null },
      personal: { email: d.adminEmail, name: d.adminName },
      at: now,
    });
    const { token, expiresAt } = await createPasswordToken(tx, { userId: adminId, tenantId: id, purpose: 'invite', now });
    const mail = invitationMail({ name: d.adminName, tenantName: d.name, link: publicLink(`/passwort-neu?token=${token}`), expiresAt });
    await queueMail(tx, { tenantId: id, userId: adminId, to: d.adminEmail, template: 'invitation', ...mail }, { now });
    await appendAuditEvent(tx, { tenantId: id, actorId: by, type: 'user.invited', subjectId: adminId, data: {}, at: now });
    return { id, slug: d.slug };
  });
}
