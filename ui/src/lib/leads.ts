import type { LeadRow } from './bindings';

/** Remove later duplicates (same id), keeping the first — i.e. the newest — occurrence. */
export function dedupeLeads(list: readonly LeadRow[]): LeadRow[] {
  const seen = new Set<string>();
  const out: LeadRow[] = [];
  for (const lead of list) {
    if (seen.has(lead.id)) continue;
    seen.add(lead.id);
    out.push(lead);
  }
  return out;
}

/**
 * Put a freshly received lead at the top of a newest-first list, replacing any existing row
 * with the same id. Never mutates the input.
 */
export function mergeLead(list: readonly LeadRow[], lead: LeadRow): LeadRow[] {
  return [lead, ...list.filter((existing) => existing.id !== lead.id)];
}

/** Apply several received leads in arrival order (the last one received ends up on top). */
export function mergeLeads(list: readonly LeadRow[], received: readonly LeadRow[]): LeadRow[] {
  return received.reduce<LeadRow[]>((acc, lead) => mergeLead(acc, lead), dedupeLeads(list));
}
