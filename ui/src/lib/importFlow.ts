// The lead file import screen's logic: the column mapping, the counts and the progress, as text.
import type { ImportCounts, ImportField, ImportProgress, ImportResult } from './bindings';
import { formatCount, pluralize } from './format';

/** One entry per column: the key of the lead field it fills, or null when it is not imported. */
export type Mapping = (string | null)[];

/** The preview rows shown under the mapping. */
export const PREVIEW_ROWS = 10;

/** The mapping with exactly one entry per column (missing ones not imported). */
export function fitMapping(mapping: readonly (string | null)[], columns: number): Mapping {
  return Array.from({ length: Math.max(0, columns) }, (_, i) => mapping[i] ?? null);
}

/** Sets one column's target; a column out of range changes nothing. */
export function setTarget(mapping: readonly (string | null)[], column: number, key: string | null): Mapping {
  const next = [...mapping];
  if (Number.isInteger(column) && column >= 0 && column < next.length) next[column] = key;
  return next;
}

/** The columns whose field another column fills too (a field takes one column). */
export function duplicateTargets(mapping: readonly (string | null)[]): Set<number> {
  const columns = new Map<string, number[]>();
  mapping.forEach((key, column) => {
    if (key === null) return;
    const list = columns.get(key);
    if (list) list.push(column);
    else columns.set(key, [column]);
  });
  const out = new Set<number>();
  for (const list of columns.values()) if (list.length > 1) for (const column of list) out.add(column);
  return out;
}

export function sameMapping(a: readonly (string | null)[], b: readonly (string | null)[]): boolean {
  return a.length === b.length && a.every((key, i) => key === b[i]);
}

/** A field's label; an unknown key as given. */
export function fieldLabel(fields: readonly ImportField[], key: string): string {
  return fields.find((f) => f.key === key)?.label ?? key;
}

/** One line per field chosen for more than one column, in column order. */
export function duplicateProblems(
  mapping: readonly (string | null)[],
  headers: readonly string[],
  fields: readonly ImportField[],
): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  const duplicates = duplicateTargets(mapping);
  mapping.forEach((key, column) => {
    if (key === null || seen.has(key) || !duplicates.has(column)) return;
    seen.add(key);
    const columns = mapping.flatMap((k, i) => (k === key ? [`“${columnName(headers, i)}”`] : []));
    out.push(`${fieldLabel(fields, key)} is chosen for ${columns.length} columns (${columns.join(', ')}); choose it for one only.`);
  });
  return out;
}

/**
 * The leads an import sends: rows that are leads, less those repeating an earlier row
 * (the engine counts a repeat in `leads` too, and sends it as one lead with the earlier row).
 */
export function leadsToSend(c: ImportCounts): number {
  return Math.max(0, c.leads - c.duplicates);
}

/** What a checked or imported file holds, a line each. */
export function countsSummary(c: ImportCounts): string[] {
  const lines = [`${pluralize(leadsToSend(c), 'lead')} in ${pluralize(c.rows, 'row')}`];
  if (c.duplicates > 0) {
    const rows = c.duplicates === 1 ? '1 row repeats' : `${formatCount(c.duplicates)} rows repeat`;
    lines.push(`${rows} an earlier row in the file (same lead, imported once)`);
  }
  lines.push(c.invalid > 0 ? `${pluralize(c.invalid, 'row')} cannot be imported` : 'No invalid rows');
  if (c.newLeads !== null && c.updates !== null) {
    lines.push(`${formatCount(c.newLeads)} new, ${formatCount(c.updates)} already among your leads (as last synced)`);
  }
  return lines;
}

/** Why rows cannot be imported, the most frequent first (a row may have several reasons). */
export function reasonLines(c: ImportCounts): string[] {
  return [...c.reasons]
    .filter((r) => r.count > 0)
    .sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason))
    .map((r) => `${r.reason}: ${formatCount(r.count)}`);
}

/** Said when some rows were not UTF-8; null otherwise. */
export function encodingNote(c: ImportCounts): string | null {
  if (!(c.convertedRows > 0)) return null;
  const rows = c.convertedRows === 1 ? '1 row was' : `${formatCount(c.convertedRows)} rows were`;
  return `${rows} read as Windows-1252`;
}

export function progressPercent(p: ImportProgress): number {
  if (!(p.total > 0) || !(p.done > 0)) return 0;
  return Math.min(100, (p.done / p.total) * 100);
}

/** "Reading 4,000 of 10,000 rows · 52,000 rows/s", "Sending 2,000 of 9,853 leads · 900 leads/s". */
export function progressText(p: ImportProgress): string {
  const [verb, singular, plural] = p.phase === 'reading' ? ['Reading', 'row', 'rows'] : ['Sending', 'lead', 'leads'];
  const done = formatCount(Math.max(0, p.done));
  const text =
    p.total > 0
      ? `${verb} ${done} of ${pluralize(p.total, singular, plural)}`
      : `${verb} ${done} ${p.done === 1 ? singular : plural}`;
  const rate = Math.round(p.rowsPerSecond);
  return rate > 0 ? `${text} · ${formatCount(rate)} ${plural}/s` : text;
}

/** "9,853 leads: 9,100 new, 700 updated, 53 unchanged", or what happens to a queued import. */
export function resultSummary(r: ImportResult): string {
  if (r.queued) {
    const n = leadsToSend(r.counts);
    return `Queued: ${pluralize(n, 'lead')} will be sent when you are back online`;
  }
  const total = r.imported + r.updated + r.unchanged;
  if (total === 0) return 'No leads were imported';
  return `${pluralize(total, 'lead')}: ${formatCount(r.imported)} new, ${formatCount(r.updated)} updated, ${formatCount(r.unchanged)} unchanged`;
}

/** Why the import cannot start yet; null when it can. */
export function startBlocker(
  notLeads: string | null,
  mapping: readonly (string | null)[],
  counts: ImportCounts | null,
): string | null {
  if (notLeads !== null) return 'This file cannot be imported as leads.';
  if (duplicateTargets(mapping).size > 0) return 'Each field can be filled from one column only.';
  if (counts === null) return 'Check the file to see what will be imported.';
  if (leadsToSend(counts) === 0) return 'No row of this file can be imported.';
  return null;
}

export function startLabel(counts: ImportCounts | null): string {
  return counts === null ? 'Import leads' : `Import ${pluralize(leadsToSend(counts), 'lead')}`;
}

/** A row's cells, one per column (a short row padded, extra cells left out). */
export function padCells(cells: readonly string[], columns: number): string[] {
  return Array.from({ length: Math.max(0, columns) }, (_, i) => cells[i] ?? '');
}

/** A column's name: its header, or its number when the header is blank. */
export function columnName(headers: readonly string[], column: number): string {
  const header = headers[column]?.trim() ?? '';
  return header === '' ? `Column ${column + 1}` : header;
}

export function vendorText(vendor: string): string {
  return vendor === 'Other' ? 'Other vendor: columns matched by their names' : `${vendor} file`;
}

/** The last part of a path, with `/` or `\` separators. */
export function fileNameFromPath(path: string): string {
  const parts = path.split(/[\\/]/).filter((part) => part !== '');
  return parts.length === 0 ? '' : parts[parts.length - 1];
}
