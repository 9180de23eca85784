#!/usr/bin/env node
// KIKO command line. The CLI is TypeScript run by Node's type stripping (Node >= 22.18 / 24).
import '../scripts/check-node.mjs';
import './module-hooks.mjs';

const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
