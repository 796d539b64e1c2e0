// The lead list's rows, fetched window by window as the list scrolls. Each refresh starts a new
// generation: answers to requests of an older one are dropped, since they describe other positions.
import type { LeadList, LeadRow } from './bindings';
import { toAppError } from './errors';
import { parseTimestamp } from './format';
import { RowCache, WINDOW_SIZE, windowOffset, windowsToLoad, type RowRange } from './virtual';

/** Rows kept loaded on either side of the rendered ones; farther rows are fetched again when needed. */
export const KEEP_ROWS = 2000;

export type FetchWindow = (offset: number, limit: number) => Promise<LeadList>;

export interface WindowListener {
  /** The rows, the total or the sync time changed. */
  changed(): void;
  failed(message: string): void;
}

/** What became of a lead that arrived live. */
export type Placement = 'top' | 'replaced' | 'refetched';

/** Whether `lead` goes above `top` in a newest-first list (unknown times count as newest). */
export function belongsOnTop(lead: LeadRow, top: LeadRow | undefined): boolean {
  if (top === undefined) return true;
  const received = parseTimestamp(lead.receivedAt);
  const topReceived = parseTimestamp(top.receivedAt);
  return received === null || topReceived === null || received.getTime() >= topReceived.getTime();
}

export class LeadWindows {
  readonly rows = new RowCache();
  /** How many leads match in all. */
  total = 0;
  syncedAt: string | null = null;
  /** A first answer (or failure) came. */
  settled = false;

  private generation = 0;
  /** This generation's fetch per window offset, done or in flight; each window is fetched once. */
  private requests = new Map<number, Promise<void>>();
  private refreshing: Promise<unknown> | null = null;
  private lastRange: RowRange = { start: 0, end: 0 };

  constructor(
    private readonly fetchWindow: FetchWindow,
    private readonly listener: WindowListener,
    private readonly windowSize = WINDOW_SIZE,
    private readonly keepRows = KEEP_ROWS,
  ) {}

  /** The list shows `range` now: loads what it needs; a refresh fetches it again. */
  show(range: RowRange): Promise<void> {
    this.lastRange = range;
    return this.ensure(range);
  }

  /** Loads the rows of `range` not loaded yet, and forgets rows far from it. */
  async ensure(range: RowRange): Promise<void> {
    // A refresh fetches what the shown range needs once it is in.
    while (this.refreshing) await this.refreshing.catch(() => undefined);
    this.forgetOutside({ start: range.start - this.keepRows, end: range.end + this.keepRows });
    const missing = windowsToLoad(range, (index) => this.rows.has(index), this.windowSize);
    await Promise.all(missing.map((offset) => this.request(offset)));
  }

  /**
   * Fetches the rows of `range` (by default the one shown) again and then swaps them in
   * for all loaded rows, which stay on screen until then: after a query change or a sync.
   */
  async refresh(range: RowRange = this.lastRange): Promise<void> {
    const generation = this.nextGeneration();
    this.lastRange = range;
    const offsets = windowsToLoad({ start: range.start, end: Math.max(range.end, range.start + 1) }, () => false, this.windowSize);
    const answers = Promise.all(offsets.map((offset) => this.fetchWindow(offset, this.windowSize)));
    this.refreshing = answers;
    let fetched: LeadList[];
    try {
      fetched = await answers;
    } catch (e) {
      if (generation !== this.generation) return;
      this.refreshing = null;
      this.fail(e);
      return;
    }
    if (generation !== this.generation) return;
    this.refreshing = null;
    this.rows.clear();
    for (const answer of fetched) this.take(answer);
    for (const offset of offsets) this.requests.set(offset, Promise.resolve());
    this.listener.changed();
    await this.ensure(this.lastRange);
  }

  /**
   * A lead arrived live. In the newest-first, unfiltered list it is placed at once (the local
   * cache may not have it yet); in any other the visible rows are fetched again.
   */
  receive(lead: LeadRow, newestFirstUnfiltered: boolean): Placement {
    if (newestFirstUnfiltered && this.refreshing === null) {
      if (this.rows.replace(lead)) {
        this.listener.changed();
        return 'replaced';
      }
      if (belongsOnTop(lead, this.rows.get(0))) {
        this.nextGeneration(); // fetches in flight answer for the old positions
        this.rows.insertAtTop(lead);
        this.total += 1;
        this.listener.changed();
        void this.ensure(this.lastRange);
        return 'top';
      }
    }
    void this.refresh();
    return 'refetched';
  }

  /** Changes a loaded row in place (e.g. the rep set its disposition). */
  patch(id: string, change: Partial<Omit<LeadRow, 'id'>>): void {
    const row = this.rows.get(this.rows.indexOf(id));
    if (row === undefined) return;
    this.rows.replace({ ...row, ...change });
    this.listener.changed();
  }

  private nextGeneration(): number {
    this.requests = new Map();
    this.refreshing = null;
    return ++this.generation;
  }

  private request(offset: number): Promise<void> {
    let pending = this.requests.get(offset);
    if (pending === undefined) {
      pending = this.load(offset, this.generation);
      this.requests.set(offset, pending);
    }
    return pending;
  }

  private async load(offset: number, generation: number): Promise<void> {
    try {
      const answer = await this.fetchWindow(offset, this.windowSize);
      if (generation !== this.generation) return;
      this.take(answer);
      this.listener.changed();
    } catch (e) {
      // Not retried until the next refresh (the Retry button), so scrolling does not repeat it.
      if (generation === this.generation) this.fail(e);
    }
  }

  private take(answer: LeadList): void {
    const rows = Array.isArray(answer?.rows) ? answer.rows : [];
    this.rows.put(typeof answer.offset === 'number' ? answer.offset : 0, rows);
    this.total = typeof answer.total === 'number' ? answer.total : rows.length;
    this.syncedAt = answer.syncedAt ?? null;
    this.settled = true;
  }

  private fail(e: unknown): void {
    this.settled = true;
    this.listener.failed(toAppError(e).message);
  }

  /** Drops the rows (and the record of their fetches) of the windows wholly outside `keep`. */
  private forgetOutside(keep: RowRange): void {
    const start = windowOffset(keep.start, this.windowSize);
    const end = windowOffset(keep.end - 1, this.windowSize) + this.windowSize;
    this.rows.retain({ start, end });
    for (const offset of this.requests.keys()) {
      if (offset < start || offset >= end) this.requests.delete(offset);
    }
  }
}
