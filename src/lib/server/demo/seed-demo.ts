/**
 * Demo data: Landkreis Musterstadt (with an org unit tree and one person per role), a second small
 * district Landkreis Beispielhausen (so tenant separation is visible), and a platform operator.
 * Idempotent: existing tenants, units and accounts are kept as they are. Every later step (history, staff, learning,
 * cohorts, sessions) commits as a whole and is written when its data is missing, so a start killed while seeding is
 * completed by the next one.
 */
import { and, eq, isNotNull } from 'drizzle-orm';
import type { Db } from '../../../../db/client.ts';
import { learningEventTable, userTable } from '../../../../db/schema/index.ts';
import { hashPassword } from '../auth/password.ts';
import { getContent } from '../learning/content-registry.ts';
import { ensureTenant } from '../tenancy/create-tenant.ts';
import { type CreateUserInput, createUser } from '../users/create-user.ts';
import { getAuthUser } from '../users/get-auth-user.ts';
import { DEMO_LOGINS, DEMO_PASSWORD } from './demo-logins.ts';
import { seedDemoCohorts, seedDemoSessions } from './seed-demo-cohorts.ts';
import { seedDemoHistory } from './seed-demo-history.ts';
import { seedDemoLearning } from './seed-demo-learning.ts';
import { seedDemoStaff } from './seed-demo-staff.ts';
import { inOneTransaction } from './seed-step.ts';

export { DEMO_LOGINS, DEMO_PASSWORD };

const MUSTERSTADT_UNITS = [
  { code: 'LR', name: 'Landrätin / Landrat' },
  { code: 'FB1', name: 'Fachbereich 1 – Zentrale Dienste', parentCode: 'LR' },
  { code: 'FB1-PA', name: 'Personalamt', parentCode: 'FB1' },
  { code: 'FB1-IT', name: 'IT und Digitalisierung', parentCode: 'FB1' },
  { code: 'FB2', name: 'Fachbereich 2 – Soziales und Jugend', parentCode: 'LR' },
  { code: 'FB2-JA', name: 'Jugendamt', parentCode: 'FB2' },
  { code: 'FB2-SA', name: 'Sozialamt', parentCode: 'FB2' },
  { code: 'FB3', name: 'Fachbereich 3 – Ordnung und Verkehr', parentCode: 'LR' },
  { code: 'FB3-ZUL', name: 'Kfz-Zulassungsstelle', parentCode: 'FB3' },
  { code: 'FB3-FS', name: 'Führerscheinstelle', parentCode: 'FB3' },
  { code: 'FB4', name: 'Fachbereich 4 – Bauen und Umwelt', parentCode: 'LR' },
];

export interface SeedResult {
  tenantsCreated: number;
  usersCreated: number;
  /** Generated staff of Musterstadt added (besides the named demo accounts). */
  staffCreated: number;
}

const DAY = 86_400_000;

