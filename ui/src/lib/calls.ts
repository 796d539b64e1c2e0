// Calls: what the Call button and a row say of a lead's calls, the outcome keys, and when the app
// asks how a call went (on coming back from the phone app, or at start for a call left untold).
import type { CallEntry, CallPanel, CallSummary, OutcomeOption, PlacedCall } from './bindings';
import { ago, formatAbsolute, formatCount, isJustNow, parseTimestamp, pluralize } from './format';
import type { FocusKind, KeyPress } from './keys';
import { editStatusLabel } from './sync';

/** A lead never called. */
export const NO_CALLS: CallSummary = { count: 0, lastAt: null, lastOutcome: null, doNotCall: false };

/** The lead's phone is on the agency's do-not-call list: no Call (nor Text) button. */
export function isDoNotCall(summary: CallSummary | null | undefined): boolean {
  return summary?.doNotCall === true;
}

/** What the detail says instead of the Call button for a phone on the list; null when it is not. */
export function doNotCallText(panel: CallPanel | null | undefined): string | null {
  if (!isDoNotCall(panel?.summary) && !panel?.doNotCall?.trim()) return null;
  return panel?.doNotCall?.trim() || 'On the do-not-call list';
}

/** What the Call button does, by the lead's calls read just before calling (a caution read earlier goes stale: the hours move on). */
export type CallGate =
  /** The phone went on the do-not-call list meanwhile: no call; `text` says so. */
  | { kind: 'doNotCall'; text: string }
  /** Said first, and the rep confirms (outside the lead's hours…). */
  | { kind: 'confirm'; caution: string }
  | { kind: 'call' };

export function callGate(panel: CallPanel | null | undefined): CallGate {
  const dnc = doNotCallText(panel);
  if (dnc !== null) return { kind: 'doNotCall', text: dnc };
  const caution = panel?.caution?.trim() ?? '';
  return caution === '' ? { kind: 'call' } : { kind: 'confirm', caution };
}

/** The caution when the lead could not be read again before calling: the rep decides. */
export function uncheckedCaution(message: string): string {
  return `Could not check this lead's calling hours and the do-not-call list just now (${message}). Call anyway?`;
}

/**
 * How long ago the last call was, as "2 h ago" (`ago`), or "just now" under a minute as the
 * Received column says (the list refreshes its times every few seconds, not every second); null
 * when the time is unknown.
 */
export function lastCallAgo(lastAt: string | null | undefined, now: number): string | null {
  const date = parseTimestamp(lastAt);
  if (date === null) return null;
  return isJustNow(now - date.getTime()) ? 'just now' : ago(date, new Date(now));
}

function countOf(summary: CallSummary | null | undefined): number {
  const count = summary?.count;
  return typeof count === 'number' && Number.isFinite(count) && count > 0 ? Math.floor(count) : 0;
}

/** The Call button: "Call", "Call (3)" (no time known), "Call (2) · last 2 h ago". */
export function callButtonLabel(summary: CallSummary | null | undefined, now: number): string {
  const count = countOf(summary);
  if (count === 0) return 'Call';
  const last = lastCallAgo(summary?.lastAt, now);
  return last === null ? `Call (${formatCount(count)})` : `Call (${formatCount(count)}) · last ${last}`;
}

/** A row's calls in short: "2 · 2 h ago", "3"; '' for a lead never called. */
export function callCountText(summary: CallSummary | null | undefined, now: number): string {
  const count = countOf(summary);
  if (count === 0) return '';
  const last = lastCallAgo(summary?.lastAt, now);
  return last === null ? formatCount(count) : `${formatCount(count)} · ${last}`;
}

/**
 * The row's tooltip: "2 calls, the last Mar 4, 2025, 3:07 PM: No answer", with "On the
 * do-not-call list" first for a phone on it; undefined when there is nothing to say.
 */
export function callCountTitle(summary: CallSummary | null | undefined): string | undefined {
  const count = countOf(summary);
  const dnc = isDoNotCall(summary) ? 'On the do-not-call list' : null;
  if (count === 0) return dnc ?? undefined;
  const date = parseTimestamp(summary?.lastAt);
  const outcome = summary?.lastOutcome?.trim() || null;
  let text = pluralize(count, 'call');
  if (date !== null) text += `, the last ${formatAbsolute(date)}`;
  else if (outcome !== null) text += ', the last';
  if (outcome !== null) text += `: ${outcome}`;
  return dnc === null ? text : `${dnc}. ${text}`;
}

/**
 * The outcome a key press picks in the outcome prompt: its key, with no Ctrl, Cmd or Alt, and
 * not while typing the note. null for any other key.
 */
export function outcomeForKey(outcomes: readonly OutcomeOption[], press: KeyPress, focus: FocusKind): OutcomeOption | null {
  if (focus === 'field' || press.ctrlKey || press.metaKey || press.altKey) return null;
  if (press.key.length !== 1) return null;
  const key = press.key.toLowerCase();
  return outcomes.find((o) => typeof o.key === 'string' && o.key.length > 0 && o.key.toLowerCase() === key) ?? null;
}

