import { describe, expect, it } from 'vitest';
import type { LeadList, LeadRow } from './bindings';
import { FEDERAL_HOURS } from './callingHours';
import { NO_CALLS } from './calls';
import { LeadWindows, belongsOnTop } from './leadWindows';

function lead(id: string, receivedAt: string | null = null): LeadRow {
  return { id, name: `Lead ${id}`, phone: null, state: null, source: null, disposition: null, receivedAt, claim: null, zone: null, hours: FEDERAL_HOURS, calls: NO_CALLS };
}

/** A fake `list_leads` over `book`, answering each call when the test says so. */
class FakeServer {
  book: LeadRow[];
  calls: { offset: number; limit: number; answer: () => void; fail: (e: unknown) => void }[] = [];

  constructor(size: number) {
    this.book = Array.from({ length: size }, (_, i) => lead(`l${i}`));
  }

  fetch = (offset: number, limit: number): Promise<LeadList> =>
    new Promise((resolve, reject) => {
      this.calls.push({
        offset,
        limit,
        answer: () => resolve({ rows: this.book.slice(offset, offset + limit), offset, total: this.book.length, syncedAt: 'T' }),
        fail: reject,
      });
    });

  /** Answers every call made so far, then lets the awaiting code run. */
  async answerAll(): Promise<void> {
    const calls = this.calls.splice(0);
    calls.forEach((c) => c.answer());
    await flush();
  }
}

async function flush() {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}

function setup(size: number) {
  const server = new FakeServer(size);
  const events = { changed: 0, failures: [] as string[] };
  const windows = new LeadWindows(
    server.fetch,
    { changed: () => events.changed++, failed: (m) => events.failures.push(m) },
    10,
    20,
  );
  return { server, events, windows };
}

const ids = (windows: LeadWindows, from: number, to: number) =>
  Array.from({ length: to - from }, (_, i) => windows.rows.get(from + i)?.id);

describe('LeadWindows.show', () => {
  it('fetches the windows a range needs, once each', async () => {
    const { server, windows, events } = setup(100);
    void windows.show({ start: 5, end: 15 });
    void windows.show({ start: 5, end: 15 });
    expect(server.calls.map((c) => [c.offset, c.limit])).toEqual([
      [0, 10],
      [10, 10],
    ]);
    await server.answerAll();
    expect(ids(windows, 8, 12)).toEqual(['l8', 'l9', 'l10', 'l11']);
    expect(windows.total).toBe(100);
    expect(windows.syncedAt).toBe('T');
    expect(windows.settled).toBe(true);
    expect(events.changed).toBe(2);
    await windows.show({ start: 0, end: 20 });
    expect(server.calls).toHaveLength(0);
  });

  it('forgets windows far from the range and fetches them again when back', async () => {
    const { server, windows } = setup(100);
    void windows.show({ start: 0, end: 10 });
    await server.answerAll();
    void windows.show({ start: 60, end: 70 });
    await server.answerAll();
    expect(windows.rows.has(0)).toBe(false);
    void windows.show({ start: 0, end: 10 });
    expect(server.calls.map((c) => c.offset)).toEqual([0]);
  });

  it('reports a failure once, without retrying while scrolling', async () => {
    const { server, windows, events } = setup(100);
    void windows.show({ start: 0, end: 5 });
    server.calls.splice(0)[0].fail({ code: 'internal', message: 'disk on fire' });
    await flush();
    expect(events.failures).toEqual(['disk on fire']);
    expect(windows.settled).toBe(true);
    void windows.show({ start: 0, end: 5 });
    expect(server.calls).toHaveLength(0);
  });

  it('does not ask again for a window answered with other rows (the list without a cache)', async () => {
    // Without a local cache the list comes from the server: its first rows, whatever the offset.
    let calls = 0;
    const firstRows = async (): Promise<LeadList> => {
      calls++;
      return { rows: [lead('a'), lead('b')], offset: 0, total: 100, syncedAt: null };
    };
    const windows = new LeadWindows(firstRows, { changed: () => {}, failed: () => {} }, 10, 1000);
    await windows.show({ start: 30, end: 35 });
    await windows.show({ start: 30, end: 35 });
    expect(calls).toBe(1);
    expect(windows.rows.get(0)?.id).toBe('a');
  });
});

describe('LeadWindows.ensure', () => {
  it('loads rows without changing what a refresh fetches', async () => {
    const { server, windows } = setup(100);
    void windows.show({ start: 0, end: 5 });
    await server.answerAll();
    void windows.ensure({ start: 30, end: 31 });
    await server.answerAll();
    expect(windows.rows.get(30)?.id).toBe('l30');
    void windows.refresh();
    expect(server.calls.map((c) => c.offset)).toEqual([0]);
  });
});

