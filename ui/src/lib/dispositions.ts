// The tenant's dispositions as the picker shows them. Their colours come from the server, so
// only plain colour values are used.
import type { DispositionOption } from './bindings';

const HEX = /^#(?:[0-9a-f]{3,4}|[0-9a-f]{6}|[0-9a-f]{8})$/i;
const FUNCTION = /^(?:rgb|rgba|hsl|hsla)\(\s*[\d.\s,%/deg-]+\)$/i;
const NAMED = /^[a-z]{3,20}$/i;

/** `color` when it is a hex, rgb()/hsl() or named colour; null for anything else. */
export function safeColor(color: string | null | undefined): string | null {
  const value = color?.trim() ?? '';
  return HEX.test(value) || FUNCTION.test(value) || NAMED.test(value) ? value : null;
}

/** The text for a lead's disposition, or for none. */
export function dispositionText(disposition: string | null | undefined): string {
  const name = disposition?.trim() ?? '';
  return name === '' ? 'No disposition' : name;
}

/** The disposition digit key `index` (from 0) stands for, if the tenant has that many. */
export function dispositionAt(options: readonly DispositionOption[], index: number): DispositionOption | null {
  return Number.isInteger(index) && index >= 0 && index < options.length ? options[index] : null;
}

// --- The admin page: adding, changing, moving and removing dispositions ----------------------
// The same limits as the engine's check (`DispositionChange::check`), told before anything is sent.

export const DISPOSITION_NAME_MAX = 50;
export const DISPOSITION_EMOJI_MAX = 8;
/** A new disposition's colour until one is chosen. */
export const DEFAULT_DISPOSITION_COLOR = '#2563eb';

/** The hex digits of a `#…` colour (HEX), in lower case; null for anything else. */
function hexDigits(color: string): string | null {
  return HEX.test(color) ? color.slice(1).toLowerCase() : null;
}

/** Characters as the engine counts them (code points, not UTF-16 units). */
function length(text: string): number {
  return [...text].length;
}

/**
 * `color` as a colour input takes it (`#rrggbb`, lower case): `#rgb` is spelled out, anything
 * else is `fallback`.
 */
export function colorInputValue(color: string | null | undefined, fallback = DEFAULT_DISPOSITION_COLOR): string {
  const digits = hexDigits(color?.trim() ?? '');
  if (digits?.length === 6) return `#${digits}`;
  if (digits?.length === 3) return `#${[...digits].map((d) => d + d).join('')}`;
  return fallback;
}

export interface DispositionFields {
  name?: string;
  color?: string;
  emoji?: string;
}

/**
 * Why these values would be refused (those left out are not checked): a name empty, too long or
 * another disposition's (a lead's disposition is its name), a colour not `#rrggbb`, a long
 * emoji. `selfId` is the disposition being changed, whose own name it may keep. Null when fine.
 */
export function dispositionProblem(
  fields: DispositionFields,
  options: readonly DispositionOption[],
  selfId: string | null = null,
): string | null {
  if (fields.name !== undefined) {
    const name = fields.name.trim();
    if (name === '') return 'A disposition needs a name.';
    if (length(name) > DISPOSITION_NAME_MAX) return `A disposition's name is at most ${DISPOSITION_NAME_MAX} characters.`;
    const key = name.toLowerCase();
    const twin = options.find((o) => o.id !== selfId && o.name.trim().toLowerCase() === key);
    if (twin) return `There is already a disposition named “${twin.name}”.`;
  }
  if (fields.color !== undefined && hexDigits(fields.color.trim())?.length !== 6) {
    return 'A colour is written #rrggbb, e.g. #2563eb.';
  }
  if (fields.emoji !== undefined && length(fields.emoji.trim()) > DISPOSITION_EMOJI_MAX) {
    return `An emoji is at most ${DISPOSITION_EMOJI_MAX} characters.`;
  }
  return null;
}

export type DispositionField = keyof DispositionFields;

/**
 * The change to send when `field` of `option` is now `value` (trimmed; a colour in lower case),
 * or null when that is what it has.
 */
export function dispositionChange(option: DispositionOption, field: DispositionField, value: string): DispositionFields | null {
  const next = field === 'color' ? value.trim().toLowerCase() : value.trim();
  const now = field === 'color' ? (option.color ?? '').trim().toLowerCase() : (option[field] ?? '').trim();
  return next === now ? null : { [field]: next };
}

/** The ids in order, with the one at `index` moved by `by` places (-1 up, 1 down); null when it cannot move so. */
export function movedIds(options: readonly DispositionOption[], index: number, by: -1 | 1): string[] | null {
  const to = index + by;
  if (!Number.isInteger(index) || index < 0 || index >= options.length || to < 0 || to >= options.length) return null;
  const ids = options.map((o) => o.id);
  [ids[index], ids[to]] = [ids[to], ids[index]];
  return ids;
}

/** The question before a disposition is removed. */
export function removeQuestion(option: Pick<DispositionOption, 'name'>): string {
  return `Remove “${dispositionText(option.name)}”? Leads keep the name they have.`;
}