/** The outcome prompt takes no outcome key this soon after it opens (it opens by itself, as the window gets the focus). */
export const OUTCOME_KEYS_AFTER_MS = 600;

/** The outcome that puts the phone on the agency's do-not-call list. */
export const DO_NOT_CALL = 'dnc';

/** An outcome asked twice before it is kept: a second click confirms it. */
export function confirmsFirst(outcome: Pick<OutcomeOption, 'value'>): boolean {
  return outcome.value === DO_NOT_CALL;
}

/** What picking an outcome does: tells it, or arms one that confirms first (shown as "Confirm: …"). */
export type OutcomePick = { kind: 'tell'; outcome: OutcomeOption } | { kind: 'arm'; outcome: OutcomeOption };

/** A click on `outcome` when `armed` (an outcome's value, or null) is waiting for its confirmation. */
export function outcomeClick(outcome: OutcomeOption, armed: string | null): OutcomePick {
  return confirmsFirst(outcome) && armed !== outcome.value ? { kind: 'arm', outcome } : { kind: 'tell', outcome };
}

/**
 * What a key press does in the outcome prompt, open for `openFor` ms: nothing in the first
 * OUTCOME_KEYS_AFTER_MS (a stray key as it opens), and a key never tells an outcome that
 * confirms first: it only arms it, whose button then asks for the click.
 */
export function outcomeKeyPick(
  outcomes: readonly OutcomeOption[],
  press: KeyPress,
  focus: FocusKind,
  openFor: number,
): OutcomePick | null {
  if (!(openFor >= OUTCOME_KEYS_AFTER_MS)) return null;
  const outcome = outcomeForKey(outcomes, press, focus);
  if (outcome === null) return null;
  return confirmsFirst(outcome) ? { kind: 'arm', outcome } : { kind: 'tell', outcome };
}

/** The label of an outcome's button: "Confirm: do not call" while armed. */
export function outcomeButtonLabel(outcome: OutcomeOption, armed: string | null): string {
  return armed === outcome.value ? `Confirm: ${outcome.label.toLowerCase()}` : outcome.label;
}

/** A call of the lead's list, as the prompt asks about it. */
export function entryCall(leadId: string, leadName: string, entry: CallEntry): PlacedCall {
  return { callId: entry.id, leadId, leadName, at: entry.at };
}

/** What a call in the lead's list says of its outcome. */
export function entryOutcomeText(entry: CallEntry): string {
  return entry.outcome?.trim() || 'no outcome yet';
}

/** The badge of a call not (yet) on the server: "Not sent yet", "Refused"; null once synced. */
export function callStatusBadge(status: string): string | null {
  return status === 'pending' || status === 'failed' ? editStatusLabel(status) : null;
}

/** The note as told: trimmed, null when empty. */
export function noteToTell(note: string): string | null {
  const text = note.trim();
  return text === '' ? null : text;
}

// --- When to ask how a call went --------------------------------------------------------------

export interface CallPrompt {
  /** The call asked about, or the one placed whose outcome will be asked on coming back. */
  call: PlacedCall | null;
  /** The prompt shows now. */
  open: boolean;
  /** A call was placed: the rep is at the phone, and is asked when back at the window. */
  waiting: boolean;
  /** Calls put off with "Later" this session: not asked by themselves again. */
  later: readonly string[];
}

export const NO_PROMPT: CallPrompt = { call: null, open: false, waiting: false, later: [] };

export type PromptEvent =
  /** The rep pressed Call and the attempt was recorded; the phone app takes over. */
  | { kind: 'placed'; call: PlacedCall }
  /** The window got the focus again, or became visible. */
  | { kind: 'back' }
  /** The first call desk after signing in: the call still waiting for its outcome, if any. */
  | { kind: 'start'; awaiting: PlacedCall | null }
  /** The rep asked to tell this call's outcome (the lead's list of calls). */
  | { kind: 'ask'; call: PlacedCall }
  /** "Later" (or Escape) on the prompt of call `callId`: hidden for now. */
  | { kind: 'later'; callId: string }
  /** The outcome of call `callId` was kept. */
  | { kind: 'told'; callId: string };

/** The prompt after `event`. */
export function promptAfter(state: CallPrompt, event: PromptEvent): CallPrompt {
  switch (event.kind) {
    case 'placed':
      return { ...state, call: event.call, open: false, waiting: true };
    case 'back':
      return state.waiting && state.call !== null ? { ...state, open: true, waiting: false } : state;
    case 'start': {
      const call = event.awaiting;
      if (call === null || state.open || state.waiting || state.later.includes(call.callId)) return state;
      return { ...state, call, open: true };
    }
    case 'ask':
      return { ...state, call: event.call, open: true, waiting: false };
    case 'later': {
      if (state.call?.callId !== event.callId) return state;
      const later = state.later.includes(event.callId) ? state.later : [...state.later, event.callId];
      return { ...state, call: null, open: false, waiting: false, later };
    }
    case 'told': {
      const later = state.later.filter((id) => id !== event.callId);
      if (state.call?.callId !== event.callId) return { ...state, later };
      return { ...state, call: null, open: false, waiting: false, later };
    }
  }
}
