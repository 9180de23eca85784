// Loads drizzle-orm as CommonJS in KIKO's command-line processes (CLI, server primary, workers, exports).
//
// Imported as ES modules, drizzle-orm's ~300 files make Node's ES module resolver read the package's 180 KB
// package.json (447 export paths) again for each file: about 150 MB of heap that the process keeps. Its CommonJS
// build of the same version is resolved once (about 15 MB). The server bundle has drizzle-orm bundled already
// (astro.config.mjs); this hook covers the TypeScript sources the CLI runs. `rate-limiter-flexible` requires the
// CommonJS build as well, so both then share one copy.
import * as nodeModule from 'node:module';

const CJS_CONDITIONS = ['require', 'node', 'default'];

// registerHooks: Node 22.15 / 23.5 and later (older ones load the ES modules, as before)
nodeModule.registerHooks?.({
  resolve(specifier, context, next) {
    if (specifier === 'drizzle-orm' || specifier.startsWith('drizzle-orm/'))
      return next(specifier, { ...context, conditions: CJS_CONDITIONS });
    return next(specifier, context);
  },
});
