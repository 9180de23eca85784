/**
 * Content collections: lesson MDX from courses/ and, if configured at build time, the district overlay
 * (KIKO_CONTENT_OVERLAY). Frontmatter is validated with the same schema as `kiko content check`, so an
 * invalid field fails the build with file and field.
 */

import { defineCollection } from 'astro:content';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { glob } from 'astro/loaders';
import { z } from 'zod';
import { lessonFrontmatterSchema } from './lib/shared/content-schema.ts';

/** YAML turns unquoted dates into Date objects; the schema wants ISO strings. */
const frontmatter = z.preprocess((raw) => {
  if (raw && typeof raw === 'object' && (raw as Record<string, unknown>).reviewed instanceof Date)
    return {
      ...(raw as Record<string, unknown>),
      reviewed: ((raw as Record<string, unknown>).reviewed as Date).toISOString().slice(0, 10),
    };
  return raw;
}, lessonFrontmatterSchema);

const overlay = process.env.KIKO_CONTENT_OVERLAY ? resolve(process.env.KIKO_CONTENT_OVERLAY, 'courses') : null;

export const collections = {
  lessons: defineCollection({ loader: glob({ base: './courses', pattern: '*/[0-9][0-9]-*.mdx' }), schema: frontmatter }),
  overlayLessons: defineCollection({
    loader: glob({ base: overlay && existsSync(overlay) ? overlay : './content/empty-overlay', pattern: '*/[0-9][0-9]-*.mdx' }),
    schema: frontmatter,
  }),
};
