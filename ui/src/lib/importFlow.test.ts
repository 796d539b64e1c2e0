import { describe, expect, it } from 'vitest';
import type { ImportCounts, ImportProgress, ImportResult } from './bindings';
import {
  columnName,
  countsSummary,
  duplicateProblems,
  duplicateTargets,
  encodingNote,
  fieldLabel,
  fileNameFromPath,
  fitMapping,
  leadsToSend,
  padCells,
  progressPercent,
  progressText,
  reasonLines,
  resultSummary,
  sameMapping,
  setTarget,
  startBlocker,
  startLabel,
  vendorText,
} from './importFlow';

const FIELDS = [
  { key: 'firstName', label: 'First name' },
  { key: 'phone', label: 'Phone' },
  { key: 'email', label: 'Email' },
];

function counts(overrides: Partial<ImportCounts> = {}): ImportCounts {
  return {
    rows: 10_000,
    leads: 9_973,
    duplicates: 120,
    invalid: 27,
    reasons: [],
    encoding: 'UTF-8',
    convertedRows: 0,
    newLeads: null,
    updates: null,
    ...overrides,
  };
}

function result(overrides: Partial<ImportResult> = {}): ImportResult {
  return {
    importId: 'imp-1',
    tag: 'NextGen 2026-12-01',
    queued: false,
    counts: counts(),
    imported: 9_100,
    updated: 700,
    unchanged: 53,
    errorFile: null,
    ...overrides,
  };
}

function progress(overrides: Partial<ImportProgress> = {}): ImportProgress {
  return { phase: 'reading', done: 4_000, total: 10_000, rowsPerSecond: 52_000, ...overrides };
}

describe('duplicateTargets', () => {
  it.each([
    { mapping: [], expected: [] },
    { mapping: [null, null, null], expected: [] },
    { mapping: ['phone', 'email', null], expected: [] },
    { mapping: ['phone', 'phone'], expected: [0, 1] },
    { mapping: ['phone', null, 'email', 'phone', 'email', 'firstName'], expected: [0, 2, 3, 4] },
    { mapping: ['phone', 'phone', 'phone'], expected: [0, 1, 2] },
  ])('$mapping → $expected', ({ mapping, expected }) => {
    expect([...duplicateTargets(mapping)].sort((a, b) => a - b)).toEqual(expected);
  });
});

describe('setTarget', () => {
  it('sets one column and leaves the original alone', () => {
    const before = ['phone', null, 'email'];
    const after = setTarget(before, 1, 'firstName');
    expect(after).toEqual(['phone', 'firstName', 'email']);
    expect(before).toEqual(['phone', null, 'email']);
    expect(after).not.toBe(before);
  });
  it('clears a column', () => {
    expect(setTarget(['phone', 'email'], 0, null)).toEqual([null, 'email']);
  });
  it.each([-1, 2, 1.5, Number.NaN])('ignores column %s', (column) => {
    expect(setTarget(['phone', 'email'], column, 'firstName')).toEqual(['phone', 'email']);
  });
});

describe('fitMapping and sameMapping', () => {
  it('pads and trims to the columns', () => {
    expect(fitMapping(['phone'], 3)).toEqual(['phone', null, null]);
    expect(fitMapping(['phone', 'email', 'firstName'], 2)).toEqual(['phone', 'email']);
    expect(fitMapping([], 0)).toEqual([]);
  });
  it('compares column by column', () => {
    expect(sameMapping(['phone', null], ['phone', null])).toBe(true);
    expect(sameMapping(['phone', null], [null, 'phone'])).toBe(false);
    expect(sameMapping(['phone'], ['phone', null])).toBe(false);
  });
});

