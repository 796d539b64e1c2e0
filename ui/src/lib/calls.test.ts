import { describe, expect, it } from 'vitest';
import type { CallEntry, CallPanel, CallSummary, OutcomeOption, PlacedCall } from './bindings';
import {
  NO_CALLS,
  NO_PROMPT,
  OUTCOME_KEYS_AFTER_MS,
  callButtonLabel,
  callGate,
  callCountText,
  callCountTitle,
  callStatusBadge,
  doNotCallText,
  entryCall,
  entryOutcomeText,
  isDoNotCall,
  lastCallAgo,
  noteToTell,
  outcomeButtonLabel,
  outcomeClick,
  outcomeForKey,
  outcomeKeyPick,
  promptAfter,
  uncheckedCaution,
  type CallPrompt,
  type PromptEvent,
} from './calls';
import { formatAbsolute } from './format';

const now = Date.parse('2025-03-04T15:00:00Z');
const before = (ms: number) => new Date(now - ms).toISOString();
const HOUR = 3_600_000;

describe('lastCallAgo', () => {
  it('says how long ago, "just now" under a minute or slightly ahead', () => {
    expect(lastCallAgo(before(0), now)).toBe('just now');
    expect(lastCallAgo(before(59_000), now)).toBe('just now');
    expect(lastCallAgo(before(-30_000), now)).toBe('just now');
    expect(lastCallAgo(before(60_000), now)).toBe('1 min ago');
    expect(lastCallAgo(before(2 * HOUR + 5 * 60_000), now)).toBe('2 h ago');
    expect(lastCallAgo(before(3 * 24 * HOUR), now)).toBe('3 d ago');
  });
  it('knows nothing of a missing or unreadable time', () => {
    expect(lastCallAgo(null, now)).toBeNull();
    expect(lastCallAgo('', now)).toBeNull();
    expect(lastCallAgo('yesterday', now)).toBeNull();
  });
});

describe('callButtonLabel', () => {
  it('is plain "Call" for a lead never called', () => {
    expect(callButtonLabel(NO_CALLS, now)).toBe('Call');
    expect(callButtonLabel(null, now)).toBe('Call');
    expect(callButtonLabel({ count: 0, lastAt: before(HOUR), lastOutcome: null, doNotCall: false }, now)).toBe('Call');
  });
  it('counts the calls and says when the last was', () => {
    expect(callButtonLabel({ count: 2, lastAt: before(2 * HOUR), lastOutcome: 'No answer', doNotCall: false }, now)).toBe('Call (2) · last 2 h ago');
    expect(callButtonLabel({ count: 1, lastAt: before(5 * 60_000), lastOutcome: null, doNotCall: false }, now)).toBe('Call (1) · last 5 min ago');
    expect(callButtonLabel({ count: 1200, lastAt: before(0), lastOutcome: null, doNotCall: false }, now)).toBe('Call (1,200) · last just now');
  });
  it('counts alone when the time is not known (the deployed server keeps none)', () => {
    expect(callButtonLabel({ count: 3, lastAt: null, lastOutcome: 'Talked', doNotCall: false }, now)).toBe('Call (3)');
  });
  it('follows the ticker', () => {
    const summary = { count: 1, lastAt: before(59 * 60_000), lastOutcome: null, doNotCall: false };
    expect(callButtonLabel(summary, now)).toBe('Call (1) · last 59 min ago');
    expect(callButtonLabel(summary, now + 60_000)).toBe('Call (1) · last 1 h ago');
  });
});

describe('callCountText and callCountTitle', () => {
  it('say nothing for a lead never called', () => {
    expect(callCountText(NO_CALLS, now)).toBe('');
    expect(callCountText(undefined, now)).toBe('');
    expect(callCountTitle(NO_CALLS)).toBeUndefined();
  });
  it('give the count, and the time when known', () => {
    expect(callCountText({ count: 2, lastAt: before(2 * HOUR), lastOutcome: null, doNotCall: false }, now)).toBe('2 · 2 h ago');
    expect(callCountText({ count: 3, lastAt: null, lastOutcome: null, doNotCall: false }, now)).toBe('3');
  });
  it('spell the last call out in the tooltip', () => {
    const at = before(2 * HOUR);
    expect(callCountTitle({ count: 2, lastAt: at, lastOutcome: 'Voicemail', doNotCall: false })).toBe(
      `2 calls, the last ${formatAbsolute(new Date(at))}: Voicemail`,
    );
    expect(callCountTitle({ count: 1, lastAt: null, lastOutcome: null, doNotCall: false })).toBe('1 call');
    expect(callCountTitle({ count: 3, lastAt: null, lastOutcome: 'Talked', doNotCall: false })).toBe('3 calls, the last: Talked');
  });
});

