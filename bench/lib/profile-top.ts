/** Reads a V8 .cpuprofile and lists where the time went: by function (self time) and by package or file. */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileEntry {
  name: string;
  ms: number;
  percent: number;
}

/** Package name for node_modules paths, a short file path otherwise, "(native/V8)" without a URL. */
function place(url: string): string {
  if (!url) return '(native, GC, idle)';
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const parts = url.slice(nm + '/node_modules/'.length).split('/');
    return parts[0]?.startsWith('@') ? `${parts[0]}/${parts[1]}` : (parts[0] ?? url);
  }
  if (url.startsWith('node:')) return url;
  return url
    .replace(/^file:\/\//, '')
    .split('/')
    .slice(-3)
    .join('/');
}

export function profileTop(file: string, n = 20): { total: number; functions: ProfileEntry[]; places: ProfileEntry[] } {
  const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const time = new Map<number, number>();
  for (const [i, id] of p.samples.entries()) time.set(id, (time.get(id) ?? 0) + (p.timeDeltas[i] ?? 0));
  const byFn = new Map<string, number>();
  const byPlace = new Map<string, number>();
  let total = 0;
  for (const node of p.nodes) {
    const us = time.get(node.id) ?? 0;
    if (us === 0) continue;
    total += us;
    const { functionName, url, lineNumber } = node.callFrame;
    const fn = `${functionName || '(anonymous)'} ${place(url)}${url ? `:${lineNumber + 1}` : ''}`;
    byFn.set(fn, (byFn.get(fn) ?? 0) + us);
    const pl = functionName === '(idle)' ? '(idle)' : place(url);
    byPlace.set(pl, (byPlace.get(pl) ?? 0) + us);
  }
  const top = (m: Map<string, number>): ProfileEntry[] =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([name, us]) => ({ name, ms: Math.round(us / 1000), percent: Math.round((1000 * us) / total) / 10 }));
  return { total: Math.round(total / 1000), functions: top(byFn), places: top(byPlace) };
}
