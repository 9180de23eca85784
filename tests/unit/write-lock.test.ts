/** The cluster-wide write lock: the primary's broker grants in arrival order, one worker at a time. */
import { describe, expect, test } from 'vitest';
import { ClusterWriteLock, createWriteLockBroker, type WriteLockMessage } from '../../db/serialize-writes.ts';

/** Two workers and a primary wired together by asynchronous "IPC" (a microtask later, as a pipe would be). */
function cluster() {
  const workers: Record<string, ClusterWriteLock> = {};
  const broker = createWriteLockBroker<string>((worker, m) => queueMicrotask(() => workers[worker]?.receive(m)));
  const make = (name: string): ClusterWriteLock =>
    (workers[name] = new ClusterWriteLock((m: WriteLockMessage) => queueMicrotask(() => broker.receive(name, m))));
  return { broker, a: make('a'), b: make('b') };
}

const tick = (): Promise<void> => new Promise((r) => setTimeout(r, 5));

describe('createWriteLockBroker with ClusterWriteLock', () => {
  test('returns the lock to one worker at a time, in the order they asked', async () => {
    const { a, b } = cluster();
    const order: string[] = [];
    const releaseA = await a.acquire();
    const waitingB = b.acquire().then((release) => {
      order.push('b');
      return release;
    });
    const waitingA2 = a.acquire().then((release) => {
      order.push('a2');
      return release;
    });
    await tick();
    expect(order).toEqual([]);
    releaseA();
    const releaseB = await waitingB;
    await tick();
    expect(order).toEqual(['b']);
    releaseB();
    (await waitingA2)();
    expect(order).toEqual(['b', 'a2']);
  });

  test('returns the lock to the next worker when the holder exits without releasing', async () => {
    const { broker, a, b } = cluster();
    await a.acquire();
    let got = false;
    const waiting = b.acquire().then(() => {
      got = true;
    });
    await tick();
    expect(got).toBe(false);
    broker.workerGone('a');
    await waiting;
    expect(got).toBe(true);
  });

  test('ignores a release of a lock the worker does not hold and messages of other kinds', async () => {
    const { broker, a, b } = cluster();
    const releaseA = await a.acquire();
    let got = false;
    void b.acquire().then(() => {
      got = true;
    });
    broker.receive('b', { type: 'kiko:write-release', id: 1 });
    broker.receive('b', { type: 'kiko:forget-session', sessionId: 'x' });
    broker.receive('b', null);
    await tick();
    expect(got).toBe(false);
    releaseA();
    await tick();
    expect(got).toBe(true);
  });
});
