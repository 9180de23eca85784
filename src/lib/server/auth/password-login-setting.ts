/**
 * Whether people of a district may log in with a password (and therefore reset or set one by e-mail): the district's
 * single sign-on setting decides (sso/password-login-policy.ts; a district with SSO may switch password login off).
 */
import type { Db } from '../../../../db/client.ts';
import { isPasswordLoginAllowed } from '../sso/password-login-policy.ts';

export function isPasswordLoginOn(db: Db, tenantId: string | null): Promise<boolean> {
  return isPasswordLoginAllowed(db, tenantId);
}