describe('do not call', () => {
  const dnc: CallSummary = { count: 2, lastAt: null, lastOutcome: 'Do not call', doNotCall: true };
  const panel = (summary = dnc, doNotCall: string | null = null): CallPanel => ({ summary, doNotCall, caution: null, recent: [] });

  it('marks a phone on the list', () => {
    expect(isDoNotCall(dnc)).toBe(true);
    expect(isDoNotCall(NO_CALLS)).toBe(false);
    expect(isDoNotCall(undefined)).toBe(false);
  });
  it('says who put it there when the engine says', () => {
    expect(doNotCallText(panel(dnc, 'On the do-not-call list since Mar 4, 2025 (Ann Lee)'))).toBe(
      'On the do-not-call list since Mar 4, 2025 (Ann Lee)',
    );
    expect(doNotCallText(panel())).toBe('On the do-not-call list');
    expect(doNotCallText(panel(NO_CALLS))).toBeNull();
    expect(doNotCallText(null)).toBeNull();
  });
  it('puts it first in the row tooltip, even with no calls counted', () => {
    expect(callCountTitle(dnc)).toBe('On the do-not-call list. 2 calls, the last: Do not call');
    expect(callCountTitle({ ...NO_CALLS, doNotCall: true })).toBe('On the do-not-call list');
  });
});

describe('outcomeForKey', () => {
  const outcomes: OutcomeOption[] = [
    { value: 'no-answer', label: 'No answer', key: 'n' },
    { value: 'voicemail', label: 'Voicemail', key: 'v' },
    { value: 'dnc', label: 'Do not call', key: 'd' },
  ];
  const press = (key: string, modifiers: Partial<{ ctrlKey: boolean; metaKey: boolean; altKey: boolean }> = {}) => ({
    key,
    ctrlKey: false,
    metaKey: false,
    altKey: false,
    ...modifiers,
  });

  it("picks the outcome of the key, Caps Lock or not", () => {
    expect(outcomeForKey(outcomes, press('n'), 'other')?.value).toBe('no-answer');
    expect(outcomeForKey(outcomes, press('V'), 'control')?.value).toBe('voicemail');
    expect(outcomeForKey(outcomes, press('d'), 'other')?.value).toBe('dnc');
  });
  it('matches a key the engine gives in upper case', () => {
    expect(outcomeForKey([{ value: 'talked', label: 'Talked', key: 'T' }], press('t'), 'other')?.value).toBe('talked');
  });
  it('leaves the keys to the note being typed', () => {
    expect(outcomeForKey(outcomes, press('n'), 'field')).toBeNull();
  });
  it('ignores other keys and keys with Ctrl, Cmd or Alt', () => {
    expect(outcomeForKey(outcomes, press('x'), 'other')).toBeNull();
    expect(outcomeForKey(outcomes, press('Enter'), 'other')).toBeNull();
    expect(outcomeForKey(outcomes, press('n', { ctrlKey: true }), 'other')).toBeNull();
    expect(outcomeForKey(outcomes, press('v', { metaKey: true }), 'other')).toBeNull();
    expect(outcomeForKey(outcomes, press('d', { altKey: true }), 'other')).toBeNull();
  });
  it('matches no outcome without a key', () => {
    expect(outcomeForKey([{ value: 'x', label: 'X', key: '' }], press('x'), 'other')).toBeNull();
  });
});

