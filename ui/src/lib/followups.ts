// Callbacks and pinned leads: what the Callbacks view, the follow-up strip, the lead's Callback
// section and the due banner say, when a callback counts as due, and the board's answers in the
// order they were asked.
import { writable, type Readable } from 'svelte/store';
import type { FollowUpBoard, FollowUpRow, PresetOption } from './bindings';
import { EMPTY, formatAbsolute, formatCount, formatSpan, parseTimestamp, receivedTooltip } from './format';
import { isObject } from './live';

const MINUTE = 60_000;

/** A due callback is overdue once it is due more than this long ago. */
export const OVERDUE_AFTER_MS = MINUTE;
/** The board is read again at least this often: callbacks come due, names change. */
export const BOARD_REFRESH_MS = MINUTE;
/** What Snooze puts a callback off by (the engine's SNOOZE_MINUTES). */
export const SNOOZE_LABEL = 'Snooze 10 min';
/** Said in the Callbacks view against a server that keeps no callbacks. */
export const LOCAL_ONLY_TEXT = 'Kept on this computer only: this server does not keep callbacks.';

export const NO_BOARD: FollowUpBoard = { due: [], upcoming: [], done: [], pinned: [], synced: true };

function isRow(value: unknown): value is FollowUpRow {
  return isObject(value) && typeof value.id === 'string' && typeof value.leadId === 'string';
}

/** A board as the engine answers it (anything else is ignored). */
export function isBoard(value: unknown): value is FollowUpBoard {
  if (!isObject(value) || typeof value.synced !== 'boolean') return false;
  return (['due', 'upcoming', 'done', 'pinned'] as const).every((key) => {
    const rows = value[key];
    return Array.isArray(rows) && rows.every(isRow);
  });
}

/** When the callback is due (ms), null for a pin or an unreadable time. */
export function dueAt(row: FollowUpRow): number | null {
  return parseTimestamp(row.due)?.getTime() ?? null;
}

/** An open callback whose time has come. */
export function isDue(row: FollowUpRow, now: number): boolean {
  const at = dueAt(row);
  return !row.done && at !== null && at <= now;
}

/** Due more than a minute ago, and not done. */
export function isOverdue(row: FollowUpRow, now: number): boolean {
  const at = dueAt(row);
  return !row.done && at !== null && now - at > OVERDUE_AFTER_MS;
}

const byDue = (a: FollowUpRow, b: FollowUpRow) => (dueAt(a) ?? Infinity) - (dueAt(b) ?? Infinity);

/**
 * The board as it stands at `now`: upcoming callbacks whose time came since it was read are
 * due (oldest first). The same board when none came.
 */
export function boardAt(board: FollowUpBoard, now: number): FollowUpBoard {
  const came = board.upcoming.filter((row) => isDue(row, now));
  if (came.length === 0) return board;
  return {
    ...board,
    due: [...board.due, ...came].sort(byDue),
    upcoming: board.upcoming.filter((row) => !came.includes(row)),
  };
}

/** How many callbacks are due at `now` (0 before the board is known). */
export function dueCount(board: FollowUpBoard | null, now: number): number {
  return board === null ? 0 : boardAt(board, now).due.length;
}

/** The top bar's button: "Callbacks", or "Callbacks (2)" while some are due. */
export function callbacksButtonLabel(due: number): string {
  return due > 0 ? `Callbacks (${formatCount(due)})` : 'Callbacks';
}

/** The lead's name, or what to say when the lead is no longer on this computer. */
export function rowName(row: FollowUpRow): string {
  return row.leadName?.trim() || 'Lead not on this computer';
}

/** The note, trimmed; null when there is none. */
export function rowNote(row: FollowUpRow): string | null {
  return row.note?.trim() || null;
}

/** When it is due: in the lead's own time ("Tue 9:00 AM CST"), else this computer's; "—" for none. */
export function dueText(row: FollowUpRow): string {
  const there = row.dueThere?.trim();
  if (there) return there;
  const date = parseTimestamp(row.due);
  return date === null ? EMPTY : formatAbsolute(date);
}

/** The tooltip of a due time: this computer's full date and time. */
export function dueTitle(row: FollowUpRow): string | undefined {
  const full = receivedTooltip(row.due);
  return full === undefined ? undefined : `Your time: ${full}`;
}

/** A span, coarsely: "5 min", "3 h", "2 d" (at least a minute). */
function span(ms: number): string {
  return formatSpan(Math.max(MINUTE, ms));
}

/**
 * How the due time stands at `now`: "in 25 min", "due now" (within the minute it came due),
 * "overdue by 12 min"; '' for a pin, a done callback or an unreadable time.
 */
export function relativeDue(row: FollowUpRow, now: number): string {
  const at = dueAt(row);
  if (at === null || row.done) return '';
  if (at > now) return `in ${span(at - now)}`;
  return isOverdue(row, now) ? `overdue by ${span(now - at)}` : 'due now';
}

/** The in-app banner: "Callback due: Rosa Diaz — ask about the quote". */
export function dueBannerText(row: FollowUpRow): string {
  const name = row.leadName?.trim() || 'a lead';
  const note = rowNote(row);
  return note === null ? `Callback due: ${name}` : `Callback due: ${name} — ${note}`;
}

/** A preset can be chosen while its time has not passed. */
export function presetAvailable(option: PresetOption): boolean {
  return typeof option.when === 'string' && option.when.trim() !== '';
}

/** What a preset button says under its label: when it falls, or that it passed. */
export function presetWhen(option: PresetOption): string {
  return presetAvailable(option) ? (option.when as string).trim() : 'passed for today';
}

const LOCAL_INPUT = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2})(:\d{2}(\.\d+)?)?$/;