export async function seedDemo(db: Db, now = new Date()): Promise<SeedResult> {
  let tenantsCreated = 0;
  let usersCreated = 0;
  // the demo districts' records begin two years back, their staff accounts 18 months back: room for a history
  const history = { now, recordStartedAt: new Date(now.getTime() - 730 * DAY) };
  const accountsSince = new Date(now.getTime() - 540 * DAY);
  const muster = await ensureTenant(
    db,
    { slug: 'musterstadt', name: 'Landkreis Musterstadt', settings: { signatory: 'Dr. Erika Beispiel, Landrätin' } },
    MUSTERSTADT_UNITS,
    history,
  );
  const beispiel = await ensureTenant(
    db,
    { slug: 'beispielhausen', name: 'Landkreis Beispielhausen', settings: { brandColor: '#2e6b30' } },
    [
      { code: 'ZD', name: 'Zentrale Dienste' },
      { code: 'OA', name: 'Ordnungsamt' },
    ],
    history,
  );
  tenantsCreated += Number(muster.created) + Number(beispiel.created);

  let passwordHash: string | undefined;
  const unit = (code: string): string | undefined => muster.orgUnitIds.get(code);
  const users: CreateUserInput[] = [
    {
      tenant: 'musterstadt',
      email: DEMO_LOGINS[0].email,
      name: 'Lena Lernende',
      roles: ['learner'],
      jobRole: 'sachbearbeitung',
      orgUnitId: unit('FB3-ZUL'),
    },
    {
      tenant: 'musterstadt',
      email: DEMO_LOGINS[1].email,
      name: 'Max Multiplikator',
      roles: ['learner', 'multiplier'],
      jobRole: 'multiplikator',
      orgUnitId: unit('FB3'),
    },
    {
      tenant: 'musterstadt',
      email: DEMO_LOGINS[2].email,
      name: 'Paula Personal',
      roles: ['learner', 'hr'],
      jobRole: 'personal-datenschutz',
      orgUnitId: unit('FB1-PA'),
    },
    {
      tenant: 'musterstadt',
      email: DEMO_LOGINS[3].email,
      name: 'Anna Admin',
      roles: ['learner', 'admin'],
      jobRole: 'it-digitalisierung',
      orgUnitId: unit('FB1-IT'),
    },
    { email: DEMO_LOGINS[4].email, name: 'Bernd Betrieb', roles: ['operator'] },
    {
      tenant: 'musterstadt',
      email: 'jonas.jugendamt@musterstadt.example',
      name: 'Jonas Jugendamt',
      roles: ['learner'],
      jobRole: 'sachbearbeitung',
      // moved to the Jugendamt half a year ago (seed-demo-history.ts)
      orgUnitId: unit('FB2-SA'),
    },
    {
      tenant: 'musterstadt',
      email: 'frieda.fuehrung@musterstadt.example',
      name: 'Frieda Führung',
      roles: ['learner'],
      jobRole: 'fuehrungskraft',
      orgUnitId: unit('FB2'),
    },
    {
      tenant: 'beispielhausen',
      email: 'berta.beispiel@beispielhausen.example',
      name: 'Berta Beispiel',
      roles: ['learner'],
      jobRole: 'sachbearbeitung',
      orgUnitId: beispiel.orgUnitIds.get('OA'),
    },
    {
      tenant: 'beispielhausen',
      email: 'admin@beispielhausen.example',
      name: 'Otto Ordnung',
      roles: ['learner', 'admin'],
      jobRole: 'fuehrungskraft',
      orgUnitId: beispiel.orgUnitIds.get('ZD'),
    },
  ];
  for (const u of users) {
    const email = String(u.email).toLowerCase();
    if (await db.query.userTable.findFirst({ where: eq(userTable.email, email), columns: { id: true } })) continue;
    passwordHash ??= await hashPassword(DEMO_PASSWORD);
    await createUser(db, { ...u, passwordHash }, { now: accountsSince, actorId: 'system:demo-seed' });
    usersCreated++;
  }
  const content = getContent();
  // the history's path assignments are the district's only ones by org unit (the generated staff have personal ones)
  const [historyThere] = await db
    .select({ seq: learningEventTable.seq })
    .from(learningEventTable)
    .where(
      and(
        eq(learningEventTable.tenantId, muster.id),
        eq(learningEventTable.type, 'path.assigned'),
        isNotNull(learningEventTable.orgUnitId),
      ),
    )
    .limit(1);
  if (!historyThere) {
    const find = async (email: string) => {
      const row = await db.query.userTable.findFirst({ where: eq(userTable.email, email), columns: { id: true } });
      return row ? getAuthUser(db, row.id) : null;
    };
    const [admin, mover, earlyLearner] = await Promise.all([
      find(DEMO_LOGINS[3].email),
      find('jonas.jugendamt@musterstadt.example'),
      find('frieda.fuehrung@musterstadt.example'),
    ]);
    if (admin && mover && earlyLearner)
      await inOneTransaction(db, (tx) =>
        seedDemoHistory(tx, content, { tenantId: muster.id, admin, mover, earlyLearner, units: muster.orgUnitIds }, now),
      );
  }
  // the district's other staff with two years of history (generated, through the learning record)
  const staff = await seedDemoStaff(
    db,
    content,
    { tenantId: muster.id, units: muster.orgUnitIds, passwordHash: async () => (passwordHash ??= await hashPassword(DEMO_PASSWORD)) },
    now,
  );
  await seedDemoLearning(db, content);
  await seedDemoCohorts(db, content, now);
  await seedDemoSessions(db, content, now);
  return { tenantsCreated, usersCreated, staffCreated: staff?.users ?? 0 };
}
