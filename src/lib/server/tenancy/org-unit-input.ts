/** Shared input rules of the org-unit verbs (code and name as the admin types them). */
import { z } from 'zod';

export const orgUnitCodeSchema = z
  .string({ error: 'Bitte ein Kürzel angeben.' })
  .trim()
  .min(1, 'Bitte ein Kürzel angeben.')
  .max(30, 'Das Kürzel darf höchstens 30 Zeichen lang sein.');
export const orgUnitNameSchema = z
  .string({ error: 'Bitte einen Namen angeben.' })
  .trim()
  .min(2, 'Der Name ist zu kurz.')
  .max(120, 'Der Name darf höchstens 120 Zeichen lang sein.');
export const idSchema = z.string().min(1).max(100);

/** True when a write failed on the unique index of unit codes per district. */
export function isDuplicateCode(e: unknown): boolean {
  for (let err = e as { message?: unknown; cause?: unknown } | undefined, d = 0; err && d < 5; d++) {
    if (/UNIQUE constraint failed: org_units\.tenant_id, org_units\.code/.test(String(err.message ?? ''))) return true;
    err = err.cause as typeof err;
  }
  return false;
}
