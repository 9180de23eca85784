/**
 * Coverage of the Art. 4 evidence: the one aggregation of KIKO's HR and staff council figures over the statuses that
 * the one status rule computed (evidence/status-as-of.ts). Nothing here decides a course or path status again; it
 * only counts people by what the rule said:
 * - population: staff whose membership was active at T;
 * - with a required path: their path (as valid at T) has at least one required course;
 * - covered: every required course completed and not expired (`PathStatus.covered`);
 * - overdue: not covered and the path's due date has passed (`PathStatus.state === 'overdue'`);
 * - not yet due: not covered, due date still ahead (shown apart, counted in the share's base);
 * - refresher due: covered, with a required course inside its refresher window.
 * Pure: overview pages, the trend, exports and the staff council view all count with these functions.
 */
import { percentOf } from '../evidence/course-status.ts';
import type { PersonStatus } from '../evidence/status-as-of.ts';

/** German sort order; one collator for all comparisons (`localeCompare(x, 'de')` builds one per call). */
export const germanOrder: (a: string, b: string) => number = new Intl.Collator('de').compare;

/** Where a person stands as of T (`inactive`: not counted, membership not active at T). */
export type CoverageClass = 'covered' | 'overdue' | 'not-due' | 'no-path' | 'inactive';

/** The classes a filter may ask for (inactive people are never part of the figures). */
export const coverageClasses = ['covered', 'overdue', 'not-due', 'no-path'] as const;

export const coverageClassLabel: Record<CoverageClass, string> = {
  covered: 'nachgewiesen',
  overdue: 'überfällig',
  'not-due': 'noch nicht fällig',
  'no-path': 'ohne Pflichtkurse',
  inactive: 'nicht aktiv',
};

export function coverageClassOf(p: PersonStatus): CoverageClass {
  if (p.status !== 'active') return 'inactive';
  if (!p.path || p.path.requiredTotal === 0) return 'no-path';
  if (p.path.covered) return 'covered';
  return p.path.state === 'overdue' ? 'overdue' : 'not-due';
}

/** A covered person whose required course is inside its refresher window (the rule's 'refresher-due' state). */
export function isRefresherDue(p: PersonStatus): boolean {
  return coverageClassOf(p) === 'covered' && p.courses.some((c) => c.required && c.state === 'refresher-due');
}

/** The earliest refresher date of a person's required courses (null without any completion). */
export function nextRefresherOf(p: PersonStatus): Date | null {
  let next: Date | null = null;
  for (const c of p.courses) if (c.required && c.refresherDueAt && (!next || c.refresherDueAt < next)) next = c.refresherDueAt;
  return next;
}

/** Counts of one group of people. */
export interface CoverageCounts {
  /** Active staff. */
  active: number;
  /** Active staff with a required path (the share's base). */
  withPath: number;
  covered: number;
  overdue: number;
  notDue: number;
  noPath: number;
  refresherDue: number;
  /** covered / withPath, rounded to a whole percent (percentOf); 0 without a base. */
  percent: number;
  /** covered / withPath as an exact share (0–1) for exports; null without a base. */
  share: number | null;
}

export function emptyCounts(): CoverageCounts {
  return { active: 0, withPath: 0, covered: 0, overdue: 0, notDue: 0, noPath: 0, refresherDue: 0, percent: 0, share: null };
}

function add(c: CoverageCounts, p: PersonStatus): void {
  const k = coverageClassOf(p);
  if (k === 'inactive') return;
  c.active++;
  if (k === 'no-path') c.noPath++;
  else {
    c.withPath++;
    if (k === 'covered') c.covered++;
    else if (k === 'overdue') c.overdue++;
    else c.notDue++;
    if (isRefresherDue(p)) c.refresherDue++;
  }
}

function finish(c: CoverageCounts): CoverageCounts {
  c.percent = percentOf(c.covered, c.withPath);
  c.share = c.withPath > 0 ? c.covered / c.withPath : null;
  return c;
}

/** Counts over a set of people. */
export function countCoverage(people: Iterable<PersonStatus>): CoverageCounts {
  const c = emptyCounts();
  for (const p of people) add(c, p);
  return finish(c);
}

/** Counts of one org unit and job role, as stored for a month (coverage_months): unit, role, then the seven counts. */
export type CountGroup = [string | null, string, number, number, number, number, number, number, number];

/** The people's counts per org unit and job role, so that any subtree and filter can be summed later. */
export function countByGroup(people: Iterable<PersonStatus>): CountGroup[] {
  const groups = new Map<string, CoverageCounts & { unit: string | null; role: string }>();
  for (const p of people) {
    const key = `${p.orgUnitId ?? ''}\u0000${p.jobRole}`;
    let g = groups.get(key);
    if (!g) {
      g = { ...emptyCounts(), unit: p.orgUnitId, role: p.jobRole };
      groups.set(key, g);
    }
    add(g, p);
  }
  return [...groups.values()].map((g) => [g.unit, g.role, g.active, g.withPath, g.covered, g.overdue, g.notDue, g.noPath, g.refresherDue]);
}

