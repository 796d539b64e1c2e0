// Texting a lead: the preview's size, warnings and whether Send may be pressed, the templates,
// and the lead's Textdrip contact, as text. Lead data stays plain text.
import type { TextEncoding, TextPreview, TextSent, TextTemplate, TextdripContact, TextdripSender } from './bindings';
import { pluralize } from './format';

/** The preview follows the message this long after the last key (composing is cheap). */
export const COMPOSE_DEBOUNCE_MS = 150;

/** The fields a message may use, as `{first_name}`. */
export const PLACEHOLDERS = ['first_name', 'last_name', 'full_name', 'state', 'city', 'zip', 'agent_name'] as const;

export function encodingLabel(encoding: TextEncoding): string {
  return encoding === 'ucs2' ? 'Unicode' : 'GSM-7';
}

/** "58 characters · 1 segment (GSM-7)". */
export function countText(preview: Pick<TextPreview, 'chars' | 'segments' | 'encoding'>): string {
  return `${pluralize(preview.chars, 'character')} · ${pluralize(preview.segments, 'segment')} (${encodingLabel(preview.encoding)})`;
}

/** "first_name" for "{first_name}", "{ first_name }" or "first_name". */
export function placeholderName(raw: string): string {
  return raw.trim().replace(/^\{\s*/, '').replace(/\s*\}$/, '');
}

/**
 * The warning for placeholders the message uses but the lead has no value for, and for unknown
 * ones; null when there are none.
 */
export function missingText(missing: readonly string[]): string | null {
  const names = [...new Set(missing.map(placeholderName).filter((n) => n !== ''))];
  const known = names.filter((n) => (PLACEHOLDERS as readonly string[]).includes(n));
  const unknown = names.filter((n) => !(PLACEHOLDERS as readonly string[]).includes(n));
  const parts: string[] = [];
  const list = (ns: string[]) => ns.map((n) => `{${n}}`).join(', ');
  if (known.length > 0) parts.push(`This lead has no value for ${list(known)}.`);
  if (unknown.length > 0) {
    parts.push(`${unknown.length === 1 ? 'Unknown field' : 'Unknown fields'} ${list(unknown)}: use ${list([...PLACEHOLDERS])}.`);
  }
  return parts.length === 0 ? null : parts.join(' ');
}

/** The warning shown when it is outside the lead's hours (their state's, as Rust says them), or their local time is unknown. */
export function hoursWarning(preview: Pick<TextPreview, 'localTime' | 'hours'>): string {
  const time = preview.localTime?.trim();
  if (!time) return `This lead's local time is unknown (no state, zip code or US phone): texting hours cannot be checked.`;
  const hours = preview.hours?.trim();
  return `It is ${time} for this lead, outside their calling hours${hours ? ` (${hours})` : ''}.`;
}

export interface SendState {
  /** The message as typed. */
  message: string;
  /** The rep ticked "Send anyway" for outside the lead's hours. */
  confirmedHours: boolean;
  busy: boolean;
}

/** Why Send cannot be pressed now; null when it can. */
export function sendBlocker(preview: TextPreview | null, state: SendState): string | null {
  if (state.busy) return 'Sending…';
  if (preview === null) return 'Preparing the message…';
  if (preview.optedOut) return 'This lead opted out of texts: Crokodial will not text them.';
  if (preview.to === null) return 'This lead has no phone number a text can go to.';
  if (state.message.trim() === '') return 'Type a message or choose a template.';
  if (preview.outsideHours && !state.confirmedHours) return `Tick “Send anyway” to text outside the lead's hours.`;
  return null;
}

/** "Sent to +13125550123". */
export function sentText(sent: TextSent): string {
  return `Sent to ${sent.to}`;
}

/** "(312) 555-0100 · primary". */
export function senderLabel(sender: TextdripSender): string {
  return sender.primary ? `${sender.display} · primary` : sender.display;
}

/** The chosen sender, for people to read. */
export function senderDisplay(preview: TextPreview): string | null {
  return preview.senders.find((s) => s.phone === preview.sender)?.display ?? preview.sender;
}

/** The contact status line: unknown until checked. */
export function contactText(contact: TextdripContact | null, checking: boolean): string {
  if (checking) return 'Checking Textdrip…';
  if (contact === null) return 'Not checked yet';
  if (!contact.exists) return 'Not yet in Textdrip';
  return contact.optedOut ? 'Textdrip contact · opted out of texts' : 'Textdrip contact';
}

/** The template whose text the message is, by name ("" for none): the template picker's value. */
export function templateFor(templates: readonly TextTemplate[], message: string): string {
  if (message === '') return '';
  return templates.find((t) => t.body === message)?.name ?? '';
}

/** Why the message cannot be kept as a template named `name`; null when it can. */
export function templateProblem(name: string, body: string): string | null {
  if (name.trim() === '') return 'Name the template.';
  if (body.trim() === '') return 'Type the message to keep first.';
  return null;
}

/** The templates with `name` holding `body`: replaced in place, or added at the end. */
export function upsertTemplate(templates: readonly TextTemplate[], name: string, body: string): TextTemplate[] {
  const trimmed = name.trim();
  const key = trimmed.toLowerCase();
  const index = templates.findIndex((t) => t.name.trim().toLowerCase() === key);
  const next = templates.map((t) => ({ ...t }));
  if (index >= 0) next[index] = { name: trimmed, body };
  else next.push({ name: trimmed, body });
  return next;
}

export function removeTemplate(templates: readonly TextTemplate[], name: string): TextTemplate[] {
  return templates.filter((t) => t.name !== name).map((t) => ({ ...t }));
}

/** "Added to “Final expense follow-up”" (a contact who opted out is refused, never added). */
export function campaignAddedText(title: string): string {
  return `Added to “${title}”`;
}