describe('outcomeKeyPick', () => {
  const outcomes: OutcomeOption[] = [
    { value: 'no-answer', label: 'No answer', key: 'n' },
    { value: 'dnc', label: 'Do not call', key: 'd' },
  ];
  const press = (key: string) => ({ key, ctrlKey: false, metaKey: false, altKey: false });

  it('ignores the keys just after the prompt opens (a stray key as the window gets the focus)', () => {
    expect(outcomeKeyPick(outcomes, press('n'), 'other', 0)).toBeNull();
    expect(outcomeKeyPick(outcomes, press('n'), 'other', OUTCOME_KEYS_AFTER_MS - 1)).toBeNull();
    expect(outcomeKeyPick(outcomes, press('n'), 'other', -5)).toBeNull(); // a clock gone back
    expect(outcomeKeyPick(outcomes, press('n'), 'other', Number.NaN)).toBeNull();
    expect(outcomeKeyPick(outcomes, press('n'), 'other', OUTCOME_KEYS_AFTER_MS)).toEqual({ kind: 'tell', outcome: outcomes[0] });
    expect(OUTCOME_KEYS_AFTER_MS).toBeGreaterThanOrEqual(500);
  });
  it('only arms Do not call: a key never puts the phone on the list', () => {
    expect(outcomeKeyPick(outcomes, press('d'), 'other', 5_000)).toEqual({ kind: 'arm', outcome: outcomes[1] });
    expect(outcomeKeyPick(outcomes, press('d'), 'other', 0)).toBeNull();
  });
  it('leaves the keys to the note, and other keys alone', () => {
    expect(outcomeKeyPick(outcomes, press('n'), 'field', 5_000)).toBeNull();
    expect(outcomeKeyPick(outcomes, press('x'), 'other', 5_000)).toBeNull();
  });
});

describe('outcomeClick', () => {
  const noAnswer: OutcomeOption = { value: 'no-answer', label: 'No answer', key: 'n' };
  const dnc: OutcomeOption = { value: 'dnc', label: 'Do not call', key: 'd' };

  it('tells an outcome at the first click', () => {
    expect(outcomeClick(noAnswer, null)).toEqual({ kind: 'tell', outcome: noAnswer });
    expect(outcomeClick(noAnswer, 'dnc')).toEqual({ kind: 'tell', outcome: noAnswer });
  });
  it('asks a second click for Do not call', () => {
    expect(outcomeClick(dnc, null)).toEqual({ kind: 'arm', outcome: dnc });
    expect(outcomeClick(dnc, 'no-answer')).toEqual({ kind: 'arm', outcome: dnc });
    expect(outcomeClick(dnc, 'dnc')).toEqual({ kind: 'tell', outcome: dnc });
  });
  it('says so on the armed button', () => {
    expect(outcomeButtonLabel(dnc, null)).toBe('Do not call');
    expect(outcomeButtonLabel(dnc, 'dnc')).toBe('Confirm: do not call');
    expect(outcomeButtonLabel(noAnswer, 'dnc')).toBe('No answer');
  });
});

describe('callGate', () => {
  const panel = (over: Partial<CallPanel> = {}): CallPanel => ({ summary: NO_CALLS, doNotCall: null, caution: null, recent: [], ...over });

  it('calls at once with no caution', () => {
    expect(callGate(panel())).toEqual({ kind: 'call' });
    expect(callGate(panel({ caution: '  ' }))).toEqual({ kind: 'call' });
    expect(callGate(null)).toEqual({ kind: 'call' });
  });
  it('confirms the caution as read now', () => {
    expect(callGate(panel({ caution: "It's 9:05 PM in Illinois." }))).toEqual({ kind: 'confirm', caution: "It's 9:05 PM in Illinois." });
  });
  it('does not call a phone put on the do-not-call list meanwhile', () => {
    expect(callGate(panel({ summary: { ...NO_CALLS, doNotCall: true }, caution: 'late' }))).toEqual({
      kind: 'doNotCall',
      text: 'On the do-not-call list',
    });
  });
  it('leaves it to the rep when the lead could not be read', () => {
    expect(uncheckedCaution('database is locked')).toMatch(/database is locked.*Call anyway\?$/);
  });
});

