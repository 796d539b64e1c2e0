// What the rep chose to see (search, filters, order) and the `list_leads` query it makes.
import type { FacetValue, ListQuery, ListSort } from './bindings';
import { formatCount } from './format';

/** The list's search, filters and order as the controls hold them; '' means "any". */
export interface ListView {
  search: string;
  state: string;
  disposition: string;
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
export const DEFAULT_VIEW: Readonly<ListView> = {
  search: '',
  state: '',
  disposition: '',
  source: '',
  batch: '',
  receivedFrom: '',
  receivedTo: '',
  sort: 'createdAt',
  ascending: false,
};

/** Most rows one `list_leads` call returns. */
export const MAX_LIMIT = 500;

export const SORT_OPTIONS: readonly { value: ListSort; label: string }[] = [
  { value: 'createdAt', label: 'Received' },
  { value: 'name', label: 'Name' },
  { value: 'state', label: 'State' },
  { value: 'disposition', label: 'Disposition' },
];

/** The natural direction of a sort: newest first for dates, A to Z for text. */
export function defaultAscending(sort: ListSort): boolean {
  return sort !== 'createdAt';
}

/** The direction toggle's text. */
export function directionLabel(sort: ListSort, ascending: boolean): string {
  if (sort === 'createdAt') return ascending ? 'Oldest first' : 'Newest first';
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

/** The `list_leads` query for one window of the view. Dates given the wrong way round are swapped. */
export function buildListQuery(view: ListView, offset: number, limit: number): ListQuery {
  let receivedFrom = day(view.receivedFrom);
  let receivedTo = day(view.receivedTo);
  if (receivedFrom !== null && receivedTo !== null && receivedFrom > receivedTo) {
    [receivedFrom, receivedTo] = [receivedTo, receivedFrom];
  }
  return {
    search: text(view.search),
    state: text(view.state),
    disposition: text(view.disposition),
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
  return [q.search, q.state, q.disposition, q.source, q.batch, q.receivedFrom, q.receivedTo].some((v) => v !== null);
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
