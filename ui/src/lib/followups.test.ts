import { get } from 'svelte/store';
import { describe, expect, it } from 'vitest';
import type { FollowUpBoard, FollowUpRow, PresetOption } from './bindings';
import { formatAbsolute } from './format';
import {
  BoardRequests,
  NO_BOARD,
  boardAt,
  boardStore,
  callbacksButtonLabel,
  dropDue,
  dueBannerText,
  dueCount,
  dueText,
  dueTitle,
  isBoard,
  isDue,
  isOverdue,
  isPinned,
  localAt,
  localInputValue,
  presetAvailable,
  presetWhen,
  pruneDue,
  queueDue,
  relativeDue,
  rowName,
  rowNote,
  type DueEntry,
} from './followups';

const now = Date.parse('2026-12-08T15:00:00Z');
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const at = (offset: number) => new Date(now + offset).toISOString();

function row(id: string, extra: Partial<FollowUpRow> = {}): FollowUpRow {
  return { id, leadId: `lead-${id}`, leadName: 'Rosa Diaz', due: at(0), dueThere: null, note: null, done: false, ...extra };
}

function board(extra: Partial<FollowUpBoard> = {}): FollowUpBoard {
  return { ...NO_BOARD, ...extra };
}

describe('isBoard', () => {
  it('takes a board as the engine answers it', () => {
    expect(isBoard(board({ due: [row('a')], pinned: [row('p', { due: null })] }))).toBe(true);
    expect(isBoard(board({ synced: false }))).toBe(true);
  });
  it('refuses anything else', () => {
    expect(isBoard(null)).toBe(false);
    expect(isBoard({})).toBe(false);
    expect(isBoard({ ...NO_BOARD, synced: 'yes' })).toBe(false);
    expect(isBoard({ ...NO_BOARD, done: null })).toBe(false);
    expect(isBoard({ ...NO_BOARD, due: [{ id: 'a' }] })).toBe(false);
  });
});

describe('isDue and isOverdue', () => {
  it('is due once its time has come, overdue a minute after', () => {
    expect(isDue(row('a', { due: at(1000) }), now)).toBe(false);
    expect(isDue(row('a', { due: at(0) }), now)).toBe(true);
    expect(isOverdue(row('a', { due: at(0) }), now)).toBe(false);
    expect(isOverdue(row('a', { due: at(-MINUTE) }), now)).toBe(false);
    expect(isOverdue(row('a', { due: at(-MINUTE - 1) }), now)).toBe(true);
  });
  it('never is for a pin, a done callback or an unreadable time', () => {
    for (const r of [row('a', { due: null }), row('a', { due: at(-HOUR), done: true }), row('a', { due: 'soon' })]) {
      expect(isDue(r, now)).toBe(false);
      expect(isOverdue(r, now)).toBe(false);
    }
  });
});

describe('boardAt', () => {
  it('moves the callbacks whose time came since the board was read into due, oldest first', () => {
    const old = row('old', { due: at(-HOUR) });
    const came = row('came', { due: at(-5 * MINUTE) });
    const soon = row('soon', { due: at(-MINUTE) });
    const later = row('later', { due: at(HOUR) });
    const moved = boardAt(board({ due: [old], upcoming: [came, soon, later] }), now);
    expect(moved.due.map((r) => r.id)).toEqual(['old', 'came', 'soon']);
    expect(moved.upcoming.map((r) => r.id)).toEqual(['later']);
  });
  it('keeps the board itself when none came', () => {
    const b = board({ due: [row('a')], upcoming: [row('b', { due: at(MINUTE) })] });
    expect(boardAt(b, now)).toBe(b);
    expect(boardAt(b, now + MINUTE).due.map((r) => r.id)).toEqual(['a', 'b']);
  });
  it('counts the due ones as the clock moves', () => {
    const b = board({ due: [row('a')], upcoming: [row('b', { due: at(MINUTE) }), row('c', { due: at(HOUR) })] });
    expect(dueCount(null, now)).toBe(0);
    expect(dueCount(b, now)).toBe(1);
    expect(dueCount(b, now + MINUTE)).toBe(2);
    expect(dueCount(b, now + HOUR)).toBe(3);
  });
});

