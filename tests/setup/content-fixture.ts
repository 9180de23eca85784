/** The small fixture curriculum in tests/fixtures (with and without the district overlay). */
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type ContentSet, loadContent } from '../../src/lib/server/content/load-content.ts';

export const FIXTURE_ROOT = resolve('tests/fixtures/content');
export const FIXTURE_OVERLAY = resolve('tests/fixtures/overlay');

export function fixtureContent(withOverlay = false): ContentSet {
  return loadContent({ root: FIXTURE_ROOT, overlay: withOverlay ? FIXTURE_OVERLAY : undefined });
}

/** A writable copy of the fixtures (upstream and overlay) for tests that change files. */
export function copyFixtures(): { root: string; overlay: string } {
  const dir = mkdtempSync(join(tmpdir(), 'kiko-content-'));
  cpSync(FIXTURE_ROOT, join(dir, 'upstream'), { recursive: true });
  cpSync(FIXTURE_OVERLAY, join(dir, 'overlay'), { recursive: true });
  return { root: join(dir, 'upstream'), overlay: join(dir, 'overlay') };
}
