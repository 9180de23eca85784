/**
 * Whether people of a district may log in with a password (and therefore reset or set one by e-mail). Districts that
 * switch password login off (single sign-on only) store `passwordLogin: false` in their settings; without that
 * setting password login is on.
 */
import { eq } from 'drizzle-orm';
import { tenantTable } from '../../../../db/schema/index.ts';
import type { DbOrTx } from '../mail/queue-mail.ts';

export async function isPasswordLoginOn(db: DbOrTx, tenantId: string | null): Promise<boolean> {
  if (!tenantId) return true;
  const [t] = await db.select({ settings: tenantTable.settings }).from(tenantTable).where(eq(tenantTable.id, tenantId));
  return (t?.settings as { passwordLogin?: unknown } | undefined)?.passwordLogin !== false;
}
