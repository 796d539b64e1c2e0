import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  DRAFT_PAUSE_MS,
  NotesAutosave,
  SAVE_IDLE_MS,
  draftToRestore,
  notesStatusText,
  type NotesStore,
} from './notesAutosave.svelte';

function deferred() {
  let resolve!: () => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** A store that records its calls in order; each call answers at once unless told otherwise. */
function fakeStore() {
  const calls: string[] = [];
  const answers: Partial<Record<'keepDraft' | 'dropDraft' | 'save', () => Promise<void>>> = {};
  const answer = (kind: 'keepDraft' | 'dropDraft' | 'save') => answers[kind]?.() ?? Promise.resolve();
  const store: NotesStore = {
    keepDraft: (text) => {
      calls.push(`keep:${text}`);
      return answer('keepDraft');
    },
    dropDraft: () => {
      calls.push('drop');
      return answer('dropDraft');
    },
    save: (text) => {
      calls.push(`save:${text}`);
      return answer('save');
    },
  };
  return { store, calls, answers };
}

/** Lets queued store calls and their answers run. */
const settle = () => vi.advanceTimersByTimeAsync(0);

describe('NotesAutosave', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('keeps a draft at each pause and saves once typing stops', async () => {
    const { store, calls } = fakeStore();
    const notes = new NotesAutosave(store, 'Called', null);
    expect(notes.text).toBe('Called');
    notes.typed('Called, w');
    await vi.advanceTimersByTimeAsync(DRAFT_PAUSE_MS - 1);
    notes.typed('Called, wants');
    await vi.advanceTimersByTimeAsync(DRAFT_PAUSE_MS - 1);
    expect(calls).toEqual([]); // no pause yet
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toEqual(['keep:Called, wants']);
    notes.typed('Called, wants a PPO');
    await vi.advanceTimersByTimeAsync(DRAFT_PAUSE_MS);
    expect(calls).toEqual(['keep:Called, wants', 'keep:Called, wants a PPO']);
    await vi.advanceTimersByTimeAsync(SAVE_IDLE_MS - DRAFT_PAUSE_MS - 1);
    expect(calls).toHaveLength(2); // still within two seconds of the last key
    expect(notes.status.kind).toBe('none');
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toEqual(['keep:Called, wants', 'keep:Called, wants a PPO', 'save:Called, wants a PPO']);
    expect(notes.status).toEqual({ kind: 'saved' });
    expect(notes.changed).toBe(false);
  });

  it('says "Saving…" while it saves', async () => {
    const { store, answers } = fakeStore();
    const saving = deferred();
    answers.save = () => saving.promise;
    const notes = new NotesAutosave(store, '', null);
    notes.typed('x');
    await vi.advanceTimersByTimeAsync(SAVE_IDLE_MS);
    expect(notesStatusText(notes.status)).toBe('Saving…');
    saving.resolve();
    await settle();
    expect(notesStatusText(notes.status)).toBe('Saved');
  });

  it('saves nothing when the text is back to the saved notes', async () => {
    const { store, calls } = fakeStore();
    const notes = new NotesAutosave(store, 'Called', null);
    notes.typed('Called!');
    notes.typed('Called');
    await vi.advanceTimersByTimeAsync(SAVE_IDLE_MS * 2);
    expect(calls).toEqual([]);
    await notes.left();
    await notes.close();
    expect(calls).toEqual([]);
  });

  it('drops the draft kept of text typed since, once the text is back to the saved notes', async () => {
    const { store, calls } = fakeStore();
    const notes = new NotesAutosave(store, 'Called', null);
    notes.typed('Called!');
    await vi.advanceTimersByTimeAsync(DRAFT_PAUSE_MS);
    expect(calls).toEqual(['keep:Called!']);
    notes.typed('Called');
    await notes.left(); // within the pause: the draft of "Called!" would be offered back later
    expect(calls).toEqual(['keep:Called!', 'drop']);
    await notes.close();
    await vi.advanceTimersByTimeAsync(SAVE_IDLE_MS * 2);
    expect(calls).toEqual(['keep:Called!', 'drop']);
    expect(notes.status.kind).toBe('none');
  });

  it('saves at once when the editor is left or the lead closes, and only once', async () => {
    const { store, calls } = fakeStore();
    const notes = new NotesAutosave(store, '', null);
    notes.typed('Left a voicemail');
    await notes.left();
    expect(calls).toEqual(['save:Left a voicemail']); // the pending draft is not needed any more
    await vi.advanceTimersByTimeAsync(SAVE_IDLE_MS * 2);
    expect(calls).toEqual(['save:Left a voicemail']);

    notes.typed('Left a voicemail twice');
    const closing = notes.close();
    notes.typed('too late'); // the editor is going
    await closing;
    await vi.advanceTimersByTimeAsync(SAVE_IDLE_MS * 2);
    expect(calls).toEqual(['save:Left a voicemail', 'save:Left a voicemail twice']);
  });

  it('does not save the same text twice while a save is under way', async () => {
    const { store, calls, answers } = fakeStore();
    const saving = deferred();
    answers.save = () => saving.promise;
    const notes = new NotesAutosave(store, '', null);
    notes.typed('abc');
    void notes.save();
    void notes.left();
    const closed = notes.close();
    saving.resolve();
    await closed;
    expect(calls).toEqual(['save:abc']);
  });

  it('keeps what is typed during a save, and saves it next, in order', async () => {
    const { store, calls, answers } = fakeStore();
    const first = deferred();
    answers.save = () => first.promise;
    const notes = new NotesAutosave(store, '', null);
    notes.typed('one');
    await vi.advanceTimersByTimeAsync(SAVE_IDLE_MS);
    expect(calls).toEqual(['keep:one', 'save:one']);
    notes.typed('one two');
    await vi.advanceTimersByTimeAsync(DRAFT_PAUSE_MS);
    // The draft waits for the save before it: a save drops the draft, which must not be the newer one.
    expect(calls).toEqual(['keep:one', 'save:one']);
    answers.save = undefined;
    first.resolve();
    await settle();
    expect(calls).toEqual(['keep:one', 'save:one', 'keep:one two']);
    expect(notes.status.kind).toBe('none'); // saved, but not what the editor holds now
    await vi.advanceTimersByTimeAsync(SAVE_IDLE_MS);
    expect(calls[calls.length - 1]).toBe('save:one two');
    expect(notes.status.kind).toBe('saved');
  });

  it('never loses the text when a save fails: it stays, with its draft, until a save works', async () => {
    const { store, calls, answers } = fakeStore();
    answers.save = () => Promise.reject({ code: 'invalid_input', message: 'notes is too long' });
    const notes = new NotesAutosave(store, 'old', null);
    notes.typed('new notes');
    await notes.left(); // before the pause: no draft kept yet
    expect(notes.text).toBe('new notes');
    expect(notesStatusText(notes.status)).toBe('Not saved: notes is too long');
    expect(calls).toEqual(['save:new notes', 'keep:new notes']);
    expect(notes.changed).toBe(true);

    // Typing keeps the failure in sight until the next save says otherwise.
    notes.typed('new notes, shorter');
    expect(notes.status.kind).toBe('notSaved');
    answers.save = undefined;
    await vi.advanceTimersByTimeAsync(SAVE_IDLE_MS);
    expect(calls.slice(2)).toEqual(['keep:new notes, shorter', 'save:new notes, shorter']);
    expect(notes.status.kind).toBe('saved');
  });

  it('carries on when a draft cannot be kept', async () => {
    const { store, calls, answers } = fakeStore();
    answers.keepDraft = () => Promise.reject({ code: 'internal', message: 'disk full' });
    const notes = new NotesAutosave(store, '', null);
    notes.typed('abc');
    await vi.advanceTimersByTimeAsync(SAVE_IDLE_MS);
    expect(calls).toEqual(['keep:abc', 'save:abc']);
    expect(notes.status.kind).toBe('saved');
  });

  it('follows the saved notes while untouched, and keeps the text being edited', () => {
    const { store } = fakeStore();
    const notes = new NotesAutosave(store, 'a', null);
    notes.savedChanged('b'); // a sync
    expect(notes.text).toBe('b');
    notes.typed('b and mine');
    notes.savedChanged('c');
    expect(notes.text).toBe('b and mine');
    expect(notes.changed).toBe(true);
    notes.savedChanged(null);
    expect(notes.text).toBe('b and mine');
  });

  it('takes the saved notes heard during a save as the last word', async () => {
    const { store, calls, answers } = fakeStore();
    const saving = deferred();
    answers.save = () => saving.promise;
    const notes = new NotesAutosave(store, '', null);
    notes.typed('mine');
    void notes.save();
    await settle(); // the save is under way
    notes.savedChanged('other'); // a sync of another computer's notes, heard before the save answers
    saving.resolve();
    await settle();
    // The editor's text is not the notes as heard: it is reported changed, and not "Saved".
    expect(notes.text).toBe('mine');
    expect(notes.changed).toBe(true);
    expect(notes.status.kind).toBe('none');
    // The saved notes stayed "other": typing them back is no change to save.
    answers.save = undefined;
    notes.typed('other');
    expect(notes.changed).toBe(false);
    await notes.save();
    expect(calls).toEqual(['save:mine']);
  });

  it('says "Saved" once a later save works, after one that failed', async () => {
    const { store, calls, answers } = fakeStore();
    const first = deferred();
    answers.save = () => first.promise;
    const notes = new NotesAutosave(store, '', null);
    notes.typed('one');
    void notes.save();
    await settle(); // the first save is under way
    notes.typed('one two');
    answers.save = undefined;
    const second = notes.save(); // queued behind the first
    first.reject({ code: 'offline', message: 'no connection' });
    await second;
    expect(calls).toEqual(['save:one', 'keep:one two', 'save:one two']);
    expect(notes.text).toBe('one two');
    expect(notes.changed).toBe(false);
    expect(notesStatusText(notes.status)).toBe('Saved');
  });

  describe('a draft left from before', () => {
    const draft = { text: 'Wants a PPO, call back Tue', at: '2026-12-09T15:04:00Z' };

    it('is put back in the editor, and saved only once the rep goes on with it', async () => {
      const { store, calls } = fakeStore();
      const notes = new NotesAutosave(store, 'Wants a PPO', draft);
      expect(notes.text).toBe(draft.text);
      expect(notes.status).toEqual({ kind: 'restored', at: draft.at });
      expect(notesStatusText(notes.status)).toMatch(/^Restored notes you had not saved \(.+\)$/);
      await vi.advanceTimersByTimeAsync(SAVE_IDLE_MS * 2);
      await notes.left(); // focus passing through (on its way to Discard) saves nothing
      expect(calls).toEqual([]);
      notes.typed(`${draft.text}!`);
      expect(notes.status.kind).toBe('none');
      await vi.advanceTimersByTimeAsync(SAVE_IDLE_MS);
      expect(calls).toEqual([`keep:${draft.text}!`, `save:${draft.text}!`]);
    });

    it('is not saved when the lead closes untouched: it stays, to be offered again', async () => {
      const { store, calls } = fakeStore();
      const notes = new NotesAutosave(store, 'Wants a PPO', draft);
      await notes.close();
      await vi.advanceTimersByTimeAsync(SAVE_IDLE_MS * 2);
      // Not saved over notes that may be newer (another computer), and not dropped either.
      expect(calls).toEqual([]);
      expect(notes.status.kind).toBe('restored');
    });

    it('is saved when the lead closes once the rep went on with it', async () => {
      const { store, calls } = fakeStore();
      const notes = new NotesAutosave(store, 'Wants a PPO', draft);
      notes.typed(`${draft.text}.`);
      await notes.close();
      expect(calls).toEqual([`save:${draft.text}.`]);
    });

    it('is not kept again: the store has it', async () => {
      const { store, calls } = fakeStore();
      const notes = new NotesAutosave(store, 'Wants a PPO', draft);
      notes.typed(draft.text);
      await vi.advanceTimersByTimeAsync(DRAFT_PAUSE_MS);
      expect(calls).toEqual([]);
    });

    it('goes on Discard: the saved notes are back, and nothing is saved', async () => {
      const { store, calls } = fakeStore();
      const notes = new NotesAutosave(store, 'Wants a PPO', draft);
      await notes.discard();
      expect(notes.text).toBe('Wants a PPO');
      expect(notes.status.kind).toBe('none');
      await notes.close();
      expect(calls).toEqual(['drop']);
    });

    it('says so when it cannot be discarded (it will be offered again)', async () => {
      const { store, answers } = fakeStore();
      answers.dropDraft = () => Promise.reject({ code: 'internal', message: 'database is locked' });
      const notes = new NotesAutosave(store, 'Wants a PPO', draft);
      await notes.discard();
      expect(notes.text).toBe('Wants a PPO');
      expect(notesStatusText(notes.status)).toBe('Could not discard the draft: database is locked');
    });

    it('is no longer offered once the saved notes are the same', () => {
      const { store } = fakeStore();
      const notes = new NotesAutosave(store, 'Wants a PPO', draft);
      notes.savedChanged('Something else'); // a sync: the draft stays
      expect(notes.status.kind).toBe('restored');
      expect(notes.text).toBe(draft.text);
      notes.savedChanged(draft.text); // its save, still under way when the lead opened, went through
      expect(notes.status.kind).toBe('none');
      expect(notes.changed).toBe(false);
    });

    it('is not restored when it is the saved notes', () => {
      const { store } = fakeStore();
      const notes = new NotesAutosave(store, draft.text, draft);
      expect(notes.status.kind).toBe('none');
      expect(draftToRestore(draft.text, draft)).toBeNull();
      expect(draftToRestore(null, { text: '', at: draft.at })).toBeNull();
      expect(draftToRestore(null, draft)).toBe(draft);
      expect(draftToRestore('x', null)).toBeNull();
    });
  });
});

describe('notesStatusText', () => {
  it('says each status quietly', () => {
    expect(notesStatusText({ kind: 'none' })).toBe('');
    expect(notesStatusText({ kind: 'saving' })).toBe('Saving…');
    expect(notesStatusText({ kind: 'saved' })).toBe('Saved');
    expect(notesStatusText({ kind: 'notSaved', message: 'offline' })).toBe('Not saved: offline');
    expect(notesStatusText({ kind: 'restored', at: null })).toBe('Restored notes you had not saved');
    expect(notesStatusText({ kind: 'restored', at: 'garbage' })).toBe('Restored notes you had not saved');
  });
});
