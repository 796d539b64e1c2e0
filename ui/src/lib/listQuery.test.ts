import { describe, expect, it } from 'vitest';
import {
  DEFAULT_VIEW,
  buildListQuery,
  defaultAscending,
  directionLabel,
  facetChoices,
  facetLabel,
  isFiltered,
  isNewestFirstUnfiltered,
  viewKey,
  type ListView,
} from './listQuery';

const view = (change: Partial<ListView> = {}): ListView => ({ ...DEFAULT_VIEW, ...change });

describe('buildListQuery', () => {
  it('asks for everything, newest first, by default', () => {
    expect(buildListQuery(view(), 0, 200)).toEqual({
      search: null,
      state: null,
      disposition: null,
      source: null,
      batch: null,
      receivedFrom: null,
      receivedTo: null,
      sort: 'createdAt',
      ascending: false,
      offset: 0,
      limit: 200,
    });
  });
  it('passes the chosen filters and order, trimmed', () => {
    const query = buildListQuery(
      view({
        search: '  rosa ',
        state: 'IL',
        disposition: 'No Disposition',
        source: 'NextGen',
        batch: ' NextGen Leads 2026-12-01 ',
        receivedFrom: '2025-03-01',
        receivedTo: '2025-03-04',
        sort: 'name',
        ascending: true,
      }),
      400,
      200,
    );
    expect(query).toEqual({
      search: 'rosa',
      state: 'IL',
      disposition: 'No Disposition',
      source: 'NextGen',
      batch: 'NextGen Leads 2026-12-01',
      receivedFrom: '2025-03-01',
      receivedTo: '2025-03-04',
      sort: 'name',
      ascending: true,
      offset: 400,
      limit: 200,
    });
  });
  it('drops blank filters and half-typed dates', () => {
    const query = buildListQuery(view({ search: '   ', state: ' ', receivedFrom: '2025-3-1', receivedTo: 'soon' }), 0, 10);
    expect([query.search, query.state, query.receivedFrom, query.receivedTo]).toEqual([null, null, null, null]);
  });
  it('swaps dates given the wrong way round', () => {
    const query = buildListQuery(view({ receivedFrom: '2025-03-04', receivedTo: '2025-03-01' }), 0, 10);
    expect([query.receivedFrom, query.receivedTo]).toEqual(['2025-03-01', '2025-03-04']);
  });
  it('keeps the offset and limit within what the command takes', () => {
    expect(buildListQuery(view(), -5, 10_000)).toMatchObject({ offset: 0, limit: 500 });
    expect(buildListQuery(view(), 12.7, 0)).toMatchObject({ offset: 12, limit: 1 });
  });
});

describe('views', () => {
  it('keys views by the rows they list', () => {
    expect(viewKey(view({ search: 'rosa ' }))).toBe(viewKey(view({ search: ' rosa' })));
    expect(viewKey(view({ sort: 'name' }))).not.toBe(viewKey(view()));
    expect(viewKey(view({ ascending: true }))).not.toBe(viewKey(view()));
  });
  it('knows when something narrows the list', () => {
    expect(isFiltered(view())).toBe(false);
    expect(isFiltered(view({ sort: 'name', ascending: true }))).toBe(false);
    expect(isFiltered(view({ search: 'x' }))).toBe(true);
    expect(isFiltered(view({ receivedTo: '2025-03-01' }))).toBe(true);
    expect(isFiltered(view({ batch: 'leads.csv 2026-12-01' }))).toBe(true);
    expect(isFiltered(view({ search: '  ' }))).toBe(false);
  });
  it('knows the newest-first unfiltered list, where new leads go on top', () => {
    expect(isNewestFirstUnfiltered(view())).toBe(true);
    expect(isNewestFirstUnfiltered(view({ ascending: true }))).toBe(false);
    expect(isNewestFirstUnfiltered(view({ sort: 'name' }))).toBe(false);
    expect(isNewestFirstUnfiltered(view({ source: 'NextGen' }))).toBe(false);
  });
});

describe('order controls', () => {
  it('sorts dates newest first and text A to Z unless told otherwise', () => {
    expect(defaultAscending('createdAt')).toBe(false);
    expect(defaultAscending('name')).toBe(true);
    expect(defaultAscending('disposition')).toBe(true);
  });
  it('says which way the list runs', () => {
    expect(directionLabel('createdAt', false)).toBe('Newest first');
    expect(directionLabel('createdAt', true)).toBe('Oldest first');
    expect(directionLabel('state', true)).toBe('A → Z');
    expect(directionLabel('state', false)).toBe('Z → A');
  });
});

describe('facets', () => {
  const states = [
    { value: 'FL', count: 1234 },
    { value: 'IL', count: 1 },
  ];
  it('labels a choice with its count', () => {
    expect(facetLabel(states[0])).toBe('FL (1,234)');
  });
  it('keeps the current choice even when no lead has it any more', () => {
    expect(facetChoices(states, '')).toEqual(states);
    expect(facetChoices(states, 'IL')).toEqual(states);
    expect(facetChoices(states, 'TX')).toEqual([...states, { value: 'TX', count: 0 }]);
  });
});
