/**
 * The staff of Landkreis Musterstadt besides the named demo accounts: about 1,950 colleagues in the district's
 * offices with two years of history, written by the district generator (generate-district.ts, addStaff) through the
 * learning record: most came with the first directory import, some joined later, about 5 % moved to another office;
 * lesson progress, quiz attempts and course completions spread over the months, so coverage grows over time; offices
 * progress unevenly (the Personalamt and IT ahead, Bauen und Umwelt behind), some people are overdue and some
 * completions from almost two years ago are due for a refresher. Names and history come from a fixed seed (same on
 * every machine); logins are `vorname.nachname-NNNN@musterstadt.example` (a number with a hyphen, which no named
 * account has) and share the demo password. All of them are written in one transaction, so a start killed while
 * seeding leaves none of them; the next start writes them all. Skipped when the district already has such accounts.
 */
import type { Client } from '@libsql/client';
import type { Db } from '../../../../db/client.ts';
import type { ContentSet } from '../content/load-content.ts';
import { type AddStaffResult, addStaff, type StaffGroup } from './generate-district.ts';

/** Generated staff per office of Musterstadt and how far each office is along its paths on average. */
export const DEMO_STAFF_PLAN: ReadonlyArray<{ code: string; staff: number; progress: number }> = [
  { code: 'FB1-PA', staff: 90, progress: 0.7 },
  { code: 'FB1-IT', staff: 110, progress: 0.75 },
  { code: 'FB2-JA', staff: 300, progress: 0.45 },
  { code: 'FB2-SA', staff: 340, progress: 0.35 },
  { code: 'FB3-ZUL', staff: 300, progress: 0.55 },
  { code: 'FB3-FS', staff: 180, progress: 0.5 },
  { code: 'FB4', staff: 630, progress: 0.25 },
];

const FIRST = [
  'Anna',
  'Andreas',
  'Aylin',
  'Ben',
  'Bärbel',
  'Birgit',
  'Björn',
  'Carla',
  'Christian',
  'Daniel',
  'Dilara',
  'Dmytro',
  'Elke',
  'Emil',
  'Esra',
  'Fabian',
  'Fatma',
  'Franziska',
  'Giuseppe',
  'Gül',
  'Hannah',
  'Heike',
  'Ingrid',
  'Jan',
  'Jörg',
  'Julia',
  'Jürgen',
  'Karin',
  'Katarzyna',
  'Klaus',
  'Lea',
  'Leonie',
  'Linh',
  'Manfred',
  'Maria',
  'Mehmet',
  'Michael',
  'Monika',
  'Nadine',
  'Nikola',
  'Olena',
  'Oliver',
  'Petra',
  'Piotr',
  'Ralf',
  'Sabine',
  'Sandra',
  'Sören',
  'Stefan',
  'Susanne',
  'Thomas',
  'Tobias',
  'Ursula',
  'Uwe',
  'Yusuf',
  'Zofia',
];
const LAST = [
  'Müller',
  'Schmidt',
  'Schneider',
  'Fischer',
  'Weber',
  'Meyer',
  'Wagner',
  'Becker',
  'Schulz',
  'Hoffmann',
  'Koch',
  'Bauer',
  'Richter',
  'Klein',
  'Wolf',
  'Schröder',
  'Neumann',
  'Schwarz',
  'Zimmermann',
  'Braun',
  'Krüger',
  'Hofmann',
  'Hartmann',
  'Lange',
  'Werner',
  'Krause',
  'Lehmann',
  'Köhler',
  'Jäger',
  'Groß',
  'Weiß',
  'Strauß',
  'Böhm',
  'Krämer',
  'Nußbaum',
  'Vogel',
  'Friedrich',
  'Keller',
  'Günther',
  'Frank',
  'Berger',
  'Roth',
  'Beck',
  'Lorenz',
  'Baumann',
  'Yılmaz',
  'Öztürk',
  'Kaya',
  'Demir',
  'Nowak',
  'Kowalczyk',
  'Nguyen',
  'Popescu',
  'Rossi',
  'Petrović',
  'Ivanova',
  'Haddad',
  'Şahin',
];

/** Ends of the generated logins: `-` and four digits before the domain. */
export const GENERATED_LOGIN = '*-[0-9][0-9][0-9][0-9]@musterstadt.example';

/** The login part of a name: lower case, umlauts and ß spelled out, other accents dropped, anything else a hyphen. */
export function loginPart(name: string): string {
  return name
    .toLowerCase()
    .replaceAll('ä', 'ae')
    .replaceAll('ö', 'oe')
    .replaceAll('ü', 'ue')
    .replaceAll('ß', 'ss')
    .replaceAll('ı', 'i')
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

/** Login of generated person number `i` (0-based). */
export function demoStaffEmail(i: number, name: string): string {
  const [first = '', ...rest] = name.split(' ');
  return `${loginPart(first)}.${loginPart(rest.join(' '))}-${String(i + 1).padStart(4, '0')}@musterstadt.example`;
}

const drawName = (random: () => number): string =>
  `${FIRST[Math.floor(random() * FIRST.length)]} ${LAST[Math.floor(random() * LAST.length)]}`;

/** Adds the generated staff (see the module comment); null when they are there already or the district is missing. */
export async function seedDemoStaff(
  db: Db,
  content: ContentSet,
  input: { tenantId: string; units: Map<string, string>; passwordHash: () => Promise<string> },
  now: Date,
): Promise<AddStaffResult | null> {
  const client = (db as unknown as { $client: Client }).$client;
  const there = await client.execute({
    sql: 'SELECT 1 FROM users WHERE tenant_id = ? AND email GLOB ? LIMIT 1',
    args: [input.tenantId, GENERATED_LOGIN],
  });
  if (there.rows.length > 0) return null;
  const passwordHash = await input.passwordHash();
  const tx = await client.transaction('write');
  try {
    const groups: StaffGroup[] = DEMO_STAFF_PLAN.flatMap((p) => {
      const orgUnitId = input.units.get(p.code);
      return orgUnitId ? [{ orgUnitId, staff: p.staff, progress: p.progress }] : [];
    });
    const added = await addStaff(client, {
      tenantId: input.tenantId,
      content,
      groups,
      passwordHash,
      seed: 'kiko-demo-musterstadt',
      now,
      emailOf: demoStaffEmail,
      // most who read a course through also pass its quiz
      completionShare: 0.93,
      nameOf: drawName,
      tx,
    });
    await tx.commit();
    return added;
  } finally {
    tx.close();
  }
}
