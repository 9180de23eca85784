/**
 * rehype plugin for lesson bodies (astro.config.mjs `markdown.rehypePlugins`, inherited by MDX): wraps every
 * `<table>` in `<div class="table-scroll" role="region" tabindex="0" aria-label="Tabelle: …">`, so a wide table
 * scrolls inside its own container instead of making the whole page scroll sideways at 320 CSS px
 * (WCAG 1.4.10 Reflow). The container is focusable so keyboard users can scroll it, and named after the heading
 * the table stands under (https://www.w3.org/WAI/tutorials/tables/), numbered when a heading has several.
 */

/** The parts of a hast node this plugin reads and writes (hast's own types are not a dependency of KIKO). */
export interface HastNode {
  type: string;
  tagName?: string;
  value?: string;
  properties?: Record<string, unknown>;
  children?: HastNode[];
}

const HEADING = /^h[1-6]$/;

/** Text content of a node (headings may contain emphasis, code or links). */
function textOf(node: HastNode): string {
  if (node.type === 'text') return node.value ?? '';
  return (node.children ?? []).map(textOf).join('');
}

const isWrapped = (node: HastNode): boolean =>
  node.type === 'element' && node.tagName === 'div' && [node.properties?.className].flat().includes('table-scroll');

/** Wraps the tables of a hast tree in place (exported for tests and for callers outside the plugin pipeline). */
export function wrapTables(tree: HastNode): void {
  let heading = '';
  const perHeading = new Map<string, number>();
  const walk = (parent: HastNode): void => {
    const children = parent.children ?? [];
    for (const [i, child] of children.entries()) {
      if (child.type === 'element' && child.tagName && HEADING.test(child.tagName)) {
        heading = textOf(child).trim().replace(/\s+/g, ' ');
        continue;
      }
      if (child.type === 'element' && child.tagName === 'table' && !isWrapped(parent)) {
        const n = (perHeading.get(heading) ?? 0) + 1;
        perHeading.set(heading, n);
        const label = `Tabelle${heading ? `: ${heading}` : ''}${n > 1 ? ` (${n})` : ''}`;
        children[i] = {
          type: 'element',
          tagName: 'div',
          properties: { className: ['table-scroll'], role: 'region', tabIndex: 0, ariaLabel: label },
          children: [child],
        };
        continue;
      }
      if (child.children) walk(child);
    }
  };
  walk(tree);
}

/** The rehype plugin (unified attacher): `rehypePlugins: [rehypeTableScroll]`. */
export function rehypeTableScroll(): (tree: HastNode) => void {
  return wrapTables;
}
