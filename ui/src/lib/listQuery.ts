// What the rep chose to see (search, filters, order) and the `list_leads` query it makes.
import type { Exported, FacetValue, ListQuery, ListSort, ZoneFacet } from './bindings';
import { formatCount, pluralize } from './format';

/** The list's search, filters and order as the controls hold them; '' and [] mean "any". */
export interface ListView {
  search: string;
  /** Any of these states (2-letter codes, as the facets spell them). */
  states: readonly string[];
  /** Any of these dispositions; "No Disposition" for leads without one. */
  dispositions: readonly string[];
  /** Any of these IANA time zones (a zone facet's value). */
  zones: readonly string[];
  /** Only the leads that may be called now, in their own time. */
  callableNow: boolean;
  source: string;
  /** An import's tag. */
  batch: string;
  /** `YYYY-MM-DD` (a date input's value). */
  receivedFrom: string;
  receivedTo: string;
  sort: ListSort;
  ascending: boolean;
}

/** Newest first, everything. */
export const DEFAULT_VIEW: Readonly<ListView> = Object.freeze({
  search: '',
  states: Object.freeze([]),
  dispositions: Object.freeze([]),
  zones: Object.freeze([]),
  callableNow: false,
  source: '',
  batch: '',
  receivedFrom: '',
  receivedTo: '',
  sort: 'createdAt',
  ascending: false,
});

/** A view of its own, as DEFAULT_VIEW (whose lists cannot change): for the controls to hold. */
export function defaultView(): ListView {
  return { ...DEFAULT_VIEW, states: [], dispositions: [], zones: [] };
}

/** Most rows one `list_leads` call returns. */
export const MAX_LIMIT = 500;

/** A choice of the "Sort by" menu: an order, and for the time zone its direction too. */
export interface SortOption {
  value: string;
  label: string;
  sort: ListSort;
  /** The direction the option stands for; absent when the direction button alone says it. */
  ascending?: boolean;
}

export const SORT_OPTIONS: readonly SortOption[] = [
  { value: 'createdAt', label: 'Received', sort: 'createdAt' },
  { value: 'name', label: 'Name', sort: 'name' },
  { value: 'state', label: 'State', sort: 'state' },
  { value: 'disposition', label: 'Disposition', sort: 'disposition' },
  // Descending is East to West: where the day starts first.
  { value: 'timeZone', label: 'Time zone: East → West', sort: 'timeZone', ascending: false },
  { value: 'timeZoneWestEast', label: 'Time zone: West → East', sort: 'timeZone', ascending: true },
];

/** The natural direction of a sort: newest first for dates, East to West for zones, A to Z for text. */
export function defaultAscending(sort: ListSort): boolean {
  return sort !== 'createdAt' && sort !== 'timeZone';
}

/** The "Sort by" choice that shows the view's order. */
export function sortOptionOf(view: Pick<ListView, 'sort' | 'ascending'>): SortOption {
  return (
    SORT_OPTIONS.find((o) => o.sort === view.sort && (o.ascending === undefined || o.ascending === view.ascending)) ??
    SORT_OPTIONS[0]
  );
}

/** The order "Sort by" choice `value` asks for; null for a value that is not a choice. */
export function sortChosen(value: string): Pick<ListView, 'sort' | 'ascending'> | null {
  const option = SORT_OPTIONS.find((o) => o.value === value);
  if (!option) return null;
  return { sort: option.sort, ascending: option.ascending ?? defaultAscending(option.sort) };
}

