import { describe, expect, it } from 'vitest';
import type { EditableField, LeadDetail } from './bindings';
import { NO_CALLS } from './calls';
import {
  changeSummary,
  dobProblem,
  draftOf,
  followBase,
  inputKind,
  isStateCode,
  localDay,
  normalizeInput,
  planEdit,
  problemOf,
  rowChanges,
  textOf,
} from './fieldEdits';

const TODAY = '2024-06-15';

const FIELDS: EditableField[] = [
  { field: 'name', label: 'Name', value: 'Rosa Diaz' },
  { field: 'phone', label: 'Phone', value: '5552102030' },
  { field: 'email', label: 'Email', value: '' },
  { field: 'state', label: 'State', value: 'TX' },
  { field: 'dob', label: 'Date of birth', value: '1980-04-23' },
  { field: 'gender', label: 'Gender', value: '' },
];

function draftWith(changes: Record<string, string>) {
  return { ...draftOf(FIELDS), ...changes };
}

describe('draftOf and textOf', () => {
  it('starts from the lead values', () => {
    expect(draftOf(FIELDS)).toEqual({
      name: 'Rosa Diaz',
      phone: '5552102030',
      email: '',
      state: 'TX',
      dob: '1980-04-23',
      gender: '',
    });
  });
  it('falls back to the lead value for a field the draft lacks', () => {
    expect(textOf({}, FIELDS[0])).toBe('Rosa Diaz');
    expect(textOf({ name: 'Rosa' }, FIELDS[0])).toBe('Rosa');
  });
  it('does not read inherited properties', () => {
    const odd: EditableField = { field: 'toString', label: 'Odd', value: 'x' };
    expect(textOf({}, odd)).toBe('x');
  });
});

describe('inputKind and normalizeInput', () => {
  it('knows the state and dob inputs', () => {
    expect(inputKind('state')).toBe('state');
    expect(inputKind('dob')).toBe('dob');
    expect(inputKind('name')).toBe('text');
  });
  it('upper-cases only the state', () => {
    expect(normalizeInput('state', 'tx')).toBe('TX');
    expect(normalizeInput('name', 'rosa')).toBe('rosa');
  });
});

describe('planEdit', () => {
  it('sends nothing when nothing changed', () => {
    expect(planEdit(FIELDS, draftOf(FIELDS), TODAY)).toEqual({ changes: [], problems: [] });
  });
  it('sends only the changed fields, trimmed, in form order', () => {
    const plan = planEdit(FIELDS, draftWith({ state: 'ca', name: '  Rosa Díaz ', email: 'rosa@example.com' }), TODAY);
    expect(plan.changes).toEqual([
      { field: 'name', value: 'Rosa Díaz' },
      { field: 'email', value: 'rosa@example.com' },
      { field: 'state', value: 'CA' },
    ]);
    expect(plan.problems).toEqual([]);
  });
  it('ignores whitespace-only differences', () => {
    expect(planEdit(FIELDS, draftWith({ name: ' Rosa Diaz  ' }), TODAY).changes).toEqual([]);
  });
  it('refuses to clear a field that has a value', () => {
    const plan = planEdit(FIELDS, draftWith({ phone: '   ', name: 'Rosa' }), TODAY);
    expect(plan.changes).toEqual([{ field: 'name', value: 'Rosa' }]);
    expect(plan.problems).toEqual([{ field: 'phone', message: 'Phone cannot be cleared' }]);
    expect(problemOf(plan, 'phone')).toBe('Phone cannot be cleared');
    expect(problemOf(plan, 'name')).toBeNull();
  });
  it('leaves an empty field that was empty alone', () => {
    expect(planEdit(FIELDS, draftWith({ gender: '' }), TODAY)).toEqual({ changes: [], problems: [] });
  });
  it('checks a changed state', () => {
    for (const state of ['T', 'TEX', 'T1', 'T X']) {
      const plan = planEdit(FIELDS, draftWith({ state }), TODAY);
      expect(problemOf(plan, 'state')).toBe('State must be two letters, e.g. TX');
    }
  });
  it('checks a changed date of birth', () => {
    expect(problemOf(planEdit(FIELDS, draftWith({ dob: '04/23/1980' }), TODAY), 'dob')).toMatch(/YYYY-MM-DD/);
    expect(problemOf(planEdit(FIELDS, draftWith({ dob: '1981-02-29' }), TODAY), 'dob')).toMatch(/not a real date/);
    expect(problemOf(planEdit(FIELDS, draftWith({ dob: '1984-02-29' }), TODAY), 'dob')).toBeNull();
  });
  it('does not judge values the lead already had', () => {
    const odd: EditableField[] = [
      { field: 'state', label: 'State', value: 'Texas' },
      { field: 'dob', label: 'Date of birth', value: '4/23/1980' },
      { field: 'zipcode', label: 'ZIP code', value: ' 02134 ' },
    ];
    expect(planEdit(odd, draftOf(odd), TODAY)).toEqual({ changes: [], problems: [] });
    const lower: EditableField[] = [{ field: 'state', label: 'State', value: 'tx' }];
    expect(planEdit(lower, draftOf(lower), TODAY)).toEqual({ changes: [], problems: [] });
    expect(planEdit(lower, { state: 'TX' }, TODAY)).toEqual({ changes: [{ field: 'state', value: 'TX' }], problems: [] });
  });
});

