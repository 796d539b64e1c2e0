import { describe, expect, it } from 'vitest';
import type { LeadRow } from './bindings';
import { dedupeLeads, mergeLead, mergeLeads } from './leads';

function lead(id: string, name = `Lead ${id}`): LeadRow {
  return { id, name, phone: null, state: null, source: null, disposition: null, receivedAt: null };
}
const ids = (list: LeadRow[]) => list.map((l) => l.id);

describe('mergeLead', () => {
  it('puts a new lead on top', () => {
    expect(ids(mergeLead([lead('b'), lead('a')], lead('c')))).toEqual(['c', 'b', 'a']);
  });
  it('works on an empty list', () => {
    expect(ids(mergeLead([], lead('a')))).toEqual(['a']);
  });
  it('replaces a row with the same id instead of duplicating it', () => {
    const merged = mergeLead([lead('c'), lead('b'), lead('a')], lead('b', 'Updated'));
    expect(ids(merged)).toEqual(['b', 'c', 'a']);
    expect(merged[0].name).toBe('Updated');
    expect(merged.filter((l) => l.id === 'b')).toHaveLength(1);
  });
  it('does not mutate its input', () => {
    const list = [lead('a')];
    mergeLead(list, lead('b'));
    expect(ids(list)).toEqual(['a']);
  });
});

describe('dedupeLeads / mergeLeads', () => {
  it('keeps the first occurrence of each id', () => {
    const list = dedupeLeads([lead('a', 'first'), lead('b'), lead('a', 'second')]);
    expect(ids(list)).toEqual(['a', 'b']);
    expect(list[0].name).toBe('first');
  });
  it('applies received leads in order, newest on top, without duplicates', () => {
    const merged = mergeLeads([lead('b'), lead('a')], [lead('c'), lead('a'), lead('c')]);
    expect(ids(merged)).toEqual(['c', 'a', 'b']);
  });
});
