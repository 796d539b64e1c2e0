import { describe, expect, it, vi } from 'vitest';
import type { AppError } from './bindings';
import { Busy, run } from './task.svelte';

function deferred<T = void>() {
  let resolve!: (value: T) => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('run', () => {
  it('is busy while the action runs, and not after', async () => {
    const busy = new Busy();
    const done = deferred();
    const ran = run(busy, () => done.promise);
    expect(busy.current).toBe(true);
    expect(busy.active).toBe(true);
    done.resolve();
    expect(await ran).toBe(true);
    expect(busy.active).toBe(false);
  });

  it('hands a rejection to onError as an AppError, with the flag still set, then clears it', async () => {
    const busy = new Busy();
    const errors: AppError[] = [];
    let busyWhenTold: boolean | null = null;
    const ok = await run(
      busy,
      () => Promise.reject({ code: 'network', message: 'The server cannot be reached.' }),
      (err) => {
        busyWhenTold = busy.active;
        errors.push(err);
      },
    );
    expect(ok).toBe(false);
    expect(errors).toEqual([{ code: 'network', message: 'The server cannot be reached.' }]);
    expect(busyWhenTold).toBe(true);
    expect(busy.active).toBe(false);

    await run(busy, () => Promise.reject(new Error('boom')), (err) => errors.push(err));
    expect(errors[1]).toEqual({ code: 'internal', message: 'boom' });
  });

  it('lets the rejection through without onError, clearing the flag', async () => {
    const busy = new Busy();
    await expect(run(busy, () => Promise.reject(new Error('no')))).rejects.toThrow('no');
    expect(busy.active).toBe(false);
  });

  it('refuses a second run while busy', async () => {
    const busy = new Busy();
    const done = deferred();
    const first = run(busy, () => done.promise);
    const second = vi.fn(() => Promise.resolve());
    expect(await run(busy, second)).toBe(false);
    expect(second).not.toHaveBeenCalled();
    done.resolve();
    await first;
  });

  it('holds the key it is given', async () => {
    const action = new Busy<'save' | 'export'>();
    const done = deferred();
    const ran = run(action, () => done.promise, undefined, { key: 'export' });
    expect(action.current).toBe('export');
    expect(await run(action, () => Promise.resolve(), undefined, { key: 'save' })).toBe(false);
    done.resolve();
    await ran;
    expect(action.current).toBe(null);
  });

  it('with `latest`, lets a new run replace the one in flight', async () => {
    const loading = new Busy(true); // busy from the start
    expect(loading.active).toBe(true);
    const first = deferred();
    const second = deferred();
    const errors: string[] = [];
    let firstCurrent: (() => boolean) | null = null;
    const a = run(
      loading,
      (current) => {
        firstCurrent = current;
        return first.promise;
      },
      (err) => errors.push(err.message),
      { latest: true },
    );
    const b = run(loading, () => second.promise, (err) => errors.push(err.message), { latest: true });
    expect(firstCurrent!()).toBe(false);

    first.reject({ code: 'server', message: 'old' });
    expect(await a).toBe(false);
    expect(errors).toEqual([]); // the old run's failure is not told
    expect(loading.active).toBe(true); // nor does it end the new one

    second.resolve();
    expect(await b).toBe(true);
    expect(loading.active).toBe(false);
  });

  it('forgets a dropped run', async () => {
    const checking = new Busy();
    const done = deferred();
    const errors: string[] = [];
    const ran = run(checking, () => done.promise, (err) => errors.push(err.message));
    checking.drop();
    expect(checking.active).toBe(false);
    const next = deferred();
    const again = run(checking, () => next.promise);
    done.reject({ code: 'server', message: 'dropped' });
    await ran;
    expect(errors).toEqual([]);
    expect(checking.active).toBe(true); // the new run is still going
    next.resolve();
    await again;
    expect(checking.active).toBe(false);
  });
});
