import { describe, expect, it } from 'vitest';
import {
  DEFAULT_VIEW,
  buildListQuery,
  choiceLabel,
  defaultAscending,
  defaultView,
  directionLabel,
  exportedText,
  facetChoices,
  facetLabel,
  isFiltered,
  isNewestFirstUnfiltered,
  multiChoices,
  selectionSummary,
  sortChosen,
  sortOptionOf,
  toggled,
  viewKey,
  zoneChoices,
  zoneCity,
  type ListView,
} from './listQuery';

const view = (change: Partial<ListView> = {}): ListView => ({ ...DEFAULT_VIEW, ...change });

describe('buildListQuery', () => {
  it('asks for everything, newest first, by default', () => {
    expect(buildListQuery(view(), 0, 200)).toEqual({
      search: null,
      states: [],
      dispositions: [],
      zones: [],
      callableNow: false,
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
        states: ['IL', ' FL '],
        dispositions: ['No Disposition', 'Quoted'],
        zones: ['America/Chicago'],
        callableNow: true,
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
      states: ['FL', 'IL'],
      dispositions: ['No Disposition', 'Quoted'],
      zones: ['America/Chicago'],
      callableNow: true,
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
    const query = buildListQuery(view({ search: '   ', states: [' ', ''], receivedFrom: '2025-3-1', receivedTo: 'soon' }), 0, 10);
    expect([query.search, query.states, query.receivedFrom, query.receivedTo]).toEqual([null, [], null, null]);
  });
  it('asks for each chosen value once, whatever order they were chosen in', () => {
    const query = buildListQuery(view({ states: ['TX', 'IL', 'TX ', 'IL'], zones: ['America/New_York', 'America/Chicago'] }), 0, 10);
    expect(query.states).toEqual(['IL', 'TX']);
    expect(query.zones).toEqual(['America/Chicago', 'America/New_York']);
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
    expect(viewKey(view({ states: ['IL', 'FL'] }))).toBe(viewKey(view({ states: ['FL', 'IL'] })));
    expect(viewKey(view({ callableNow: true }))).not.toBe(viewKey(view()));
  });
  it('knows when something narrows the list', () => {
    expect(isFiltered(view())).toBe(false);
    expect(isFiltered(view({ sort: 'name', ascending: true }))).toBe(false);
    expect(isFiltered(view({ search: 'x' }))).toBe(true);
    expect(isFiltered(view({ receivedTo: '2025-03-01' }))).toBe(true);
    expect(isFiltered(view({ batch: 'leads.csv 2026-12-01' }))).toBe(true);
    expect(isFiltered(view({ search: '  ' }))).toBe(false);
    expect(isFiltered(view({ states: ['IL'] }))).toBe(true);
    expect(isFiltered(view({ dispositions: ['No Disposition'] }))).toBe(true);
    expect(isFiltered(view({ zones: ['America/Chicago'] }))).toBe(true);
    expect(isFiltered(view({ callableNow: true }))).toBe(true);
    expect(isFiltered(view({ states: [' '] }))).toBe(false);
    expect(isFiltered(view({ sort: 'timeZone' }))).toBe(false);
  });
  it('starts from a default view that cannot be changed by mistake', () => {
    expect(Object.isFrozen(DEFAULT_VIEW)).toBe(true);
    expect(Object.isFrozen(DEFAULT_VIEW.states)).toBe(true);
    const mine = defaultView();
    expect(mine).toEqual(DEFAULT_VIEW);
    expect(Object.isFrozen(mine.states)).toBe(false);
    expect(mine.zones).not.toBe(defaultView().zones);
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
    expect(defaultAscending('timeZone')).toBe(false);
  });
  it('offers the time zone both ways, and shows which way the list runs', () => {
    expect(sortChosen('timeZone')).toEqual({ sort: 'timeZone', ascending: false });
    expect(sortChosen('timeZoneWestEast')).toEqual({ sort: 'timeZone', ascending: true });
    expect(sortChosen('name')).toEqual({ sort: 'name', ascending: true });
    expect(sortChosen('createdAt')).toEqual({ sort: 'createdAt', ascending: false });
    expect(sortChosen('zodiac')).toBeNull();
    expect(sortOptionOf({ sort: 'timeZone', ascending: false }).label).toBe('Time zone: East → West');
    expect(sortOptionOf({ sort: 'timeZone', ascending: true }).label).toBe('Time zone: West → East');
    expect(sortOptionOf({ sort: 'name', ascending: false }).value).toBe('name');
    expect(sortOptionOf({ sort: 'createdAt', ascending: true }).value).toBe('createdAt');
  });
  it('says which way the list runs', () => {
    expect(directionLabel('createdAt', false)).toBe('Newest first');
    expect(directionLabel('createdAt', true)).toBe('Oldest first');
    expect(directionLabel('state', true)).toBe('A → Z');
    expect(directionLabel('state', false)).toBe('Z → A');
    expect(directionLabel('timeZone', false)).toBe('East → West');
    expect(directionLabel('timeZone', true)).toBe('West → East');
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

describe('filters of many choices', () => {
  const states = [
    { value: 'FL', count: 1234 },
    { value: 'IL', count: 1 },
  ];
  it('lists the facets, and the values chosen that no lead has any more', () => {
    expect(multiChoices(states, ['IL'])).toEqual([
      { value: 'FL', name: 'FL', count: 1234 },
      { value: 'IL', name: 'IL', count: 1 },
    ]);
    expect(multiChoices(states, ['TX'])[2]).toEqual({ value: 'TX', name: 'TX', count: 0 });
    expect(multiChoices(null, [])).toEqual([]);
    expect(choiceLabel({ value: 'FL', name: 'FL', count: 1234 })).toBe('FL (1,234)');
  });
  it('names zones as reps do, telling apart those that share a name', () => {
    const zones = [
      { value: 'America/New_York', label: 'Eastern', count: 12 },
      { value: 'America/Detroit', label: 'Eastern', count: 3 },
      { value: 'America/Chicago', label: 'Central', count: 7 },
      { value: 'Pacific/Guam', label: 'Pacific/Guam', count: 1 },
    ];
    const choices = zoneChoices(zones, ['America/Boise']);
    expect(choices.map(choiceLabel)).toEqual([
      'Eastern · New York (12)',
      'Eastern · Detroit (3)',
      'Central (7)',
      'Pacific/Guam (1)',
      'Boise (0)',
    ]);
    expect(choices.map((c) => c.value)).toEqual([
      'America/New_York',
      'America/Detroit',
      'America/Chicago',
      'Pacific/Guam',
      'America/Boise',
    ]);
    expect(zoneCity('America/Indiana/Indianapolis')).toBe('Indianapolis');
    expect(zoneChoices(undefined, [])).toEqual([]);
  });
  it('checks and unchecks a value', () => {
    expect(toggled(['IL'], 'FL', true)).toEqual(['IL', 'FL']);
    expect(toggled(['IL', 'FL'], 'FL', true)).toEqual(['IL', 'FL']);
    expect(toggled(['IL', 'FL'], 'IL', false)).toEqual(['FL']);
    expect(toggled([], 'IL', false)).toEqual([]);
  });
  it('says what is chosen in short', () => {
    const choices = [
      { value: 'America/New_York', name: 'Eastern', count: 12 },
      { value: 'America/Chicago', name: 'Central', count: 7 },
      { value: 'America/Denver', name: 'Mountain', count: 2 },
    ];
    expect(selectionSummary([], choices, 'All time zones', 'time zones')).toBe('All time zones');
    expect(selectionSummary(['America/Chicago'], choices, 'All time zones', 'time zones')).toBe('Central');
    expect(selectionSummary(['America/Chicago', 'America/New_York'], choices, 'Any', 'zones')).toBe('Central, Eastern');
    expect(selectionSummary(choices.map((c) => c.value), choices, 'Any', 'time zones')).toBe('3 time zones');
    expect(selectionSummary(['TX'], [], 'All states', 'states')).toBe('TX');
  });
});

describe('export', () => {
  it('says how many leads went where', () => {
    expect(exportedText({ path: '/home/ann/leads.csv', rows: 1234 })).toBe('1,234 leads saved to /home/ann/leads.csv');
    expect(exportedText({ path: 'C:\\Users\\ann\\leads.csv', rows: 1 })).toBe('1 lead saved to C:\\Users\\ann\\leads.csv');
    expect(exportedText({ path: '/tmp/x.csv', rows: 0 })).toBe('0 leads saved to /tmp/x.csv');
  });
});
