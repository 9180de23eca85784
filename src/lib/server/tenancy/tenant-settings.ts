/** Settings a district can change; stored as JSON on the tenant. */
import { z } from 'zod';

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
  /** Logo as inline SVG markup (sanitised before rendering). */
  logoSvg: z.string().max(50_000).optional(),
  /** Reminders: nobody gets more than one reminder within this many days. */
  reminderCooldownDays: z.number().int().min(0).max(365).default(7),
});
export type TenantSettings = z.infer<typeof tenantSettingsSchema>;

export function readTenantSettings(raw: unknown): TenantSettings {
  const parsed = tenantSettingsSchema.safeParse(raw ?? {});
  return parsed.success ? parsed.data : tenantSettingsSchema.parse({});
}
