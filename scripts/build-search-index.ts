/**
 * Builds the Pagefind search index (German stemming) over every lesson after `astro build`:
 * dist/client/pagefind/ is served as static files and used by the search page.
 */
import { resolve } from 'node:path';
import * as pagefind from 'pagefind';
import { lessonPlainText } from '../src/lib/server/content/lesson-text.ts';
import { loadContent } from '../src/lib/server/content/load-content.ts';

const root = process.cwd();
const overlay = process.env.KIKO_CONTENT_OVERLAY ? resolve(process.env.KIKO_CONTENT_OVERLAY) : undefined;
const content = loadContent({ root, overlay });
const { index, errors } = await pagefind.createIndex({ forceLanguage: 'de' });
if (!index) throw new Error(`Pagefind: ${errors.join('; ')}`);
let records = 0;
for (const c of content.courses.values()) {
  for (const l of c.lessons) {
    const r = await index.addCustomRecord({
      url: `/kurse/${c.course.id}/${l.id}`,
      content: `${l.frontmatter.title}. ${l.frontmatter.summary} ${lessonPlainText(l.body)}`,
      language: 'de',
      meta: { title: l.frontmatter.title, kurs: c.course.title },
      filters: { kurs: [c.course.title] },
    });
    if (r.errors.length > 0) throw new Error(`Pagefind ${l.file}: ${r.errors.join('; ')}`);
    records++;
  }
}
const written = await index.writeFiles({ outputPath: resolve(root, 'dist/client/pagefind') });
if (written.errors.length > 0) throw new Error(`Pagefind: ${written.errors.join('; ')}`);
await pagefind.close();
console.log(`Suchindex: ${records} Lektionen indexiert (dist/client/pagefind).`);
