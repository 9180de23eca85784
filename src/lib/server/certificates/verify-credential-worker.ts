/**
 * Worker thread of verify-in-worker.ts: verifies one Open Badges proof per message (JSON-LD canonicalisation and
 * Ed25519), off the server's event loop. Gets the credential and the public keys of the district's ring; answers
 * `{ id, verified, errors }`. Run by Node directly (type stripping), not bundled by Astro.
 */
import { createPublicKey } from 'node:crypto';
import { parentPort } from 'node:worker_threads';
import { verifyOpenBadge } from './open-badge.ts';

/** A job sent to the worker. */
export interface VerifyJob {
  id: number;
  credential: unknown;
  keys: Array<{ id: string; publicKeyPem: string }>;
  /** Verification time (ISO), or null for now. */
  now: string | null;
}

parentPort?.on('message', async (job: VerifyJob) => {
  const keys = job.keys.map((k) => ({ id: k.id, publicKey: createPublicKey(k.publicKeyPem) }));
  const result = await verifyOpenBadge(job.credential, { keys }, job.now ? { now: new Date(job.now) } : {});
  parentPort?.postMessage({ id: job.id, ...result });
});
