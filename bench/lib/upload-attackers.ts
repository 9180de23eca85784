/**
 * The attacking clients of bench/upload-attack.ts: `attackers` concurrent clients send the hostile uploads in
 * rotation to /zertifikat-pruefen until they are stopped, each upload from a new address behind the trusted proxy
 * (or all from one). By default they run in a child process of their own (this file as a script, driven over IPC):
 * an attack comes from other machines, and the attackers' own work — copying MB-sized bodies, the garbage
 * collection that follows, unpacking the answers — must not run in the event loop that times the lesson requests.
 * `attackInProcess` runs them in the caller's event loop instead (the bench's `--attackers-in-process`).
 */
import { fork } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** One hostile upload: a multipart body with its content type. */
export interface AttackFile {
  name: string;
  type: string;
  body: Buffer;
}

export interface AttackOptions {
  base: string;
  files: AttackFile[];
  attackers: number;
  sameAddress: boolean;
}

/** What the attackers sent and got: statuses and latencies (ms), in all and per file. */
export interface AttackTally {
  sent: number;
  statuses: Record<string, number>;
  ms: number[];
  perFile: Record<string, number[]>;
}

export interface RunningAttack {
  /** Lets every attacker finish its upload in flight, then reports. */
  stop(): Promise<AttackTally>;
}

/** Starts the attackers in this event loop. */
export function attackInProcess(o: AttackOptions): RunningAttack {
  let attacking = true;
  const tally: AttackTally = { sent: 0, statuses: {}, ms: [], perFile: Object.fromEntries(o.files.map((f) => [f.name, []])) };
  const attacker = async (a: number): Promise<void> => {
    for (let k = a; attacking; k += o.attackers) {
      const f = o.files[k % o.files.length] as AttackFile;
      const n = ++tally.sent;
      const t = performance.now();
      const res = await fetch(`${o.base}/zertifikat-pruefen`, {
        method: 'POST',
        headers: {
          origin: o.base,
          'content-type': f.type,
          'x-forwarded-for': o.sameAddress ? '198.18.0.1' : `198.18.${(n >> 8) & 255}.${n & 255}`,
        },
        body: new Uint8Array(f.body),
        signal: AbortSignal.timeout(60_000),
      });
      await res.arrayBuffer();
      const ms = performance.now() - t;
      tally.ms.push(ms);
      tally.perFile[f.name]?.push(ms);
      tally.statuses[res.status] = (tally.statuses[res.status] ?? 0) + 1;
    }
  };
  const running = Array.from({ length: o.attackers }, (_, a) => attacker(a));
  return {
    async stop() {
      attacking = false;
      await Promise.all(running);
      return tally;
    },
  };
}

type ToChild =
  | { type: 'start'; base: string; attackers: number; sameAddress: boolean; files: Array<{ name: string; type: string; path: string }> }
  | { type: 'stop' };
type FromChild = { type: 'started' } | { type: 'tally'; tally: AttackTally };

/** Starts the attackers in a child process (the bodies go through files in `dir`); resolves once they send. */
export async function attackFromChildProcess(o: AttackOptions, dir: string): Promise<RunningAttack> {
  const files = o.files.map((f, i) => {
    const path = join(dir, `angriff-${i}.bin`);
    writeFileSync(path, f.body);
    return { name: f.name, type: f.type, path };
  });
  // no inherited --cpu-prof or preloads: the child is only a client
  const child = fork(import.meta.filename, [], { execArgv: [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const next = (): Promise<FromChild> =>
    new Promise((res, rej) => {
      const onExit = (code: number | null): void => rej(new Error(`Angreiferprozess beendet (${code})`));
      child.once('exit', onExit);
      child.once('message', (m: FromChild) => {
        child.off('exit', onExit);
        res(m);
      });
    });
  const started = next();
  child.send({ type: 'start', base: o.base, attackers: o.attackers, sameAddress: o.sameAddress, files } satisfies ToChild);
  await started;
  return {
    async stop() {
      const reply = next();
      child.send({ type: 'stop' } satisfies ToChild);
      const m = await reply;
      if (m.type !== 'tally') throw new Error('Angreiferprozess: keine Zählung');
      return m.tally;
    },
  };
}

// as a script: the child process of attackFromChildProcess
if (process.send && resolve(process.argv[1] ?? '') === import.meta.filename) {
  let running: RunningAttack | undefined;
  process.on('message', async (m: ToChild) => {
    if (m.type === 'start') {
      const files = m.files.map((f) => ({ name: f.name, type: f.type, body: readFileSync(f.path) }));
      running = attackInProcess({ base: m.base, attackers: m.attackers, sameAddress: m.sameAddress, files });
      process.send?.({ type: 'started' } satisfies FromChild);
    } else if (m.type === 'stop' && running) {
      const tally = await running.stop();
      process.send?.({ type: 'tally', tally } satisfies FromChild, () => process.exit(0));
    }
  });
}