describe('duplicateProblems', () => {
  const headers = ['Phone', 'Cell', 'E-mail', 'Work email'];
  it('names each field once with its columns', () => {
    expect(duplicateProblems(['phone', 'phone', 'email', 'email'], headers, FIELDS)).toEqual([
      'Phone is chosen for 2 columns (“Phone”, “Cell”); choose it for one only.',
      'Email is chosen for 2 columns (“E-mail”, “Work email”); choose it for one only.',
    ]);
  });
  it('says nothing without duplicates', () => {
    expect(duplicateProblems(['phone', null, 'email', null], headers, FIELDS)).toEqual([]);
  });
  it('falls back to the key and the column number', () => {
    expect(duplicateProblems(['zip', 'zip'], ['Zip', ' '], FIELDS)).toEqual([
      'zip is chosen for 2 columns (“Zip”, “Column 2”); choose it for one only.',
    ]);
    expect(fieldLabel(FIELDS, 'email')).toBe('Email');
  });
});

describe('counts', () => {
  it('sends the leads less the repeated rows', () => {
    expect(leadsToSend(counts())).toBe(9_853);
    expect(leadsToSend(counts({ leads: 3, duplicates: 5 }))).toBe(0);
  });
  it('summarises leads, repeats and invalid rows', () => {
    expect(countsSummary(counts())).toEqual([
      '9,853 leads in 10,000 rows',
      '120 rows repeat an earlier row in the file (same lead, imported once)',
      '27 rows cannot be imported',
    ]);
  });
  it('tells new leads from those already synced, when known', () => {
    const lines = countsSummary(counts({ newLeads: 9_000, updates: 853 }));
    expect(lines[lines.length - 1]).toBe('9,000 new, 853 already among your leads (as last synced)');
    expect(countsSummary(counts()).some((line) => line.includes('already among'))).toBe(false);
  });
  it('uses the singular and leaves out no repeats', () => {
    expect(countsSummary(counts({ rows: 1, leads: 1, duplicates: 0, invalid: 0 }))).toEqual([
      '1 lead in 1 row',
      'No invalid rows',
    ]);
    expect(countsSummary(counts({ rows: 3, leads: 3, duplicates: 1, invalid: 0 }))[1]).toBe(
      '1 row repeats an earlier row in the file (same lead, imported once)',
    );
  });
  it('lists reasons, the most frequent first, then by name', () => {
    const c = counts({
      reasons: [
        { reason: 'Phone missing', count: 5 },
        { reason: 'Bad state', count: 20 },
        { reason: 'Bad email', count: 5 },
        { reason: 'Never', count: 0 },
      ],
    });
    expect(reasonLines(c)).toEqual(['Bad state: 20', 'Bad email: 5', 'Phone missing: 5']);
    expect(c.reasons[0].reason).toBe('Phone missing');
  });
  it.each([
    { convertedRows: 0, expected: null },
    { convertedRows: 1, expected: '1 row was read as Windows-1252' },
    { convertedRows: 1_204, expected: '1,204 rows were read as Windows-1252' },
  ])('encoding note for $convertedRows converted rows', ({ convertedRows, expected }) => {
    expect(encodingNote(counts({ encoding: 'Windows-1252', convertedRows }))).toBe(expected);
  });
});

describe('progress', () => {
  it.each([
    { p: progress(), expected: 40 },
    { p: progress({ done: 0 }), expected: 0 },
    { p: progress({ done: 10_000 }), expected: 100 },
    { p: progress({ done: 12_000 }), expected: 100 },
    { p: progress({ total: 0 }), expected: 0 },
    { p: progress({ done: -5 }), expected: 0 },
    { p: progress({ done: Number.NaN }), expected: 0 },
  ])('percent of $p.done / $p.total is $expected', ({ p, expected }) => {
    expect(progressPercent(p)).toBe(expected);
  });
  it.each([
    { p: progress(), expected: 'Reading 4,000 of 10,000 rows · 52,000 rows/s' },
    {
      p: progress({ phase: 'sending', done: 2_000, total: 9_853, rowsPerSecond: 899.6 }),
      expected: 'Sending 2,000 of 9,853 leads · 900 leads/s',
    },
    { p: progress({ rowsPerSecond: 0 }), expected: 'Reading 4,000 of 10,000 rows' },
    { p: progress({ total: 0, rowsPerSecond: Number.NaN }), expected: 'Reading 4,000 rows' },
    { p: progress({ phase: 'sending', done: 1, total: 1, rowsPerSecond: 0 }), expected: 'Sending 1 of 1 lead' },
  ])('$expected', ({ p, expected }) => {
    expect(progressText(p)).toBe(expected);
  });
});

