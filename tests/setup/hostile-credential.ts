/** Random changes to a credential (or any JSON value) for property and fuzz tests of the upload guard. */
import fc from 'fast-check';

/** Every path to a value inside a JSON value. */
function paths(value: unknown, prefix: Array<string | number> = []): Array<Array<string | number>> {
  if (value === null || typeof value !== 'object') return [prefix];
  const entries = Array.isArray(value) ? value.map((v, i) => [i, v] as const) : Object.entries(value);
  return [prefix, ...entries.flatMap(([k, v]) => paths(v, [...prefix, k]))];
}

export type Change = {
  kind: 'replace' | 'delete' | 'add-key' | 'nest' | 'widen';
  pathIndex: number;
  value: unknown;
  n: number;
  key: string;
};

/** Applies one random change at a random place of a copy of the credential. */
export function changed(base: unknown, c: Change): unknown {
  const copy = structuredClone(base) as Record<string, unknown>;
  const all = paths(copy);
  const path = all[c.pathIndex % all.length] as Array<string | number>;
  if (path.length === 0) return c.kind === 'replace' ? c.value : copy;
  const parent = path.slice(0, -1).reduce<unknown>((o, k) => (o as Record<string | number, unknown>)[k], copy) as Record<
    string | number,
    unknown
  >;
  const last = path[path.length - 1] as string | number;
  const current = parent[last];
  switch (c.kind) {
    case 'replace':
      parent[last] = c.value;
      break;
    case 'delete':
      if (Array.isArray(parent)) parent.splice(Number(last), 1);
      else delete parent[last];
      break;
    case 'add-key':
      if (current && typeof current === 'object' && !Array.isArray(current)) (current as Record<string, unknown>)[c.key] = c.value;
      else parent[c.key] = c.value;
      break;
    case 'nest': {
      let v: unknown = current;
      for (let i = 0; i < c.n % 12; i++) v = i % 2 ? { x: v } : [v];
      parent[last] = v;
      break;
    }
    case 'widen':
      parent[last] = Array.from({ length: c.n }, () => current);
      break;
  }
  return copy;
}

export const change: fc.Arbitrary<Change> = fc.record({
  kind: fc.constantFrom('replace', 'delete', 'add-key', 'nest', 'widen'),
  pathIndex: fc.nat(),
  value: fc.jsonValue({ maxDepth: 4 }),
  n: fc.integer({ min: 0, max: 300 }),
  key: fc.oneof(fc.string({ maxLength: 10 }), fc.constantFrom('__proto__', 'constructor', '@context', 'evidence', 'tag')),
});
