/**
 * Drift detection for district overlays. An overlay records in `overlay.yaml` (key `based-on`) the
 * upstream version of every file or quiz item it replaces. When upstream changes that file later,
 * `kiko content check --overlay DIR` reports it, so the content team can merge the update.
 */
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { z } from 'zod';
import { hashVersion } from './load-content.ts';

const overlayManifestSchema = z.strictObject({
  /** Name of the district that owns the overlay. */
  district: z.string().optional(),
  /** Replaced upstream file (or `quizzes/<id>.yaml#<item-id>`) → upstream version it was based on. */
  'based-on': z.record(z.string(), z.string()).default({}),
});

export interface OverlayDrift {
  overlayFile: string;
  upstreamFile: string;
  reason: 'upstream geändert' | 'nicht als Grundlage vermerkt' | 'upstream gelöscht';
  currentVersion: string;
}

/** Every replacement in the overlay: key (relative upstream path, with #item for quiz items) → current upstream version. */
export function listReplacements({ root, overlay }: { root: string; overlay: string }): Map<string, string | null> {
  const result = new Map<string, string | null>();
  const walk = (rel: string): void => {
    const abs = join(overlay, rel);
    if (!existsSync(abs)) return;
    for (const name of readFileSyncDir(abs)) {
      const relPath = join(rel, name);
      if (isDir(join(overlay, relPath))) walk(relPath);
      else if (relPath.startsWith('quizzes/')) {
        const upstream = join(root, relPath);
        if (!existsSync(upstream)) continue;
        const up = parse(readFileSync(upstream, 'utf8')) as { items?: Array<{ id: string }> };
        const ov = parse(readFileSync(join(overlay, relPath), 'utf8')) as { items?: Array<{ id: string }> };
        for (const item of ov.items ?? []) {
          const original = up.items?.find((i) => i.id === item.id);
          if (original) result.set(`${relPath}#${item.id}`, hashVersion(JSON.stringify(original)));
        }
      } else if (relPath.endsWith('.mdx') || relPath.endsWith('course.yaml') || relPath.startsWith('content/')) {
        const upstream = join(root, relPath);
        if (existsSync(upstream)) result.set(relPath, hashVersion(readFileSync(upstream)));
      }
    }
  };
  walk('courses');
  walk('quizzes');
  walk('content');
  return result;
}

export function findOverlayDrift({ root, overlay }: { root: string; overlay: string }): OverlayDrift[] {
  const manifest = readManifest(overlay);
  const drift: OverlayDrift[] = [];
  for (const [key, current] of listReplacements({ root, overlay })) {
    const based = manifest['based-on'][key];
    if (current === null) continue;
    if (!based) drift.push({ overlayFile: key, upstreamFile: key, reason: 'nicht als Grundlage vermerkt', currentVersion: current });
    else if (based !== current) drift.push({ overlayFile: key, upstreamFile: key, reason: 'upstream geändert', currentVersion: current });
  }
  return drift;
}

/** Records the current upstream versions of all replaced files as the overlay's new base (`kiko content adopt`). */
export function adoptUpstream({ root, overlay }: { root: string; overlay: string }): number {
  const manifest = readManifest(overlay);
  const replacements = listReplacements({ root, overlay });
  const basedOn: Record<string, string> = {};
  for (const [key, version] of replacements) if (version) basedOn[key] = version;
  writeFileSync(join(overlay, 'overlay.yaml'), stringify({ ...manifest, 'based-on': basedOn }));
  return Object.keys(basedOn).length;
}

function readManifest(overlay: string): z.infer<typeof overlayManifestSchema> {
  const file = join(overlay, 'overlay.yaml');
  if (!existsSync(file)) return { 'based-on': {} };
  return overlayManifestSchema.parse(parse(readFileSync(file, 'utf8')) ?? {});
}

function readFileSyncDir(dir: string): string[] {
  return readdirSync(dir).sort();
}
function isDir(p: string): boolean {
  return statSync(p).isDirectory();
}