describe('a lead list call', () => {
  const entry: CallEntry = { id: 'c1', at: before(HOUR), outcome: null, note: null, status: 'pending', detail: null };

  it('is asked about as a placed call', () => {
    expect(entryCall('l1', 'Rosa Diaz', entry)).toEqual({ callId: 'c1', leadId: 'l1', leadName: 'Rosa Diaz', at: entry.at });
  });
  it('says its outcome, or that there is none yet', () => {
    expect(entryOutcomeText(entry)).toBe('no outcome yet');
    expect(entryOutcomeText({ ...entry, outcome: ' ' })).toBe('no outcome yet');
    expect(entryOutcomeText({ ...entry, outcome: 'Talked' })).toBe('Talked');
  });
  it('shows a badge until the server has it', () => {
    expect(callStatusBadge('pending')).toBe('Not sent yet');
    expect(callStatusBadge('failed')).toBe('Refused');
    expect(callStatusBadge('synced')).toBeNull();
    expect(callStatusBadge('other')).toBeNull();
  });
  it('tells a blank note as none', () => {
    expect(noteToTell('  ')).toBeNull();
    expect(noteToTell(' left a message \n')).toBe('left a message');
  });
});

describe('promptAfter', () => {
  const call = (callId: string): PlacedCall => ({ callId, leadId: `lead-${callId}`, leadName: 'Rosa Diaz', at: before(0) });
  const after = (...events: PromptEvent[]): CallPrompt => events.reduce(promptAfter, NO_PROMPT);

  it('asks once the rep comes back from the call placed, not before', () => {
    const placed = after({ kind: 'placed', call: call('a') });
    expect(placed).toMatchObject({ open: false, waiting: true, call: { callId: 'a' } });
    const back = promptAfter(placed, { kind: 'back' });
    expect(back).toMatchObject({ open: true, waiting: false, call: { callId: 'a' } });
    // Coming back again changes nothing.
    expect(promptAfter(back, { kind: 'back' })).toEqual(back);
  });
  it('does not ask on coming back when no call was placed', () => {
    expect(after({ kind: 'back' })).toEqual(NO_PROMPT);
  });
  it('asks at start for the call waiting for its outcome', () => {
    expect(after({ kind: 'start', awaiting: call('a') })).toMatchObject({ open: true, call: { callId: 'a' } });
    expect(after({ kind: 'start', awaiting: null })).toEqual(NO_PROMPT);
  });
  it('does not interrupt a call just placed with the one of the start', () => {
    const state = after({ kind: 'placed', call: call('b') }, { kind: 'start', awaiting: call('a') });
    expect(state).toMatchObject({ open: false, waiting: true, call: { callId: 'b' } });
  });
  it('hides it with Later, and does not ask again by itself for that call', () => {
    const later = after({ kind: 'placed', call: call('a') }, { kind: 'back' }, { kind: 'later', callId: 'a' });
    expect(later).toMatchObject({ open: false, waiting: false, call: null, later: ['a'] });
    expect(promptAfter(later, { kind: 'back' }).open).toBe(false);
    expect(promptAfter(later, { kind: 'start', awaiting: call('a') }).open).toBe(false);
    // The rep may still ask for it.
    expect(promptAfter(later, { kind: 'ask', call: call('a') })).toMatchObject({ open: true, call: { callId: 'a' } });
  });
  it("takes Later only from the prompt of the call shown (a prompt closed as another opens)", () => {
    const state = after({ kind: 'ask', call: call('b') }, { kind: 'later', callId: 'a' });
    expect(state).toMatchObject({ open: true, call: { callId: 'b' }, later: [] });
    expect(after({ kind: 'later', callId: 'a' })).toEqual(NO_PROMPT);
  });
  it('asks when the rep asks, at once', () => {
    expect(after({ kind: 'ask', call: call('c') })).toMatchObject({ open: true, waiting: false, call: { callId: 'c' } });
  });
  it('a new call replaces the one waiting', () => {
    const state = after({ kind: 'placed', call: call('a') }, { kind: 'placed', call: call('b') }, { kind: 'back' });
    expect(state).toMatchObject({ open: true, call: { callId: 'b' } });
  });
  it('closes once the outcome of its call is told', () => {
    const told = after({ kind: 'ask', call: call('a') }, { kind: 'told', callId: 'a' });
    expect(told).toMatchObject({ open: false, waiting: false, call: null });
  });
  it('stays for another call when an older one is told', () => {
    const state = after({ kind: 'ask', call: call('b') }, { kind: 'told', callId: 'a' });
    expect(state).toMatchObject({ open: true, call: { callId: 'b' } });
  });
  it('forgets a call put off once it is told', () => {
    const state = after({ kind: 'ask', call: call('a') }, { kind: 'later', callId: 'a' }, { kind: 'told', callId: 'a' });
    expect(state.later).toEqual([]);
  });
});
