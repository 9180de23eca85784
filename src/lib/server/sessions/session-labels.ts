/** German names of the kinds of in-person session. */
import type { SessionKind } from '../../../../db/schema/index.ts';

export const sessionKindLabel: Record<SessionKind, string> = {
  praesenz: 'Präsenzschulung',
  workshop: 'Workshop',
  sprechstunde: 'Sprechstunde',
};