describe('texts', () => {
  it('labels the top bar button with the number due', () => {
    expect(callbacksButtonLabel(0)).toBe('Callbacks');
    expect(callbacksButtonLabel(2)).toBe('Callbacks (2)');
    expect(callbacksButtonLabel(1200)).toBe('Callbacks (1,200)');
  });
  it('names the lead, or says it is gone', () => {
    expect(rowName(row('a'))).toBe('Rosa Diaz');
    expect(rowName(row('a', { leadName: ' ' }))).toBe('Lead not on this computer');
  });
  it('trims the note', () => {
    expect(rowNote(row('a', { note: '  quote  ' }))).toBe('quote');
    expect(rowNote(row('a', { note: '  ' }))).toBeNull();
    expect(rowNote(row('a'))).toBeNull();
  });
  it("says when it is due in the lead's time, else in this computer's", () => {
    expect(dueText(row('a', { dueThere: 'Tue 9:00 AM CST' }))).toBe('Tue 9:00 AM CST');
    expect(dueText(row('a', { dueThere: null }))).toBe(formatAbsolute(new Date(now)));
    expect(dueText(row('a', { due: null }))).toBe('—');
    expect(dueTitle(row('a'))).toMatch(/^Your time: /);
    expect(dueTitle(row('a', { due: null }))).toBeUndefined();
  });
  it('says how the due time stands', () => {
    expect(relativeDue(row('a', { due: at(25 * MINUTE) }), now)).toBe('in 25 min');
    expect(relativeDue(row('a', { due: at(10_000) }), now)).toBe('in 1 min');
    expect(relativeDue(row('a', { due: at(3 * HOUR + 5 * MINUTE) }), now)).toBe('in 3 h');
    expect(relativeDue(row('a', { due: at(50 * HOUR) }), now)).toBe('in 2 d');
    expect(relativeDue(row('a', { due: at(-30_000) }), now)).toBe('due now');
    expect(relativeDue(row('a', { due: at(-12 * MINUTE) }), now)).toBe('overdue by 12 min');
    expect(relativeDue(row('a', { due: at(-2 * HOUR) }), now)).toBe('overdue by 2 h');
    expect(relativeDue(row('a', { due: null }), now)).toBe('');
    expect(relativeDue(row('a', { done: true }), now)).toBe('');
  });
  it('tells the due callback in the banner', () => {
    expect(dueBannerText(row('a', { note: 'ask about the quote' }))).toBe('Callback due: Rosa Diaz — ask about the quote');
    expect(dueBannerText(row('a'))).toBe('Callback due: Rosa Diaz');
    expect(dueBannerText(row('a', { leadName: '' }))).toBe('Callback due: a lead');
  });
});

describe('presets', () => {
  const preset = (when: string | null): PresetOption => ({ value: 'this-afternoon', label: 'This afternoon', when });
  it('offers a preset until its time has passed', () => {
    expect(presetAvailable(preset('Tue 2:00 PM CST'))).toBe(true);
    expect(presetWhen(preset('Tue 2:00 PM CST'))).toBe('Tue 2:00 PM CST');
    expect(presetAvailable(preset(null))).toBe(false);
    expect(presetAvailable(preset(''))).toBe(false);
    expect(presetWhen(preset(null))).toBe('passed for today');
  });
});

describe('localAt', () => {
  it('takes a datetime-local value to the minute', () => {
    expect(localAt('2026-12-08T09:30')).toBe('2026-12-08T09:30');
    expect(localAt(' 2026-12-08T09:30:45 ')).toBe('2026-12-08T09:30');
    expect(localAt('2026-12-08T09:30:45.120')).toBe('2026-12-08T09:30');
  });
  it('refuses nothing and what is not a date and time', () => {
    expect(localAt('')).toBeNull();
    expect(localAt(null)).toBeNull();
    expect(localAt('2026-12-08')).toBeNull();
    expect(localAt('tomorrow 9am')).toBeNull();
    expect(localAt('2026-02-30T09:30')).toBeNull();
    expect(localAt('2026-12-08T25:30')).toBeNull();
  });
  it("writes a time as this computer's datetime-local value", () => {
    const local = new Date(2026, 0, 5, 7, 4, 59).getTime();
    expect(localInputValue(local)).toBe('2026-01-05T07:04');
    expect(localAt(localInputValue(now))).toBe(localInputValue(now));
  });
});

