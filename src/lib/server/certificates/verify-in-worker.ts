/**
 * Verifies Open Badges proofs in worker threads with a time budget, so a slow verification (JSON-LD
 * canonicalisation of odd input) never blocks the server's event loop and never runs for long: a small pool
 * of long-lived workers; a job that takes longer than its budget ends its worker (`terminate`) and gets a
 * German refusal; the next job starts a fresh worker. Too many waiting jobs are refused at once.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { KeyRing } from './key-ring.ts';
import type { VerifyJob } from './verify-credential-worker.ts';

/** Pool size, time budget per proof and queue length. */
export const VERIFY_WORKER_LIMITS = { workers: 2, budgetMs: 5_000, maxQueued: 20 } as const;

export type WorkerVerification = { verified: boolean; errors: string[] } | { verified: false; refused: string };

const WORKER_FILE = 'verify-credential-worker.ts';

/** The worker script: next to this module when run from source, else in the project's src/ (bundled server). */
function workerPath(): string {
  const here = join(dirname(fileURLToPath(import.meta.url)), WORKER_FILE);
  if (existsSync(here)) return here;
  return join(process.env.KIKO_ROOT ?? process.cwd(), 'src', 'lib', 'server', 'certificates', WORKER_FILE);
}

interface Pending {
  job: VerifyJob;
  budgetMs: number;
  resolve: (r: WorkerVerification) => void;
}

interface Slot {
  worker: Worker | null;
  busy: boolean;
}

const slots: Slot[] = Array.from({ length: VERIFY_WORKER_LIMITS.workers }, () => ({ worker: null, busy: false }));
const queue: Pending[] = [];
let nextId = 1;

const TIMEOUT =
  'Die Prüfung des Nachweises dauerte zu lange und wurde abgebrochen. Ein KIKO-Nachweis ist in Sekundenbruchteilen geprüft; diese Datei ist es nicht.';
const BUSY = 'Gerade werden sehr viele Nachweise geprüft. Bitte versuchen Sie es in einer Minute erneut.';
const FAILED = 'Der Nachweis ließ sich nicht prüfen.';

function spawn(slot: Slot): Worker {
  const worker = new Worker(workerPath());
  worker.unref();
  worker.on('error', () => {
    if (slot.worker === worker) slot.worker = null;
  });
  worker.on('exit', () => {
    if (slot.worker === worker) slot.worker = null;
  });
  slot.worker = worker;
  return worker;
}

function run(slot: Slot, p: Pending): void {
  slot.busy = true;
  const worker = slot.worker ?? spawn(slot);
  let settled = false;
  const finish = (r: WorkerVerification): void => {
    if (settled) return;
    settled = true;
    clearTimeout(timer);
    worker.off('message', onMessage);
    worker.off('exit', onExit);
    slot.busy = false;
    p.resolve(r);
    const next = queue.shift();
    if (next) run(slot, next);
  };
  const onMessage = (m: { id: number; verified: boolean; errors: string[] }): void => {
    if (m.id === p.job.id) finish({ verified: m.verified, errors: m.errors });
  };
  const onExit = (): void => finish({ verified: false, refused: FAILED });
  const timer = setTimeout(() => {
    // the only way to stop a runaway canonicalisation: end the thread; the next job gets a fresh one
    slot.worker = null;
    void worker.terminate();
    finish({ verified: false, refused: TIMEOUT });
  }, p.budgetMs);
  worker.on('message', onMessage);
  worker.once('exit', onExit);
  worker.postMessage(p.job);
}

/**
 * Verifies the credential's proof against the ring's public keys in a worker thread.
 * `now`: verification time (default: now). `budgetMs`: time budget of this proof.
 */
export function verifyOpenBadgeInWorker(
  credential: unknown,
  ring: Pick<KeyRing, 'keys'>,
  { now, budgetMs = VERIFY_WORKER_LIMITS.budgetMs }: { now?: Date; budgetMs?: number } = {},
): Promise<WorkerVerification> {
  const job: VerifyJob = {
    id: nextId++,
    credential,
    keys: ring.keys.map((k) => ({ id: k.id, publicKeyPem: k.publicKey.export({ type: 'spki', format: 'pem' }).toString() })),
    now: now ? now.toISOString() : null,
  };
  return new Promise((resolve) => {
    const pending = { job, budgetMs, resolve };
    const free = slots.find((s) => !s.busy);
    if (free) run(free, pending);
    else if (queue.length >= VERIFY_WORKER_LIMITS.maxQueued) resolve({ verified: false, refused: BUSY });
    else queue.push(pending);
  });
}
