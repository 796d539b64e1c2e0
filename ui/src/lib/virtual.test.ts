import { describe, expect, it } from 'vitest';
import type { LeadRow } from './bindings';
import { FEDERAL_HOURS } from './callingHours';
import { NO_CALLS } from './calls';
import {
  RowCache,
  renderedRows,
  scrollTopToReveal,
  spacerHeights,
  visibleRange,
  windowOffset,
  windowsToLoad,
} from './virtual';

function lead(id: string): LeadRow {
  return { id, name: `Lead ${id}`, phone: null, state: null, source: null, disposition: null, receivedAt: null, claim: null, zone: null, hours: FEDERAL_HOURS, calls: NO_CALLS };
}

describe('visibleRange', () => {
  // 40 px rows, a 36 px header, a 436 px viewport: 10 rows fit under the header.
  it('covers the rows under the viewport plus the overscan', () => {
    expect(visibleRange(0, 436, 36, 100_000, 40, 5)).toEqual({ start: 0, end: 15 });
    expect(visibleRange(4000, 436, 36, 100_000, 40, 5)).toEqual({ start: 95, end: 115 });
  });
  it('counts a partly visible row', () => {
    expect(visibleRange(20, 436, 36, 100_000, 40, 0)).toEqual({ start: 0, end: 11 });
  });
  it('stays within the total', () => {
    expect(visibleRange(0, 436, 36, 3, 40, 5)).toEqual({ start: 0, end: 3 });
    expect(visibleRange(3_999_600, 436, 36, 100_000, 40, 5)).toEqual({ start: 99_985, end: 100_000 });
    // Scrolled past the end (the list just shrank): an empty range at the end.
    expect(visibleRange(10_000, 436, 36, 10, 40, 5)).toEqual({ start: 10, end: 10 });
  });
  it('is empty without rows, and survives an unmeasured viewport', () => {
    expect(visibleRange(0, 436, 36, 0)).toEqual({ start: 0, end: 0 });
    expect(visibleRange(-50, 0, 36, 100, 40, 10)).toEqual({ start: 0, end: 10 });
  });
});

describe('spacerHeights', () => {
  it('stands in for the rows not rendered', () => {
    expect(spacerHeights({ start: 0, end: 20 }, 100_000, 40)).toEqual({ above: 0, below: 99_980 * 40 });
    expect(spacerHeights({ start: 95, end: 115 }, 200, 40)).toEqual({ above: 3800, below: 3400 });
    expect(spacerHeights({ start: 0, end: 0 }, 0, 40)).toEqual({ above: 0, below: 0 });
  });
});

describe('windows', () => {
  it('finds the window of a row', () => {
    expect(windowOffset(0, 200)).toBe(0);
    expect(windowOffset(199, 200)).toBe(0);
    expect(windowOffset(200, 200)).toBe(200);
    expect(windowOffset(-3, 200)).toBe(0);
  });
  it('lists each window with a missing row once', () => {
    const none = () => false;
    expect(windowsToLoad({ start: 0, end: 30 }, none, 200)).toEqual([0]);
    expect(windowsToLoad({ start: 190, end: 410 }, none, 200)).toEqual([0, 200, 400]);
    expect(windowsToLoad({ start: 0, end: 0 }, none, 200)).toEqual([]);
  });
  it('skips windows whose rows in the range are loaded', () => {
    const loaded = (i: number) => i < 200 || (i >= 400 && i < 405);
    expect(windowsToLoad({ start: 190, end: 410 }, loaded, 200)).toEqual([200, 400]);
    expect(windowsToLoad({ start: 0, end: 200 }, loaded, 200)).toEqual([]);
  });
});

describe('scrollTopToReveal', () => {
  // 40 px rows under a 36 px header in a 436 px viewport: 400 px of rows.
  it('keeps the position when the row is in view', () => {
    expect(scrollTopToReveal(0, 0, 436, 36, 40)).toBe(0);
    expect(scrollTopToReveal(9, 0, 436, 36, 40)).toBe(0);
  });
  it('scrolls up to a row above', () => {
    expect(scrollTopToReveal(5, 1000, 436, 36, 40)).toBe(200);
  });
  it('scrolls down just enough for a row below', () => {
    expect(scrollTopToReveal(10, 0, 436, 36, 40)).toBe(40);
    expect(scrollTopToReveal(1000, 0, 436, 36, 40)).toBe(1001 * 40 - 400);
  });
});

describe('renderedRows', () => {
  it('renders loaded rows by lead and the rest as placeholders', () => {
    const rows = new Map([
      [0, lead('a')],
      [2, lead('c')],
    ]);
    expect(renderedRows({ start: 0, end: 3 }, (i) => rows.get(i))).toEqual([
      { index: 0, key: 'lead:a', lead: lead('a') },
      { index: 1, key: 'row:1', lead: undefined },
      { index: 2, key: 'lead:c', lead: lead('c') },
    ]);
  });
  it('never repeats a key, even when a lead shows up twice', () => {
    const rows = [lead('a'), lead('b'), lead('a')];
    const keys = renderedRows({ start: 0, end: 3 }, (i) => rows[i]).map((r) => r.key);
    expect(keys).toEqual(['lead:a', 'lead:b', 'row:2']);
  });
});

describe('RowCache', () => {
  it('holds windows by position', () => {
    const cache = new RowCache();
    cache.put(200, [lead('x'), lead('y')]);
    expect(cache.get(201)?.id).toBe('y');
    expect(cache.has(0)).toBe(false);
    expect(cache.indexOf('x')).toBe(200);
    expect(cache.indexOf('nope')).toBe(-1);
    expect(cache.size).toBe(2);
  });
  it('moves every row down one for a lead on top', () => {
    const cache = new RowCache();
    cache.put(0, [lead('a'), lead('b')]);
    cache.put(200, [lead('z')]);
    cache.insertAtTop(lead('new'));
    expect([0, 1, 2, 201].map((i) => cache.get(i)?.id)).toEqual(['new', 'a', 'b', 'z']);
  });
  it('replaces a row in place', () => {
    const cache = new RowCache();
    cache.put(0, [lead('a'), lead('b')]);
    expect(cache.replace({ ...lead('b'), name: 'Updated' })).toBe(true);
    expect(cache.get(1)?.name).toBe('Updated');
    expect(cache.replace(lead('c'))).toBe(false);
  });
  it('forgets rows outside a range, or all', () => {
    const cache = new RowCache();
    cache.put(0, [lead('a'), lead('b'), lead('c')]);
    cache.retain({ start: 1, end: 2 });
    expect([0, 1, 2].map((i) => cache.has(i))).toEqual([false, true, false]);
    cache.clear();
    expect(cache.size).toBe(0);
  });
});
