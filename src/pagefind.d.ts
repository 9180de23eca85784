/** The Pagefind browser API, written to dist/client/pagefind/ by scripts/build-search-index.ts. */
declare module '/pagefind/pagefind.js' {
  export function search(
    query: string,
  ): Promise<{ results: Array<{ data(): Promise<{ url: string; meta: Record<string, string>; excerpt: string }> }> }>;
}