/**
 * A datetime-local input's value as `scheduleCallback` takes it ("2026-12-08T09:30", seconds
 * dropped); null when it is empty or not a date and time.
 */
export function localAt(value: string | null | undefined): string | null {
  const match = LOCAL_INPUT.exec(value?.trim() ?? '');
  if (match === null) return null;
  const minute = match[1];
  // A date that does not exist (Feb 30) is not one.
  const date = new Date(minute);
  if (Number.isNaN(date.getTime())) return null;
  const [day, time] = minute.split('T');
  const [y, m, d] = day.split('-').map(Number);
  if (date.getFullYear() !== y || date.getMonth() + 1 !== m || date.getDate() !== d) return null;
  return `${day}T${time}`;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** `now` as a datetime-local value in this computer's time ("2026-12-08T09:30"). */
export function localInputValue(now: number): string {
  const date = new Date(now);
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** Whether lead `leadId` is in the follow-up strip. */
export function isPinned(board: FollowUpBoard | null, leadId: string): boolean {
  return board?.pinned.some((row) => row.leadId === leadId) ?? false;
}

// --- The board's answers, in the order asked ----------------------------------------------------

/**
 * Numbers the board's requests (reads and changes alike, each answering the board): an answer
 * is shown unless one to a later request already is, so an older board never replaces a newer.
 */
export class BoardRequests {
  #asked = 0;
  #shown = 0;

  /** Numbers a request about to be sent. */
  ask(): number {
    return ++this.#asked;
  }

  /** Whether the answer to request `n` is shown (no later one is); when it is, it counts as shown. */
  answer(n: number): boolean {
    if (n <= this.#shown) return false;
    this.#shown = n;
    return true;
  }

  /** The last request asked (0 before any). */
  get asked(): number {
    return this.#asked;
  }

  /** Answers to every request asked so far are dropped (signed out: they are another session's). */
  forget(): void {
    this.#shown = this.#asked;
  }
}

/** A board and the request it answered (later requests have larger numbers). */
export interface HeardBoard {
  board: FollowUpBoard;
  request: number;
}

/** The board, in one place for every view that shows it; null until read. */
export interface BoardStore extends Readable<HeardBoard | null> {
  /** Reads the board again: what was read (shown unless a later answer is), or null when it could not be. */
  refresh(): Promise<HeardBoard | null>;
  /** Sends a change that answers the board, and shows that board; rejects as the change does. */
  change(send: () => Promise<FollowUpBoard>): Promise<FollowUpBoard>;
  /** The last request asked (0 before any). */
  asked(): number;
}

/**
 * A store of the board: read with its first subscriber (after each sign-in) and whenever
 * `stale` says so (it is told how, and stops with the last subscriber); every answer is shown
 * in the order its request was asked, and none asked before the last subscriber left.
 */
export function boardStore(fetch: () => Promise<FollowUpBoard>, stale: (refresh: () => void) => () => void): BoardStore {
  const requests = new BoardRequests();
  const store = writable<HeardBoard | null>(null, (set) => {
    set(null);
    const stop = stale(() => void refresh());
    void refresh();
    return () => {
      stop();
      requests.forget();
      set(null);
    };
  });

  async function answered(send: () => Promise<FollowUpBoard>): Promise<HeardBoard> {
    const request = requests.ask();
    const board = await send();
    const heard = { board, request };
    if (isBoard(board) && requests.answer(request)) store.set(heard);
    return heard;
  }

  function refresh(): Promise<HeardBoard | null> {
    return answered(fetch).then(
      (heard) => (isBoard(heard.board) ? heard : null),
      () => null,
    );
  }

  return {
    subscribe: store.subscribe,
    refresh,
    change: (send) => answered(send).then((heard) => heard.board),
    asked: () => requests.asked,
  };
}

// --- The due banner: each callback that came due, until dealt with ------------------------------

export interface DueEntry {
  row: FollowUpRow;
  /** The last board request asked before it came due: a board answering a later one knows of it. */
  after: number;
}

/** The queue with `row` at its end, or in place when it is already there (due again after a snooze). */
export function queueDue(queue: readonly DueEntry[], row: FollowUpRow, after: number): DueEntry[] {
  const entry = { row, after };
  return queue.some((e) => e.row.id === row.id) ? queue.map((e) => (e.row.id === row.id ? entry : e)) : [...queue, entry];
}

/** The queue without callback `id`. */
export function dropDue(queue: readonly DueEntry[], id: string): DueEntry[] {
  return queue.filter((e) => e.row.id !== id);
}

const sameRow = (a: FollowUpRow, b: FollowUpRow) =>
  a.leadName === b.leadName && a.due === b.due && a.dueThere === b.dueThere && a.note === b.note && a.done === b.done;

/**
 * The queue after the board `heard`, at `now`: callbacks done, put off (to a time not come
 * yet), or gone (from a board asked after they came due) leave it; the others take the board's
 * row (a name or note changed). The same queue when nothing changed.
 */
export function pruneDue(queue: readonly DueEntry[], heard: HeardBoard, now: number): readonly DueEntry[] {
  const { board, request } = heard;
  const rows = new Map<string, FollowUpRow>();
  for (const row of [...board.due, ...board.upcoming, ...board.done]) rows.set(row.id, row);
  let changed = false;
  const next: DueEntry[] = [];
  for (const entry of queue) {
    const row = rows.get(entry.row.id);
    const gone = row === undefined ? request > entry.after : row.done || (row.due !== entry.row.due && !isDue(row, now));
    if (gone) {
      changed = true;
    } else if (row === undefined || sameRow(row, entry.row)) {
      next.push(entry);
    } else {
      changed = true;
      next.push({ ...entry, row });
    }
  }
  return changed ? next : queue;
}
