// The busy flag, try, catch and finally of an action, in one place.
import type { AppError } from './bindings';
import { toAppError } from './errors';

/** What runs now: its key (`true` for a plain flag), or null when idle. */
export class Busy<K = true> {
  current = $state<K | null>(null);
  /** Bumped by each run and by `drop`: a run older than the last one no longer counts. */
  ticket = 0;

  /** `initial`: busy from the start, e.g. a load that starts when the component mounts. */
  constructor(initial: K | null = null) {
    this.current = initial;
  }

  get active(): boolean {
    return this.current !== null;
  }

  /** Forgets the run in flight: it neither clears the flag nor reports its error. */
  drop(): void {
    this.ticket++;
    this.current = null;
  }
}

export interface RunOptions<K> {
  /** What `busy` holds while `fn` runs; `true` by default. */
  key?: K;
  /** A new run replaces the one in flight (whose answer no longer counts) instead of being refused. */
  latest?: boolean;
}

/**
 * Runs `fn` under `busy`: refused while busy (unless `latest`); `busy` holds the key until `fn`
 * settles. A rejection goes to `onError` as an AppError; without `onError` it propagates. With
 * `latest`, only the newest run clears `busy` or reports, and `fn` is told whether it is still
 * the newest. Resolves true when `fn` resolved.
 */
export async function run<K = true>(
  busy: Busy<K>,
  fn: (current: () => boolean) => Promise<unknown>,
  onError?: (err: AppError) => void,
  { key = true as K, latest = false }: RunOptions<K> = {},
): Promise<boolean> {
  if (busy.current !== null && !latest) return false;
  const mine = ++busy.ticket;
  const current = () => mine === busy.ticket;
  busy.current = key;
  try {
    await fn(current);
    return true;
  } catch (e) {
    if (!onError) throw e;
    if (current()) onError(toAppError(e));
    return false;
  } finally {
    if (current()) busy.current = null;
  }
}
