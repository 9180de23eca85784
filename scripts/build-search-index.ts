/**
 * Builds the Pagefind search index (German stemming) over every lesson after `astro build`. It holds every lesson's
 * text, so it goes to dist/search/pagefind/, outside the public dist/client/: the search page's script loads it
 * from /pagefind/*, which answers signed-in people only (src/pages/pagefind/[...path].ts).
 */
import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import * as pagefind from 'pagefind';
import { lessonPlainText } from '../src/lib/server/content/lesson-text.ts';
import { loadContent } from '../src/lib/server/content/load-content.ts';
import { searchIndexDir } from '../src/lib/server/content/search-index-files.ts';

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
// an index left in the public folder by an older build would stay reachable without login
rmSync(resolve(root, 'dist/client/pagefind'), { recursive: true, force: true });
const outputPath = searchIndexDir(root);
rmSync(outputPath, { recursive: true, force: true });
const written = await index.writeFiles({ outputPath });
if (written.errors.length > 0) throw new Error(`Pagefind: ${written.errors.join('; ')}`);
await pagefind.close();
console.log(`Suchindex: ${records} Lektionen indexiert (dist/search/pagefind, nur nach Anmeldung abrufbar).`);
