// @ts-check
// Astro's own Markdown processor (a dependency of astro itself), extended by KIKO's lesson plugins
import { satteri } from '@astrojs/markdown-satteri';
import mdx from '@astrojs/mdx';
import node from '@astrojs/node';
import preact from '@astrojs/preact';
import { defineConfig } from 'astro/config';
import { memoCspDigest } from './src/lib/build/memo-csp-digest.ts';
import { plotStyleHashes } from './src/lib/server/charts/plot-style-hashes.ts';
import { tableScroll } from './src/lib/shared/table-scroll-plugin.ts';

export default defineConfig({
  output: 'server',
  // the app handler only: `kiko serve` serves the built browser files itself (src/lib/server/http/built-files.ts)
  adapter: node({ mode: 'middleware' }),
  integrations: [mdx(), preact()],
  // lesson tables scroll in their own labelled, focusable container (WCAG 1.4.10 Reflow); MDX inherits this
  markdown: { processor: satteri({ hastPlugins: [tableScroll] }) },
  // CSRF: cross-site form posts are refused in src/middleware.ts (origin-check.ts) with the origin the browser used,
  // which behind a trusted TLS proxy is https while this server sees http (docs/decisions/006-trusted-proxy-and-request-limits.md).
  // Body size: `kiko serve` cuts every body at 2 MB while it streams (src/lib/server/http/body-limit.ts) with a German
  // 413; the actions' own limit sits above it so that answer is the one people see.
  security: {
    checkOrigin: false,
    actionBodySizeLimit: 4 * 1024 * 1024,
    // Content-Security-Policy of every page, sent as a header (server-rendered pages): Astro adds the hashes of the
    // page's own scripts and styles, so no inline script runs without its hash. Pagefind (the search page) needs
    // WebAssembly ('wasm-unsafe-eval', not 'unsafe-eval'). Inline style attributes (progress bars, chart colours)
    // are allowed by style-src-attr only; <style> and <link> need 'self' or a hash — Astro's own, and the one style
    // element Observable Plot writes into each server-rendered chart (plot-style-hashes.ts). Answers that are not
    // pages get a policy that allows nothing (src/lib/server/http/security-headers.ts).
    csp: {
      directives: [
        "default-src 'self'",
        "img-src 'self'",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
      ],
      scriptDirective: { resources: ["'self'", "'wasm-unsafe-eval'"] },
      styleDirective: {
        resources: ["'self'", { resource: "'unsafe-inline'", kind: 'attribute' }],
        hashes: plotStyleHashes(),
      },
    },
  },
  i18n: {
    locales: ['de', 'en'],
    defaultLocale: 'de',
    routing: { prefixDefaultLocale: false },
  },
  server: { host: '127.0.0.1', port: 4321 },
  vite: {
    // the CSP hash of a page's styles is computed once per text, not on every request (src/lib/build/memo-csp-digest.ts)
    plugins: [memoCspDigest()],
    ssr: {
      // Native modules stay external in the server bundle.
      external: ['@node-rs/argon2', '@libsql/client', '@resvg/resvg-js', 'pdfkit'],
      // Bundled, drizzle-orm costs ~6 MB of heap instead of ~150 MB when loaded as separate ESM files (bench/README.md).
      noExternal: ['drizzle-orm'],
    },
  },
});
