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
  /**
   * Smallest group the staff council's figures show (default 5); smaller groups are suppressed. Never below 3:
   * a smaller stored value counts as 3, an unreadable one as the default.
   */
  minGroupSize: z
    .number()
    .int()
    .transform((n) => Math.max(3, n))
    .catch(5)
    .default(5),
});
export type TenantSettings = z.infer<typeof tenantSettingsSchema>;

export function readTenantSettings(raw: unknown): TenantSettings {
  const parsed = tenantSettingsSchema.safeParse(raw ?? {});
  return parsed.success ? parsed.data : tenantSettingsSchema.parse({});
}