/** The sum of the stored groups the predicate keeps, with its share. */
export function sumGroups(groups: readonly CountGroup[], keep: (unit: string | null, role: string) => boolean): CoverageCounts {
  const c = emptyCounts();
  for (const [unit, role, active, withPath, covered, overdue, notDue, noPath, refresherDue] of groups) {
    if (!keep(unit, role)) continue;
    c.active += active;
    c.withPath += withPath;
    c.covered += covered;
    c.overdue += overdue;
    c.notDue += notDue;
    c.noPath += noPath;
    c.refresherDue += refresherDue;
  }
  return finish(c);
}

/** An org unit with the figures of its whole subtree. */
export interface UnitCoverage {
  id: string;
  code: string;
  name: string;
  parentId: string | null;
  depth: number;
  counts: CoverageCounts;
}

export interface OrgUnitRow {
  id: string;
  code: string;
  name: string;
  parentId: string | null;
}

/**
 * Figures per org unit, each counting its sub-units too, in tree order below `roots` (units whose parent is not in
 * `units`, unless given). People without an org unit appear in no unit.
 */
export function coverageByUnit(people: readonly PersonStatus[], units: readonly OrgUnitRow[], roots?: readonly string[]): UnitCoverage[] {
  const acc = unitCoverageCounter(units, roots);
  for (const p of people) acc.add(p);
  return acc.result();
}

/**
 * The same figures as coverageByUnit, counted person by person (an export reads a district's statuses in slices and
 * counts each slice before the next is read): `add` each person once, then `result`.
 */
export function unitCoverageCounter(
  units: readonly OrgUnitRow[],
  roots?: readonly string[],
): { add: (p: PersonStatus) => void; result: () => UnitCoverage[] } {
  const byId = new Map(units.map((u) => [u.id, u]));
  const counts = new Map(units.map((u) => [u.id, emptyCounts()]));
  const addPerson = (p: PersonStatus): void => {
    for (let u = p.orgUnitId, depth = 0; u && depth < 32; u = byId.get(u)?.parentId ?? null, depth++) {
      const c = counts.get(u);
      if (c) add(c, p);
    }
  };
  const result = (): UnitCoverage[] => {
    const children = new Map<string | null, OrgUnitRow[]>();
    for (const u of units) {
      const key = u.parentId && byId.has(u.parentId) ? u.parentId : null;
      children.set(key, [...(children.get(key) ?? []), u]);
    }
    const out: UnitCoverage[] = [];
    const walk = (list: readonly OrgUnitRow[], depth: number): void => {
      for (const u of [...list].sort((a, b) => germanOrder(a.code, b.code))) {
        out.push({ id: u.id, code: u.code, name: u.name, parentId: u.parentId, depth, counts: finish(counts.get(u.id) ?? emptyCounts()) });
        walk(children.get(u.id) ?? [], depth + 1);
      }
    };
    walk(roots ? roots.map((r) => byId.get(r)).filter((u): u is OrgUnitRow => Boolean(u)) : (children.get(null) ?? []), 0);
    return out;
  };
  return { add: addPerson, result };
}

/** Counts over people added one by one (countCoverage, for people read in slices). */
export function coverageCounter(): { add: (p: PersonStatus) => void; result: () => CoverageCounts } {
  const c = emptyCounts();
  return { add: (p) => add(c, p), result: () => finish(c) };
}

/** Figures per job role, in a stable order. */
export function coverageByJobRole(people: readonly PersonStatus[]): Array<{ jobRole: string; counts: CoverageCounts }> {
  const groups = new Map<string, PersonStatus[]>();
  for (const p of people) {
    if (p.status !== 'active') continue;
    const list = groups.get(p.jobRole);
    if (list) list.push(p);
    else groups.set(p.jobRole, [p]);
  }
  return [...groups.entries()].sort(([a], [b]) => germanOrder(a, b)).map(([jobRole, list]) => ({ jobRole, counts: countCoverage(list) }));
}

/** The given org units and their sub-units. */
export function subtreeOf(units: readonly OrgUnitRow[], rootId: string): Set<string> {
  const children = new Map<string, string[]>();
  for (const u of units) {
    if (!u.parentId) continue;
    const list = children.get(u.parentId);
    if (list) list.push(u.id);
    else children.set(u.parentId, [u.id]);
  }
  const out = new Set<string>();
  const stack = [rootId];
  while (stack.length > 0) {
    const id = stack.pop() as string;
    if (out.has(id)) continue;
    out.add(id);
    stack.push(...(children.get(id) ?? []));
  }
  return out;
}