describe('isStateCode', () => {
  it('takes two capital letters', () => {
    expect(isStateCode('TX')).toBe(true);
    expect(isStateCode('tx')).toBe(false);
    expect(isStateCode('T')).toBe(false);
    expect(isStateCode('TXX')).toBe(false);
    expect(isStateCode('1X')).toBe(false);
  });
});

describe('dobProblem', () => {
  it('accepts a real past day', () => {
    expect(dobProblem('1980-04-23', TODAY)).toBeNull();
    expect(dobProblem('2000-02-29', TODAY)).toBeNull();
    expect(dobProblem(TODAY, TODAY)).toBeNull();
    expect(dobProblem('1900-01-01', TODAY)).toBeNull();
  });
  it('wants YYYY-MM-DD', () => {
    for (const text of ['1980-4-23', '23-04-1980', '1980/04/23', '19800423', 'soon', '1980-04-23T00:00']) {
      expect(dobProblem(text, TODAY)).toBe('Date of birth must be written YYYY-MM-DD, e.g. 1980-04-23');
    }
  });
  it('refuses days that do not exist', () => {
    for (const text of ['1980-13-01', '1980-00-10', '1980-04-31', '1900-02-29', '1980-04-00']) {
      expect(dobProblem(text, TODAY)).toBe(`${text} is not a real date`);
    }
  });
  it('refuses the future and the far past', () => {
    expect(dobProblem('2024-06-16', TODAY)).toBe('Date of birth cannot be in the future');
    expect(dobProblem('1899-12-31', TODAY)).toBe('Date of birth must be in 1900 or later');
    expect(dobProblem('0099-01-01', TODAY)).toBe('Date of birth must be in 1900 or later');
  });
});

describe('localDay', () => {
  it('formats the local calendar day', () => {
    expect(localDay(new Date(2024, 0, 5, 23, 59))).toBe('2024-01-05');
    expect(localDay(new Date(1999, 11, 31, 0, 0))).toBe('1999-12-31');
  });
});

describe('followBase', () => {
  it('moves untouched fields to the new values and keeps edited ones', () => {
    const before = { name: 'Rosa', state: 'TX', dob: '' };
    const after = { name: 'Rosa Diaz', state: 'CA', dob: '1980-04-23' };
    const draft = { name: 'Rosalind', state: 'TX', dob: '' };
    expect(followBase(draft, before, after)).toEqual({ name: 'Rosalind', state: 'CA', dob: '1980-04-23' });
  });
  it('picks up fields that are new', () => {
    expect(followBase({ name: 'Rosa' }, { name: 'Rosa' }, { name: 'Rosa', zipcode: '02134' })).toEqual({
      name: 'Rosa',
      zipcode: '02134',
    });
  });
});

describe('changeSummary', () => {
  it('counts the changes', () => {
    expect(changeSummary({ changes: [], problems: [] })).toBe('');
    expect(changeSummary({ changes: [{ field: 'name', value: 'x' }], problems: [] })).toBe('1 field changed');
    expect(
      changeSummary({
        changes: [
          { field: 'name', value: 'x' },
          { field: 'state', value: 'CA' },
        ],
        problems: [],
      }),
    ).toBe('2 fields changed');
  });
});

describe('rowChanges', () => {
  const detail: LeadDetail = {
    id: 'l1',
    name: 'Rosa Diaz',
    phone: '5552102030',
    email: null,
    disposition: null,
    notes: null,
    editable: FIELDS,
    groups: [],
    history: [],
    calls: { summary: NO_CALLS, doNotCall: null, caution: null, recent: [] },
    notesDraft: null,
  };
  it('takes the name, phone and state for the list row', () => {
    expect(rowChanges(detail)).toEqual({ name: 'Rosa Diaz', phone: '5552102030', state: 'TX' });
  });
  it('makes an empty state null and leaves a missing one alone', () => {
    const empty = { ...detail, editable: [{ field: 'state', label: 'State', value: '' }] };
    expect(rowChanges(empty)).toEqual({ name: 'Rosa Diaz', phone: '5552102030', state: null });
    expect(rowChanges({ ...detail, editable: [] })).toEqual({ name: 'Rosa Diaz', phone: '5552102030' });
  });
});
