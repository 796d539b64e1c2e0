// Notes that save themselves: the text being typed is kept as a draft on this computer at each
// pause (so a crash loses nothing), and saved as the lead's notes once typing stops for a moment,
// when the editor is left, and when the lead closes. A draft left from before (the app closed
// or crashed first) is restored when the lead opens, until saved or discarded. Typed text is
// never lost: when a save fails, the text stays in the editor and in the draft.
import type { NotesDraft } from './bindings';
import { toAppError } from './errors';
import { formatAbsolute, parseTimestamp } from './format';

/** A pause in typing this long keeps the draft. */
export const DRAFT_PAUSE_MS = 400;
/** No typing for this long saves the notes. */
export const SAVE_IDLE_MS = 2000;

export type NotesStatus =
  | { kind: 'none' }
  /** A draft not saved before was put back in the editor; `at` is when it was typed (RFC 3339). */
  | { kind: 'restored'; at: string | null }
  | { kind: 'saving' }
  | { kind: 'saved' }
  | { kind: 'notSaved'; message: string }
  | { kind: 'notDiscarded'; message: string };

/** Where the notes go (the lead's, bound to it). Each rejects with an AppError. */
export interface NotesStore {
  /** Keeps the text being typed on this computer. */
  keepDraft(text: string): Promise<unknown>;
  /** Throws the draft away. */
  dropDraft(): Promise<unknown>;
  /** Saves the notes; the draft goes with it. */
  save(text: string): Promise<unknown>;
}

export interface NotesTiming {
  draftMs: number;
  saveMs: number;
}

/** The draft to put back in the editor when a lead opens: one whose text is not the saved notes. */
export function draftToRestore(saved: string | null | undefined, draft: NotesDraft | null | undefined): NotesDraft | null {
  if (draft === null || draft === undefined || typeof draft.text !== 'string') return null;
  return draft.text === (saved ?? '') ? null : draft;
}

/** The quiet line under the notes: "Saving…", "Saved", "Not saved: …"; '' for nothing to say. */
export function notesStatusText(status: NotesStatus): string {
  switch (status.kind) {
    case 'none':
      return '';
    case 'restored': {
      const at = parseTimestamp(status.at);
      return at === null ? 'Restored notes you had not saved' : `Restored notes you had not saved (${formatAbsolute(at)})`;
    }
    case 'saving':
      return 'Saving…';
    case 'saved':
      return 'Saved';
    case 'notSaved':
      return `Not saved: ${status.message}`;
    case 'notDiscarded':
      return `Could not discard the draft: ${status.message}`;
  }
}

/** One lead's notes editor: its text, what the status line says, and when the notes are kept and saved. */
export class NotesAutosave {
  /** The editor's text. */
  text = $state('');
  status = $state<NotesStatus>({ kind: 'none' });

  readonly #store: NotesStore;
  readonly #timing: NotesTiming;
  /** The notes as saved. */
  #saved: string;
  /** Bumped whenever the saved notes are heard of (a save, a sync). */
  #heard = 0;
  /** The draft the store holds, as far as known; null for none. */
  #kept: string | null;
  /** The text of the save queued or under way. */
  #saving: string | null = null;
  /** The store's calls, one after another (a draft kept after a save must not come before it). */
  #queue: Promise<void> = Promise.resolve();
  #draftTimer: ReturnType<typeof setTimeout> | undefined;
  #saveTimer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;

  constructor(
    store: NotesStore,
    saved: string | null | undefined,
    draft: NotesDraft | null | undefined,
    timing: NotesTiming = { draftMs: DRAFT_PAUSE_MS, saveMs: SAVE_IDLE_MS },
  ) {
    this.#store = store;
    this.#timing = timing;
    this.#saved = saved ?? '';
    const restored = draftToRestore(saved, draft);
    this.#kept = restored?.text ?? null;
    this.text = restored?.text ?? this.#saved;
    if (restored !== null) this.status = { kind: 'restored', at: restored.at ?? null };
  }

  /** The text is not the saved notes. */
  get changed(): boolean {
    return this.text !== this.#saved;
  }

