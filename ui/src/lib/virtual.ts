// The arithmetic of the virtualised lead list: which rows to render for a scroll position, how
// tall the spacers around them are, and which windows of rows to fetch.
import type { LeadRow } from './bindings';

/** Every row is exactly this tall (px); the CSS of `.lead-row td` must agree. */
export const ROW_HEIGHT = 40;
/** Rows rendered beyond each edge of the viewport, so fast scrolling shows no gaps. */
export const OVERSCAN = 10;
/** Rows fetched per request. */
export const WINDOW_SIZE = 200;

/** Rows `start` (inclusive) to `end` (exclusive). */
export interface RowRange {
  start: number;
  end: number;
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}

/**
 * The rows to render: those under the viewport (the part below a sticky header of
 * `headerHeight`), plus `overscan` rows on either side, within `total`.
 */
export function visibleRange(
  scrollTop: number,
  viewportHeight: number,
  headerHeight: number,
  total: number,
  rowHeight = ROW_HEIGHT,
  overscan = OVERSCAN,
): RowRange {
  if (total <= 0) return { start: 0, end: 0 };
  const top = Math.max(0, scrollTop);
  const rowsArea = Math.max(0, viewportHeight - headerHeight);
  const first = Math.floor(top / rowHeight);
  const last = Math.ceil((top + rowsArea) / rowHeight);
  const start = clamp(first - overscan, 0, total);
  return { start, end: clamp(last + overscan, start, total) };
}

/** The heights of the spacer rows above and below the rendered ones, so the scrollbar spans `total`. */
export function spacerHeights(range: RowRange, total: number, rowHeight = ROW_HEIGHT): { above: number; below: number } {
  return {
    above: range.start * rowHeight,
    below: Math.max(0, total - range.end) * rowHeight,
  };
}

/** The offset of the window holding row `index`. */
export function windowOffset(index: number, windowSize = WINDOW_SIZE): number {
  return Math.floor(Math.max(0, index) / windowSize) * windowSize;
}

/** The offsets of the windows that hold a row of `range` not yet loaded, in order. */
export function windowsToLoad(range: RowRange, isLoaded: (index: number) => boolean, windowSize = WINDOW_SIZE): number[] {
  const offsets: number[] = [];
  for (let index = range.start; index < range.end; index++) {
    if (isLoaded(index)) continue;
    const offset = windowOffset(index, windowSize);
    offsets.push(offset);
    index = offset + windowSize - 1; // on to the next window
  }
  return offsets;
}

/**
 * The scrollTop that brings row `index` fully into view below a sticky header of
 * `headerHeight` with the least movement; `scrollTop` itself when it is already in view.
 */
export function scrollTopToReveal(
  index: number,
  scrollTop: number,
  viewportHeight: number,
  headerHeight: number,
  rowHeight = ROW_HEIGHT,
): number {
  const rowTop = index * rowHeight; // relative to the first row, which starts under the header
  const rowsArea = Math.max(rowHeight, viewportHeight - headerHeight);
  if (rowTop < scrollTop) return rowTop;
  if (rowTop + rowHeight > scrollTop + rowsArea) return rowTop + rowHeight - rowsArea;
  return scrollTop;
}

/** One rendered row: the lead, or a placeholder while its window loads. `key` is unique. */
export interface RenderedRow {
  index: number;
  key: string;
  lead: LeadRow | undefined;
}

/**
 * The rows of `range` to render. A lead already shown higher up in the range (possible for a
 * moment while windows from before and after an insertion meet) is shown as a placeholder, so
 * every key is unique.
 */
export function renderedRows(range: RowRange, rowAt: (index: number) => LeadRow | undefined): RenderedRow[] {
  const seen = new Set<string>();
  const rows: RenderedRow[] = [];
  for (let index = range.start; index < range.end; index++) {
    const lead = rowAt(index);
    if (lead !== undefined && !seen.has(lead.id)) {
      seen.add(lead.id);
      rows.push({ index, key: `lead:${lead.id}`, lead });
    } else {
      rows.push({ index, key: `row:${index}`, lead: undefined });
    }
  }
  return rows;
}

/** The loaded rows of a list by position; windows may be loaded in any order. */
export class RowCache {
  private rows = new Map<number, LeadRow>();

  get size(): number {
    return this.rows.size;
  }

  get(index: number): LeadRow | undefined {
    return this.rows.get(index);
  }

  has(index: number): boolean {
    return this.rows.has(index);
  }

  /** The position of the lead with this id, or -1 when it is not loaded. */
  indexOf(id: string): number {
    for (const [index, row] of this.rows) if (row.id === id) return index;
    return -1;
  }

  put(offset: number, rows: readonly LeadRow[]): void {
    rows.forEach((row, i) => this.rows.set(offset + i, row));
  }

  /** A lead placed at the top: every loaded row moves down one. */
  insertAtTop(lead: LeadRow): void {
    const shifted = new Map<number, LeadRow>([[0, lead]]);
    for (const [index, row] of this.rows) shifted.set(index + 1, row);
    this.rows = shifted;
  }

  /** Replaces the loaded row with the same id; false when there is none. */
  replace(lead: LeadRow): boolean {
    const index = this.indexOf(lead.id);
    if (index < 0) return false;
    this.rows.set(index, lead);
    return true;
  }

  /** Forgets the rows outside `keep`. */
  retain(keep: RowRange): void {
    for (const index of this.rows.keys()) {
      if (index < keep.start || index >= keep.end) this.rows.delete(index);
    }
  }

  clear(): void {
    this.rows.clear();
  }
}
