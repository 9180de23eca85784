/** Settings a district can change; stored as JSON on the tenant. */
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../../../../db/client.ts';
import { tenantTable } from '../../../../db/schema/index.ts';
import { ssoSettingsSchema } from '../sso/sso-settings.ts';

export const tenantSettingsSchema = z.strictObject({
  /** What the public verification page shows of the holder: initials (default), full name, or nothing. */
  verificationHolder: z.enum(['initials', 'full', 'none']).default('initials'),
  /** Brand colour for certificates and the header (hex). */
  brandColor: z
    .string()
    .regex(/^#[0-9a-fA-F]{6}$/)
    .default('#1f4e79'),
  /** Signatory line on certificates, e.g. "Die Landrätin". */
  signatory: z.string().max(120).optional(),
  /** Short text shown as the district's logo where no SVG logo is set (header, operator list), e.g. "LK Musterstadt". */
  logoText: z.string().max(60).optional(),
  /** Logo as inline SVG markup (sanitised before rendering). */
  logoSvg: z.string().max(50_000).optional(),
  /** Reminders: nobody gets more than one reminder within this many days (an unreadable value counts as 7). */
  reminderCooldownDays: z.number().int().min(0).max(365).catch(7).default(7),
  /**
   * Whether KI-Multiplikator:innen see person-level views (the person × course matrix and its export) of their own
   * cohorts. Off by default: many districts need a staff-council agreement first; without it they see aggregates only.
   */
  multiplierPersonViews: z.boolean().default(false),
  /**
   * Smallest group shown in aggregates: quiz answers of a cohort (item analysis) and the staff council's coverage
   * figures; smaller groups are suppressed. Never below 3: a stored value below 3 (or unreadable) counts as the
   * default 5, without resetting the district's other settings.
   */
  minGroupSize: z.number().int().min(3).max(100).catch(5).default(5),
  /**
   * Retention (GDPR Art. 5 (1) e): accounts deactivated for at least this many months are erased by the scheduled
   * retention job (users/retention.ts). Absent: off (the default). An unreadable value counts as off.
   */
  deleteDeactivatedAfterMonths: z.number().int().min(1).max(240).optional().catch(undefined),
  /** Single sign-on with the district's OpenID provider (sso/sso-settings.ts); absent: password login only. */
  sso: ssoSettingsSchema.optional(),
});
export type TenantSettings = z.infer<typeof tenantSettingsSchema>;

export function readTenantSettings(raw: unknown): TenantSettings {
  const parsed = tenantSettingsSchema.safeParse(raw ?? {});
  return parsed.success ? parsed.data : tenantSettingsSchema.parse({});
}

/** The settings of one district (defaults when unset or unreadable). */
export async function getTenantSettings(db: Db, tenantId: string): Promise<TenantSettings> {
  const [row] = await db.select({ settings: tenantTable.settings }).from(tenantTable).where(eq(tenantTable.id, tenantId));
  return readTenantSettings(row?.settings);
}
