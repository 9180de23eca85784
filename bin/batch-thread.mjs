// Commands that walk a whole district in one process (`evidence export`, `users import`) run in a worker thread
// with a young generation of BATCH_YOUNG_GENERATION_MB. V8 sizes the young generation by the machine's memory: on a
// 24 GiB machine its two semi-spaces reach 64 MB each, 128 MB of resident memory that such a command fills with
// short-lived rows and then keeps. With 48 MB (semi-spaces of 16 MB) the export of 50,000 people takes the same time
// and stays about 90 MB smaller. The thread runs in the same process: its memory is the command's memory.
import { writeSync } from 'node:fs';
import { isMainThread, Worker } from 'node:worker_threads';

export const BATCH_YOUNG_GENERATION_MB = 48;

/** The batch commands: their first two words. */
const BATCH_COMMANDS = new Set(['evidence export', 'users import']);

export function isBatchCommand(args) {
  return BATCH_COMMANDS.has(args.slice(0, 2).join(' '));
}

/**
 * Runs `entry` (a module that runs the CLI when it is not the main thread) in a worker thread with the batch
 * memory limits, its output on this process's stdout and stderr, and resolves with its exit code. The worker is
 * told whether stdout and stderr are terminals and how wide (KIKO_STDOUT_TTY, KIKO_STDERR_TTY; adoptTerminal).
 */
export function runBatchThread(entry, args) {
  const worker = new Worker(entry, {
    argv: args,
    env: {
      ...process.env,
      KIKO_STDOUT_TTY: process.stdout.isTTY ? String(process.stdout.columns || 80) : '',
      KIKO_STDERR_TTY: process.stderr.isTTY ? String(process.stderr.columns || 80) : '',
    },
    resourceLimits: { maxYoungGenerationSizeMb: BATCH_YOUNG_GENERATION_MB },
  });
  return new Promise((resolve, reject) => {
    worker.once('error', reject);
    worker.once('exit', resolve);
  });
}

/**
 * In the worker thread of a batch command: where the process's stdout or stderr is a terminal, the thread writes to
 * it directly and at once (as the main thread does to a terminal), so progress bars draw on it as on a terminal of
 * the width given, and lines of both streams appear in the order they were written. Otherwise the thread's output
 * goes through the main thread, as Node passes it on.
 */
export function adoptTerminal() {
  if (isMainThread) return;
  for (const [stream, fd, width] of [
    [process.stdout, 1, process.env.KIKO_STDOUT_TTY],
    [process.stderr, 2, process.env.KIKO_STDERR_TTY],
  ]) {
    if (!width) continue;
    stream.isTTY = true;
    stream.columns = Number(width);
    stream.write = (chunk, encoding, done) => {
      writeSync(fd, typeof chunk === 'string' ? chunk : Buffer.from(chunk));
      (typeof encoding === 'function' ? encoding : done)?.();
      return true;
    };
  }
}