describe('LeadWindows.refresh', () => {
  it('keeps the old rows on screen until the new ones are in, then swaps them all', async () => {
    const { server, windows } = setup(100);
    void windows.show({ start: 0, end: 15 });
    await server.answerAll();
    server.book = server.book.slice(0, 12).reverse();
    void windows.refresh({ start: 0, end: 15 });
    expect(ids(windows, 0, 2)).toEqual(['l0', 'l1']);
    await server.answerAll();
    expect(ids(windows, 0, 2)).toEqual(['l11', 'l10']);
    expect(windows.total).toBe(12);
    expect(windows.rows.has(12)).toBe(false);
  });

  it('drops answers to requests made before it', async () => {
    const { server, windows } = setup(100);
    void windows.show({ start: 0, end: 5 });
    const stale = server.calls.splice(0);
    void windows.refresh();
    server.book = [lead('fresh')];
    await server.answerAll();
    stale.forEach((c) => c.answer());
    await flush();
    expect(windows.rows.get(0)?.id).toBe('fresh');
    expect(windows.total).toBe(1);
  });

  it('lets a scroll during the refresh wait for it, then fetches what it needs', async () => {
    const { server, windows } = setup(100);
    void windows.refresh({ start: 0, end: 5 });
    const scrolled = windows.show({ start: 40, end: 45 });
    expect(server.calls.map((c) => c.offset)).toEqual([0]);
    await server.answerAll();
    expect(server.calls.map((c) => c.offset)).toEqual([40]);
    await server.answerAll();
    await scrolled;
    expect(windows.rows.get(40)?.id).toBe('l40');
  });

  it('reports a failed refresh', async () => {
    const { server, windows, events } = setup(100);
    void windows.refresh({ start: 0, end: 5 });
    server.calls.splice(0)[0].fail('offline');
    await flush();
    expect(events.failures).toEqual(['offline']);
  });
});

describe('LeadWindows.receive', () => {
  const at = (minute: number) => `2025-03-04T15:${String(minute).padStart(2, '0')}:00Z`;

  async function loaded() {
    const s = setup(30);
    s.server.book = s.server.book.map((l, i) => ({ ...l, receivedAt: at(59 - i) }));
    void s.windows.show({ start: 0, end: 15 });
    await s.server.answerAll();
    return s;
  }

  it('puts a new lead on top of the newest-first list at once', async () => {
    const { server, windows } = await loaded();
    expect(windows.receive(lead('new', at(59)), true)).toBe('top');
    expect(ids(windows, 0, 3)).toEqual(['new', 'l0', 'l1']);
    expect(windows.total).toBe(31);
    // Every loaded row moved down one; the range is still loaded.
    expect(ids(windows, 19, 22)).toEqual(['l18', 'l19', undefined]);
    expect(server.calls).toHaveLength(0);
  });

  it('updates a lead already listed in place', async () => {
    const { server, windows } = await loaded();
    expect(windows.receive({ ...lead('l3', at(56)), name: 'Renamed' }, true)).toBe('replaced');
    expect(windows.rows.get(3)?.name).toBe('Renamed');
    expect(windows.total).toBe(30);
    expect(server.calls).toHaveLength(0);
  });

  it('lets the cache place a lead that is older than the top, or any lead in another view', async () => {
    const { server, windows } = await loaded();
    expect(windows.receive(lead('old', at(1)), true)).toBe('refetched');
    expect(server.calls.map((c) => c.offset)).toEqual([0, 10]);
    await server.answerAll();
    expect(windows.receive(lead('new', at(59)), false)).toBe('refetched');
  });

  it('drops answers for the positions before an insertion', async () => {
    const { server, windows } = await loaded();
    void windows.show({ start: 15, end: 25 });
    const stale = server.calls.splice(0);
    windows.receive(lead('new', at(59)), true);
    stale.forEach((c) => c.answer());
    await flush();
    expect(windows.rows.get(21)).toBeUndefined();
  });
});

describe('LeadWindows.patch', () => {
  it('changes a loaded row', async () => {
    const { server, windows, events } = setup(5);
    void windows.show({ start: 0, end: 5 });
    await server.answerAll();
    const before = events.changed;
    windows.patch('l2', { disposition: 'Quoted' });
    expect(windows.rows.get(2)?.disposition).toBe('Quoted');
    expect(events.changed).toBe(before + 1);
    windows.patch('missing', { disposition: 'Quoted' });
    expect(events.changed).toBe(before + 1);
  });
});

describe('belongsOnTop', () => {
  it('compares the received times, unknown counting as newest', () => {
    const top = lead('top', '2025-03-04T15:00:00Z');
    expect(belongsOnTop(lead('a', '2025-03-04T15:00:01Z'), top)).toBe(true);
    expect(belongsOnTop(lead('a', '2025-03-04T15:00:00Z'), top)).toBe(true);
    expect(belongsOnTop(lead('a', '2025-03-04T14:59:59Z'), top)).toBe(false);
    expect(belongsOnTop(lead('a', null), top)).toBe(true);
    expect(belongsOnTop(lead('a', '2025-03-04T14:00:00Z'), lead('top', null))).toBe(true);
    expect(belongsOnTop(lead('a'), undefined)).toBe(true);
  });
});