  /** The rep typed: the draft is kept at the next pause, the notes saved when typing stops. */
  typed(text: string): void {
    if (this.#closed) return;
    this.text = text;
    // Typing takes the restored text as the rep's own; a failure shows until the next save.
    if (this.status.kind === 'restored' || this.status.kind === 'saved' || this.status.kind === 'notDiscarded') {
      this.status = { kind: 'none' };
    }
    clearTimeout(this.#draftTimer);
    clearTimeout(this.#saveTimer);
    this.#draftTimer = setTimeout(() => void this.keepDraft(), this.#timing.draftMs);
    this.#saveTimer = setTimeout(() => void this.save(), this.#timing.saveMs);
  }

  /** Keeps the text as the draft now, when the store does not hold it yet (e.g. the window is going). */
  keepDraft(): Promise<void> {
    clearTimeout(this.#draftTimer);
    return this.#enqueue(() => this.#writeDraft());
  }

  /** Saves the notes now, when they changed (and are not being saved already). */
  save(): Promise<void> {
    clearTimeout(this.#draftTimer);
    clearTimeout(this.#saveTimer);
    const text = this.text;
    if (text === this.#saving) return this.#queue;
    if (text === this.#saved) {
      // Back to the saved notes: a draft kept of older text must not be offered again.
      if (this.#kept === null) return this.#queue;
      return this.#enqueue(() => this.#dropStaleDraft());
    }
    this.#saving = text;
    this.status = { kind: 'saving' };
    return this.#enqueue(async () => {
      const heard = this.#heard;
      try {
        await this.#store.save(text);
      } catch (e) {
        if (this.#saving === text) this.#saving = null;
        this.status = { kind: 'notSaved', message: toAppError(e).message };
        // The text stays, and so does a draft of it.
        await this.#writeDraft();
        return;
      }
      // The saved notes as heard meanwhile are the last word; else these are.
      if (heard === this.#heard) this.#saved = text;
      this.#kept = null; // saving drops the draft
      if (this.#saving === text) this.#saving = null;
      // Nothing more to save: "Saved", whatever was said before (an older save that failed).
      if (this.#saving === null && this.text === this.#saved) this.status = { kind: 'saved' };
      else if (this.#saving === null && this.status.kind === 'saving') this.status = { kind: 'none' };
    });
  }

  /**
   * The editor was left: the notes are saved, unless they are a restored draft the rep has not
   * touched (they may still discard it).
   */
  left(): Promise<void> {
    if (this.status.kind === 'restored') return this.#queue;
    return this.save();
  }

  /**
   * The lead closes (or another opens): the notes are saved when they changed; nothing more is
   * scheduled. A restored draft the rep has not touched is not saved (the notes saved elsewhere
   * may be newer): it stays, and is offered again.
   */
  close(): Promise<void> {
    clearTimeout(this.#draftTimer);
    clearTimeout(this.#saveTimer);
    const done = this.status.kind === 'restored' ? this.#queue : this.save();
    this.#closed = true;
    return done;
  }

  /** Throws the restored draft away: the editor shows the saved notes again. */
  discard(): Promise<void> {
    clearTimeout(this.#draftTimer);
    clearTimeout(this.#saveTimer);
    this.text = this.#saved;
    this.status = { kind: 'none' };
    return this.#enqueue(async () => {
      try {
        await this.#store.dropDraft();
        this.#kept = null;
      } catch (e) {
        this.status = { kind: 'notDiscarded', message: toAppError(e).message };
      }
    });
  }

  /** The saved notes changed (a save, a sync): an untouched editor follows them; one being edited keeps its text. */
  savedChanged(notes: string | null | undefined): void {
    const next = notes ?? '';
    if (next === this.#saved) return;
    this.#heard++;
    const untouched = this.text === this.#saved;
    this.#saved = next;
    if (untouched && !this.#closed) this.text = next;
    // The restored draft was saved after all (a save still under way when the lead opened again).
    if (this.status.kind === 'restored' && this.text === next) this.status = { kind: 'none' };
  }

  #enqueue(op: () => Promise<void>): Promise<void> {
    this.#queue = this.#queue.then(op);
    return this.#queue;
  }

  /** Drops the draft kept once the text is the saved notes again (the draft is older text). */
  async #dropStaleDraft(): Promise<void> {
    if (this.#kept === null || this.text !== this.#saved) return;
    try {
      await this.#store.dropDraft();
      this.#kept = null;
    } catch {
      // It stays in the store until the next save (which drops it), or is offered again.
    }
  }

  /** Keeps the text as it is now, when the store does not hold it; a failure is left to the save. */
  async #writeDraft(): Promise<void> {
    const text = this.text;
    if (text === (this.#kept ?? this.#saved)) return;
    try {
      await this.#store.keepDraft(text);
      this.#kept = text;
    } catch {
      // The save, at the latest when typing stops, says what is wrong.
    }
  }
}
