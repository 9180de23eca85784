/**
 * Markdown/MDX plugin for lesson bodies (astro.config.mjs `markdown.processor: satteri({ hastPlugins })`, which MDX
 * inherits): wraps every `<table>` in `<div class="table-scroll" role="region" tabindex="0" aria-label="Tabelle: …">`,
 * so a wide table scrolls inside its own container instead of making the whole page scroll sideways at 320 CSS px
 * (WCAG 1.4.10 Reflow). The container is focusable so keyboard users can scroll it, and named after the heading the
 * table stands under (https://www.w3.org/WAI/tutorials/tables/), numbered when a heading has several tables.
 * Written against Sätteri's hast visitor API (Astro's default Markdown processor); no unified/rehype needed.
 */

/** The parts of a hast node the plugin reads. */
interface HastNode {
  type: string;
  tagName?: string;
  children?: readonly HastNode[];
}

/** The parts of Sätteri's HastVisitorContext the plugin uses. */
interface VisitorContext {
  parent(node: HastNode): HastNode | undefined;
  indexOf(node: HastNode): number | undefined;
  textContent(node: HastNode): string;
  wrapNode(node: HastNode, wrapper: { raw: string }): void;
}

const HEADING = /^h[1-6]$/;

/** Accessible name of the n-th table (1-based) under a heading. */
export function tableLabel(heading: string, n: number): string {
  const text = heading.trim().replace(/\s+/g, ' ');
  return `Tabelle${text ? `: ${text}` : ''}${n > 1 ? ` (${n})` : ''}`;
}

/** The wrapper element as HTML (Sätteri parses it when it applies the change). */
export function tableScrollWrapper(label: string): string {
  const escaped = label.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return `<div class="table-scroll" role="region" tabindex="0" aria-label="${escaped}"></div>`;
}

/** Text of the nearest heading before `node` in document order (siblings first, then the parents' siblings). */
function precedingHeading(node: HastNode, ctx: VisitorContext): string {
  let current = node;
  for (;;) {
    const parent = ctx.parent(current);
    if (!parent) return '';
    const siblings = parent.children ?? [];
    for (let i = (ctx.indexOf(current) ?? 0) - 1; i >= 0; i--) {
      const sibling = siblings[i];
      if (sibling?.type === 'element' && HEADING.test(sibling.tagName ?? '')) return ctx.textContent(sibling);
    }
    current = parent;
  }
}

/**
 * The plugin factory (one instance per document, so numbering restarts): `satteri({ hastPlugins: [tableScroll] })`.
 */
export function tableScroll(): object {
  const perHeading = new Map<string, number>();
  return {
    name: 'kiko-table-scroll',
    element: {
      filter: ['table'],
      visit(node: HastNode, ctx: VisitorContext): void {
        const heading = precedingHeading(node, ctx);
        const n = (perHeading.get(heading) ?? 0) + 1;
        perHeading.set(heading, n);
        ctx.wrapNode(node, { raw: tableScrollWrapper(tableLabel(heading, n)) });
      },
    },
  };
}
