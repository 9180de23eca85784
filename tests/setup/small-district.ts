/** A small generated district for tests that run the built server against real data (no argon2 needed). */
import type { Client } from '@libsql/client';
import { generateTenant } from '../../src/lib/server/demo/generate-district.ts';

/** A syntactically valid argon2id hash nobody can log in with: these tests use pre-created sessions only. */
export const UNUSABLE_PASSWORD_HASH = '$argon2id$v=19$m=19456,t=2,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';

/** 40 staff in 3 org units with 200 lesson-progress rows under the given slug. */
export function generateSmallDistrict(client: Client, tenant: string): ReturnType<typeof generateTenant> {
  return generateTenant(client, { tenant, staff: 40, orgUnits: 3, progressRows: 200, passwordHash: UNUSABLE_PASSWORD_HASH });
}