describe('resultSummary', () => {
  it('counts new, updated and unchanged leads', () => {
    expect(resultSummary(result())).toBe('9,853 leads: 9,100 new, 700 updated, 53 unchanged');
  });
  it('says when nothing was imported', () => {
    expect(resultSummary(result({ imported: 0, updated: 0, unchanged: 0 }))).toBe('No leads were imported');
  });
  it('says a queued import waits to be sent', () => {
    expect(resultSummary(result({ queued: true, imported: 0, updated: 0, unchanged: 0 }))).toBe(
      'Queued: 9,853 leads will be sent when you are back online',
    );
  });
});

describe('starting', () => {
  it.each([
    { notLeads: 'EverQuote transaction report', mapping: ['phone'], c: counts(), blocked: true },
    { notLeads: null, mapping: ['phone', 'phone'], c: counts(), blocked: true },
    { notLeads: null, mapping: ['phone'], c: null, blocked: true },
    { notLeads: null, mapping: ['phone'], c: counts({ leads: 0, duplicates: 0 }), blocked: true },
    { notLeads: null, mapping: ['phone', null], c: counts(), blocked: false },
  ])('blocked: $blocked', ({ notLeads, mapping, c, blocked }) => {
    expect(startBlocker(notLeads, mapping, c) !== null).toBe(blocked);
  });
  it('names what blocks it first', () => {
    expect(startBlocker('x', ['phone', 'phone'], null)).toBe('This file cannot be imported as leads.');
    expect(startBlocker(null, ['phone', 'phone'], null)).toBe('Each field can be filled from one column only.');
  });
  it('labels the button with the leads to send', () => {
    expect(startLabel(null)).toBe('Import leads');
    expect(startLabel(counts())).toBe('Import 9,853 leads');
    expect(startLabel(counts({ leads: 2, duplicates: 1 }))).toBe('Import 1 lead');
  });
});

describe('the preview table', () => {
  it('gives each column one cell', () => {
    expect(padCells(['Ann', '555'], 4)).toEqual(['Ann', '555', '', '']);
    expect(padCells(['Ann', '555', 'extra'], 2)).toEqual(['Ann', '555']);
  });
  it('names blank headers by their number', () => {
    expect(columnName(['Phone', '  ', ''], 0)).toBe('Phone');
    expect(columnName(['Phone', '  ', ''], 1)).toBe('Column 2');
    expect(columnName(['Phone'], 4)).toBe('Column 5');
  });
  it('says which vendor', () => {
    expect(vendorText('NextGen Leads')).toBe('NextGen Leads file');
    expect(vendorText('Other')).toBe('Other vendor: columns matched by their names');
  });
});

describe('fileNameFromPath', () => {
  it.each([
    ['/home/ann/leads/nextgen.csv', 'nextgen.csv'],
    ['C:\\Users\\Ann\\Downloads\\USHA export.csv', 'USHA export.csv'],
    ['C:/Users/Ann/mixed\\file.txt', 'file.txt'],
    ['\\\\server\\share\\leads.csv', 'leads.csv'],
    ['/tmp/dir/', 'dir'],
    ['leads.csv', 'leads.csv'],
    ['', ''],
  ])('%s → %s', (path, expected) => {
    expect(fileNameFromPath(path)).toBe(expected);
  });
});