/** The direction toggle's text. */
export function directionLabel(sort: ListSort, ascending: boolean): string {
  if (sort === 'createdAt') return ascending ? 'Oldest first' : 'Newest first';
  if (sort === 'timeZone') return ascending ? 'West → East' : 'East → West';
  return ascending ? 'A → Z' : 'Z → A';
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

function text(value: string): string | null {
  const trimmed = value.trim();
  return trimmed === '' ? null : trimmed;
}

function day(value: string): string | null {
  const trimmed = value.trim();
  return DAY.test(trimmed) ? trimmed : null;
}

/** The chosen values, trimmed, without blanks or repeats, in one order (the order chosen in does not matter). */
function values(list: readonly string[] | null | undefined): string[] {
  const kept = new Set<string>();
  for (const value of list ?? []) {
    const trimmed = typeof value === 'string' ? value.trim() : '';
    if (trimmed !== '') kept.add(trimmed);
  }
  return [...kept].sort();
}

/** The `list_leads` query for one window of the view. Dates given the wrong way round are swapped. */
export function buildListQuery(view: ListView, offset: number, limit: number): ListQuery {
  let receivedFrom = day(view.receivedFrom);
  let receivedTo = day(view.receivedTo);
  if (receivedFrom !== null && receivedTo !== null && receivedFrom > receivedTo) {
    [receivedFrom, receivedTo] = [receivedTo, receivedFrom];
  }
  return {
    search: text(view.search),
    states: values(view.states),
    dispositions: values(view.dispositions),
    zones: values(view.zones),
    callableNow: view.callableNow === true,
    source: text(view.source),
    batch: text(view.batch),
    receivedFrom,
    receivedTo,
    sort: view.sort,
    ascending: view.ascending,
    offset: Math.max(0, Math.floor(offset)),
    limit: Math.min(MAX_LIMIT, Math.max(1, Math.floor(limit))),
  };
}

/** Identifies the rows a view lists: equal keys, equal lists. */
export function viewKey(view: ListView): string {
  return JSON.stringify(buildListQuery(view, 0, 1));
}

/** Whether anything narrows the list (search or a filter). */
export function isFiltered(view: ListView): boolean {
  const q = buildListQuery(view, 0, 1);
  const lists = [q.states, q.dispositions, q.zones].some((list) => list.length > 0);
  return lists || q.callableNow || [q.search, q.source, q.batch, q.receivedFrom, q.receivedTo].some((v) => v !== null);
}

/** The default order (newest first) with nothing narrowing it: where a new lead goes on top. */
export function isNewestFirstUnfiltered(view: ListView): boolean {
  return view.sort === 'createdAt' && !view.ascending && !isFiltered(view);
}

/** A filter choice: "FL (1,234)". */
export function facetLabel(facet: FacetValue): string {
  return `${facet.value} (${formatCount(facet.count)})`;
}

/** A filter's choices: the facets, plus the current choice if no cached lead has it any more. */
export function facetChoices(facets: readonly FacetValue[], current: string): FacetValue[] {
  if (current === '' || facets.some((f) => f.value === current)) return [...facets];
  return [...facets, { value: current, count: 0 }];
}

// --- Filters of many choices (states, dispositions, time zones) -------------------------------

/** One checkbox of a filter of many choices: the value the query takes, its name and count. */
export interface Choice {
  value: string;
  name: string;
  count: number;
}

/** A checkbox's text: "FL (1,234)", "Eastern (12)". */
export function choiceLabel(choice: Choice): string {
  return `${choice.name} (${formatCount(choice.count)})`;
}

/** The choices of a filter of facets, plus those chosen that no cached lead has any more (none of them). */
export function multiChoices(facets: readonly FacetValue[] | null | undefined, selected: readonly string[]): Choice[] {
  const choices: Choice[] = (facets ?? []).map((f) => ({ value: f.value, name: f.value, count: f.count }));
  for (const value of selected) {
    if (!choices.some((c) => c.value === value)) choices.push({ value, name: value, count: 0 });
  }
  return choices;
}

/** A zone's city, as people write it: "America/Indiana/Indianapolis" → "Indianapolis", "America/New_York" → "New York". */
export function zoneCity(zone: string): string {
  const last = zone.split('/').pop() ?? zone;
  return last.replace(/_/g, ' ') || zone;
}

/**
 * The time-zone filter's choices, East to West as the facets come: each by what reps call it
 * ("Eastern"), with its city where two zones share that name ("Eastern · Detroit"); a zone
 * chosen that no cached lead is in any more comes last, by its city.
 */
export function zoneChoices(zones: readonly ZoneFacet[] | null | undefined, selected: readonly string[]): Choice[] {
  const facets = zones ?? [];
  const shared = (label: string) => facets.filter((z) => z.label === label).length > 1;
  const choices: Choice[] = facets.map((z) => {
    const label = z.label.trim() || zoneCity(z.value);
    return { value: z.value, name: shared(z.label) ? `${label} · ${zoneCity(z.value)}` : label, count: z.count };
  });
  for (const value of selected) {
    if (!choices.some((c) => c.value === value)) choices.push({ value, name: zoneCity(value), count: 0 });
  }
  return choices;
}

/** `selected` with `value` chosen (`on`) or not, each value once. */
export function toggled(selected: readonly string[], value: string, on: boolean): string[] {
  const rest = selected.filter((v) => v !== value);
  return on ? [...rest, value] : rest;
}

/**
 * What a filter of many choices says when closed: `any` for none, the names of one or two
 * ("IL, FL"), else how many ("3 states").
 */
export function selectionSummary(selected: readonly string[], choices: readonly Choice[], any: string, plural: string): string {
  if (selected.length === 0) return any;
  const names = selected.map((v) => choices.find((c) => c.value === v)?.name ?? v);
  return names.length <= 2 ? names.join(', ') : `${formatCount(names.length)} ${plural}`;
}

/** What the list says after an export: "1,234 leads saved to /home/ann/leads.csv". */
export function exportedText(exported: Exported): string {
  return `${pluralize(exported.rows, 'lead')} saved to ${exported.path}`;
}