describe('isPinned', () => {
  it('finds the lead among the pinned', () => {
    const b = board({ pinned: [row('p', { due: null, leadId: 'lead-7' })], due: [row('a', { leadId: 'lead-8' })] });
    expect(isPinned(b, 'lead-7')).toBe(true);
    expect(isPinned(b, 'lead-8')).toBe(false);
    expect(isPinned(null, 'lead-7')).toBe(false);
  });
});

describe('BoardRequests', () => {
  it('shows an answer unless a later one is shown', () => {
    const requests = new BoardRequests();
    const first = requests.ask();
    const second = requests.ask();
    expect(requests.asked).toBe(2);
    expect(requests.answer(second)).toBe(true);
    expect(requests.answer(first)).toBe(false);
    const third = requests.ask();
    expect(requests.answer(third)).toBe(true);
  });
  it('drops the answers to requests asked before forgetting', () => {
    const requests = new BoardRequests();
    const before = requests.ask();
    requests.forget();
    expect(requests.answer(before)).toBe(false);
    expect(requests.answer(requests.ask())).toBe(true);
  });
});

/** A promise and how to settle it. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const settled = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('boardStore', () => {
  function setup() {
    const fetches: ReturnType<typeof deferred<FollowUpBoard>>[] = [];
    let poke: (() => void) | null = null;
    let stops = 0;
    const store = boardStore(
      () => {
        const d = deferred<FollowUpBoard>();
        fetches.push(d);
        return d.promise;
      },
      (refresh) => {
        poke = refresh;
        return () => {
          poke = null;
          stops++;
        };
      },
    );
    return { store, fetches, poke: () => poke?.(), stops: () => stops };
  }

  it('reads the board with its first subscriber, and when told it is stale', async () => {
    const { store, fetches, poke } = setup();
    expect(fetches).toHaveLength(0);
    const stop = store.subscribe(() => {});
    expect(fetches).toHaveLength(1);
    expect(get(store)).toBeNull();
    fetches[0].resolve(board({ due: [row('a')] }));
    await settled();
    expect(get(store)?.board.due.map((r) => r.id)).toEqual(['a']);
    poke();
    expect(fetches).toHaveLength(2);
    stop();
  });

  it('never shows an older board over a newer one', async () => {
    const { store, fetches } = setup();
    const stop = store.subscribe(() => {});
    void store.refresh();
    fetches[1].resolve(board({ due: [row('new')] }));
    await settled();
    fetches[0].resolve(board({ due: [row('old')] }));
    await settled();
    expect(get(store)?.board.due.map((r) => r.id)).toEqual(['new']);
    expect(get(store)?.request).toBe(2);
    stop();
  });

  it("shows a change's answer, and rejects as the change does", async () => {
    const { store, fetches } = setup();
    const stop = store.subscribe(() => {});
    const done = board({ done: [row('a', { done: true })] });
    await expect(store.change(() => Promise.resolve(done))).resolves.toBe(done);
    expect(get(store)?.board).toBe(done);
    // The first read, answered after the change was asked, is older: dropped.
    fetches[0].resolve(board({ due: [row('a')] }));
    await settled();
    expect(get(store)?.board).toBe(done);
    const failure = { code: 'invalid_input', message: 'no callback' };
    await expect(store.change(() => Promise.reject(failure))).rejects.toBe(failure);
    expect(get(store)?.board).toBe(done);
    stop();
  });

  it('answers null for a read that failed or a board it cannot use, and keeps the last one', async () => {
    const { store, fetches } = setup();
    const stop = store.subscribe(() => {});
    fetches[0].resolve(board({ due: [row('a')] }));
    await settled();
    const failed = store.refresh();
    fetches[1].reject({ code: 'network', message: 'down' });
    await expect(failed).resolves.toBeNull();
    const odd = store.refresh();
    fetches[2].resolve({ due: 'what' } as unknown as FollowUpBoard);
    await expect(odd).resolves.toBeNull();
    expect(get(store)?.board.due.map((r) => r.id)).toEqual(['a']);
    stop();
  });

  it('starts afresh after its last subscriber left, dropping what was asked before', async () => {
    const { store, fetches, stops } = setup();
    const stop = store.subscribe(() => {});
    fetches[0].resolve(board({ due: [row('a')] }));
    await settled();
    void store.refresh(); // in flight when signing out
    stop();
    expect(stops()).toBe(1);
    expect(get(store)).toBeNull(); // `get` subscribes: a new start, a third read
    const again = store.subscribe(() => {});
    fetches[1].resolve(board({ due: [row('someone else')] }));
    await settled();
    expect(get(store)).toBeNull();
    fetches[fetches.length - 1].resolve(board({ upcoming: [row('b', { due: at(HOUR) })] }));
    await settled();
    expect(get(store)?.board.upcoming.map((r) => r.id)).toEqual(['b']);
    again();
  });

  it('tells the last request asked', () => {
    const { store } = setup();
    expect(store.asked()).toBe(0);
    const stop = store.subscribe(() => {});
    void store.refresh();
    expect(store.asked()).toBe(2);
    stop();
  });
});

describe('the due queue', () => {
  const a = row('a', { due: at(-MINUTE), note: 'quote' });
  const b = row('b', { due: at(0) });

  it('keeps each callback once, in the order they came due', () => {
    let queue: readonly DueEntry[] = [];
    queue = queueDue(queue, a, 1);
    queue = queueDue(queue, b, 1);
    expect(queue.map((e) => e.row.id)).toEqual(['a', 'b']);
    const again = { ...a, due: at(0) };
    queue = queueDue(queue, again, 3);
    expect(queue.map((e) => e.row.id)).toEqual(['a', 'b']);
    expect(queue[0]).toEqual({ row: again, after: 3 });
    expect(dropDue(queue, 'a').map((e) => e.row.id)).toEqual(['b']);
    expect(dropDue(queue, 'zz')).toHaveLength(2);
  });

  it('lets go of callbacks done, put off, or gone from a board asked after they came due', () => {
    const queue = [queueDue([], a, 2)[0], { row: b, after: 2 }];
    // Done elsewhere.
    expect(pruneDue(queue, { board: board({ due: [b], done: [{ ...a, done: true }] }), request: 3 }, now).map((e) => e.row.id)).toEqual(['b']);
    // Snoozed from the notification: due later.
    expect(pruneDue(queue, { board: board({ due: [b], upcoming: [{ ...a, due: at(10 * MINUTE) }] }), request: 3 }, now).map((e) => e.row.id)).toEqual(['b']);
    // Removed: gone from a board asked after it came due…
    expect(pruneDue(queue, { board: board({ due: [b] }), request: 3 }, now).map((e) => e.row.id)).toEqual(['b']);
    // …but not from one asked before, which may not know of it yet.
    expect(pruneDue(queue, { board: board({ due: [b] }), request: 2 }, now)).toBe(queue);
  });

  it('keeps callbacks still due, with their rows as the board has them', () => {
    const queue: readonly DueEntry[] = [{ row: a, after: 1 }];
    const same = pruneDue(queue, { board: board({ due: [{ ...a }] }), request: 5 }, now);
    expect(same).toBe(queue);
    // An older board that still has it upcoming, at the time it came due.
    expect(pruneDue(queue, { board: board({ upcoming: [{ ...a }] }), request: 1 }, now)).toBe(queue);
    const renamed = pruneDue(queue, { board: board({ due: [{ ...a, leadName: 'Rosa Díaz' }] }), request: 5 }, now);
    expect(renamed).not.toBe(queue);
    expect(renamed[0].row.leadName).toBe('Rosa Díaz');
    expect(renamed[0].after).toBe(1);
  });
});
