// The lead detail's "Details" form: which fields the rep changed, and whether they can be sent.
// As on the server, an empty value changes nothing, so a field cannot be cleared from here.
import type { EditableField, FieldChange, LeadDetail, LeadRow } from './bindings';

/** The form's text of each field, by wire name ("name", "state", "dob", …). */
export type Draft = Record<string, string>;

/** A field's text in the form that cannot be sent, and why. */
export interface FieldProblem {
  field: string;
  message: string;
}

export interface EditPlan {
  /** The fields whose text differs from the lead's (trimmed, non-empty), in the form's order. */
  changes: FieldChange[];
  /** Fields emptied or with text the server would not take; nothing is sent while there are any. */
  problems: FieldProblem[];
}

/** How a field's input behaves. */
export type InputKind = 'state' | 'dob' | 'text';

export function inputKind(field: string): InputKind {
  return field === 'state' || field === 'dob' ? field : 'text';
}

export const DOB_PLACEHOLDER = 'YYYY-MM-DD';

function has(draft: Draft, field: string): boolean {
  return Object.prototype.hasOwnProperty.call(draft, field);
}

/** The lead's values, as the form starts with them. */
export function draftOf(fields: readonly EditableField[]): Draft {
  const draft: Draft = {};
  for (const f of fields) draft[f.field] = typeof f.value === 'string' ? f.value : '';
  return draft;
}

/** A field's text in `draft`; the lead's value when the draft has none. */
export function textOf(draft: Draft, field: EditableField): string {
  return has(draft, field.field) ? draft[field.field] : field.value;
}

/** Text as typed into a field: a state is upper case. */
export function normalizeInput(field: string, text: string): string {
  return inputKind(field) === 'state' ? text.toUpperCase() : text;
}

const STATE = /^[A-Z]{2}$/;

/** A two-letter state code, e.g. "TX" (upper case, as the input makes it). */
export function isStateCode(text: string): boolean {
  return STATE.test(text);
}

const DOB = /^(\d{4})-(\d{2})-(\d{2})$/;
const EARLIEST_BIRTH_YEAR = 1900;

/**
 * Why `text` is not a date of birth (`YYYY-MM-DD`, a real day, from 1900 and not after `today`,
 * itself `YYYY-MM-DD`), or null when it is one.
 */
export function dobProblem(text: string, today: string): string | null {
  const match = DOB.exec(text);
  if (match === null) return `Date of birth must be written ${DOB_PLACEHOLDER}, e.g. 1980-04-23`;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(2000, month - 1, day));
  date.setUTCFullYear(year);
  if (month < 1 || month > 12 || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) {
    return `${text} is not a real date`;
  }
  if (year < EARLIEST_BIRTH_YEAR) return `Date of birth must be in ${EARLIEST_BIRTH_YEAR} or later`;
  if (text > today) return 'Date of birth cannot be in the future';
  return null;
}

/** The local calendar day of `date`, `YYYY-MM-DD`. */
export function localDay(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/** What saving the form would send, and what stops it. `today` is `YYYY-MM-DD`. */
export function planEdit(fields: readonly EditableField[], draft: Draft, today: string): EditPlan {
  const changes: FieldChange[] = [];
  const problems: FieldProblem[] = [];
  for (const f of fields) {
    const before = f.value.trim();
    const typed = textOf(draft, f).trim();
    // A value the lead already has (even one the form would now write otherwise) is no change.
    if (typed === before) continue;
    const text = normalizeInput(f.field, typed);
    if (text === '') {
      problems.push({ field: f.field, message: `${f.label} cannot be cleared` });
      continue;
    }
    if (text === before) continue;
    changes.push({ field: f.field, value: text });
    const problem = valueProblem(f, text, today);
    if (problem !== null) problems.push({ field: f.field, message: problem });
  }
  return { changes, problems };
}

function valueProblem(field: EditableField, text: string, today: string): string | null {
  switch (inputKind(field.field)) {
    case 'state':
      return isStateCode(text) ? null : `${field.label} must be two letters, e.g. TX`;
    case 'dob':
      return dobProblem(text, today);
    case 'text':
      return null;
  }
}

/** The problem with one field, if any. */
export function problemOf(plan: EditPlan, field: string): string | null {
  return plan.problems.find((p) => p.field === field)?.message ?? null;
}

/**
 * The draft once the lead's values change from `before` to `after` (a save, a sync): a field
 * the rep has not touched follows the lead; one being edited is kept.
 */
export function followBase(draft: Draft, before: Draft, after: Draft): Draft {
  const next: Draft = {};
  for (const field of Object.keys(after)) {
    const touched = has(draft, field) && (!has(before, field) || draft[field] !== before[field]);
    next[field] = touched ? draft[field] : after[field];
  }
  return next;
}

/** "1 field changed", "3 fields changed", or "" for none. */
export function changeSummary(plan: EditPlan): string {
  const n = plan.changes.length;
  if (n === 0) return '';
  return `${n} ${n === 1 ? 'field' : 'fields'} changed`;
}

/** What the lead list's row shows of the lead, from its detail. */
export function rowChanges(detail: LeadDetail): Partial<Omit<LeadRow, 'id'>> {
  const change: Partial<Omit<LeadRow, 'id'>> = { name: detail.name, phone: detail.phone };
  const state = Array.isArray(detail.editable) ? detail.editable.find((f) => f.field === 'state') : undefined;
  if (state !== undefined) change.state = state.value.trim() === '' ? null : state.value;
  return change;
}
