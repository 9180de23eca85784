#!/usr/bin/env node
// KIKO command line. The CLI is TypeScript run by Node's type stripping (Node >= 22.18 / 24).
import { isMainThread } from 'node:worker_threads';
import '../scripts/check-node.mjs';
import './module-hooks.mjs';
import { adoptTerminal, isBatchCommand, runBatchThread } from './batch-thread.mjs';

const args = process.argv.slice(2);
if (isMainThread && isBatchCommand(args)) {
  // a batch command: the same CLI in a worker thread with a smaller young generation (batch-thread.mjs)
  process.exitCode = await runBatchThread(new URL(import.meta.url), args);
} else {
  adoptTerminal();
  const { main } = await import('../src/cli/main.ts');
  process.exitCode = await main(args);
}
