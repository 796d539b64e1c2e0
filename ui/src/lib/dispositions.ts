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
