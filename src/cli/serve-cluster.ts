/**
 * The primary process of `kiko serve` with KIKO_WORKERS > 1: forks the workers (each runs the Astro
 * server on the shared port), grants the database write lock to one worker at a time (serialize-writes.ts),
 * relays session evictions between them, replaces a worker that dies, and
 * stops them all on SIGTERM/SIGINT. Requests never pass through the primary's JavaScript.
 */
import cluster, { type Worker } from 'node:cluster';
import { createWriteLockBroker } from '../../db/serialize-writes.ts';
import { isForgetSessionMessage } from '../lib/server/auth/session-cache.ts';
import type { CliIo } from './io.ts';

/** A worker that dies this soon after its start counts as a failed start. */
const EARLY_EXIT_MS = 10_000;
/** After this many failed starts in a row the whole server stops instead of restarting forever. */
const MAX_FAILED_STARTS = 5;

/** Forks the workers and resolves once all of them listen; rejects when they cannot start. */
export function superviseWorkers(count: number, io: CliIo): Promise<void> {
  let stopping = false;
  let failedStarts = 0;
  const startedAt = new Map<number, number>();
  const writeLock = createWriteLockBroker<Worker>((worker, m) => {
    if (worker.isConnected()) worker.send(m);
  });

  const fork = (): Worker => {
    const worker = cluster.fork();
    startedAt.set(worker.id, Date.now());
    worker.on('message', (m: unknown) => {
      writeLock.receive(worker, m);
      if (!isForgetSessionMessage(m)) return;
      for (const other of Object.values(cluster.workers ?? {})) if (other && other !== worker && other.isConnected()) other.send(m);
    });
    return worker;
  };

  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    for (const w of Object.values(cluster.workers ?? {})) w?.process.kill(signal);
    // exit (with process.exitCode) once every worker is gone; the exit handler below counts them down
    if (Object.keys(cluster.workers ?? {}).length === 0) process.exit();
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));

  return new Promise((resolve, reject) => {
    let listening = 0;
    cluster.on('listening', () => {
      listening += 1;
      if (listening === count) resolve();
    });
    cluster.on('exit', (worker, code, signal) => {
      writeLock.workerGone(worker);
      if (stopping) {
        if (Object.keys(cluster.workers ?? {}).length === 0) process.exit();
        return;
      }
      const early = Date.now() - (startedAt.get(worker.id) ?? 0) < EARLY_EXIT_MS;
      failedStarts = early ? failedStarts + 1 : 0;
      io.err(`Serverprozess ${worker.process.pid} beendet (${signal ?? `Code ${code}`}).`);
      if (failedStarts >= MAX_FAILED_STARTS) {
        io.err(`Die Serverprozesse starten nicht (${failedStarts}-mal nacheinander); KIKO wird beendet.`);
        process.exitCode = 1;
        reject(new Error('workers failed to start'));
        stop('SIGTERM');
        return;
      }
      io.err('Ein neuer Serverprozess wird gestartet.');
      fork();
    });
    for (let i = 0; i < count; i++) fork();
  });
}
