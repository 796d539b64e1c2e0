// Copy buttons: one helper copies text to the clipboard and says "Copied" on the button for a
// moment, or why it could not.
import type { AppError } from './bindings';
import { toAppError } from './errors';

/** How long a button says "Copied" (or a failure shows). */
export const COPIED_MS = 2000;

export type ClipboardWrite = (text: string) => Promise<void>;

function systemWrite(text: string): Promise<void> {
  return navigator.clipboard.writeText(text);
}

/** The copy buttons of one view, each by its key: which one copied last, or failed, for a moment. */
export class Copier<K = string> {
  /** The key of the button that copied, for COPIED_MS. */
  copied = $state<K | null>(null);
  /** The key of the button whose copy failed, and why, for COPIED_MS. */
  failed = $state<{ key: K; message: string } | null>(null);
  #timer: ReturnType<typeof setTimeout> | undefined;
  #write: ClipboardWrite;
  #ms: number;

  constructor(write: ClipboardWrite = systemWrite, ms = COPIED_MS) {
    this.#write = write;
    this.#ms = ms;
  }

  /**
   * Copies `text`, or what `text()` resolves to (e.g. a secret fetched only to be copied);
   * blank text copies nothing. Answers the error when it could not, else null.
   */
  async copy(key: K, text: string | (() => Promise<string>)): Promise<AppError | null> {
    clearTimeout(this.#timer);
    this.copied = null;
    this.failed = null;
    try {
      const value = typeof text === 'string' ? text : await text();
      if (value.trim() === '') return null;
      await this.#write(value);
      this.copied = key;
      return null;
    } catch (e) {
      const err = toAppError(e);
      this.failed = { key, message: err.message };
      return err;
    } finally {
      this.#timer = setTimeout(() => {
        this.copied = null;
        this.failed = null;
      }, this.#ms);
    }
  }

  /** The button's text: "Copied" for a moment after it copied, else `label`. */
  label(key: K, label = 'Copy'): string {
    return this.copied === key ? 'Copied' : label;
  }

  /** Why the button's last copy failed, for a moment; null otherwise. */
  error(key: K): string | null {
    return this.failed !== null && this.failed.key === key ? this.failed.message : null;
  }

  /** Stops the timer (the view is going). */
  dispose(): void {
    clearTimeout(this.#timer);
  }
}
