// Text typed for something (a lead's callback, a call's outcome) and not sent yet, kept by its id
// while the view that shows it comes and goes (another lead opened, the prompt put off).
import { SvelteMap } from 'svelte/reactivity';

export class TextDrafts {
  readonly #texts = new SvelteMap<string, string>();

  /** The text typed for `id`; '' for none. */
  get(id: string): string {
    return this.#texts.get(id) ?? '';
  }

  /** `text` was typed for `id` (an empty one is none). */
  set(id: string, text: string): void {
    if (text === '') this.#texts.delete(id);
    else this.#texts.set(id, text);
  }

  /**
   * `text` was sent for `id`: it is forgotten, unless the text is no longer that (typed on
   * meanwhile, which stays). True when forgotten.
   */
  sent(id: string, text: string): boolean {
    if (this.get(id) !== text) return false;
    this.#texts.delete(id);
    return true;
  }

  /** Forgets every text (signing out). */
  clear(): void {
    this.#texts.clear();
  }
}

/** The callback notes typed on each lead (by lead id), until scheduled. */
export const callbackNotes = new TextDrafts();
