import { describe, expect, it } from 'vitest';
import type { DispositionOption } from './bindings';
import {
  DEFAULT_DISPOSITION_COLOR,
  colorInputValue,
  dispositionAt,
  dispositionChange,
  dispositionProblem,
  dispositionText,
  movedIds,
  removeQuestion,
  safeColor,
} from './dispositions';

describe('safeColor', () => {
  it('accepts plain colours', () => {
    expect(safeColor('#2563eb')).toBe('#2563eb');
    expect(safeColor(' #abc ')).toBe('#abc');
    expect(safeColor('#2563eb80')).toBe('#2563eb80');
    expect(safeColor('rgb(37, 99, 235)')).toBe('rgb(37, 99, 235)');
    expect(safeColor('hsl(220deg 83% 53% / 50%)')).toBe('hsl(220deg 83% 53% / 50%)');
    expect(safeColor('teal')).toBe('teal');
  });
  it('refuses anything else', () => {
    expect(safeColor('url(https://evil.example/x.png)')).toBeNull();
    expect(safeColor('red; background: url(x)')).toBeNull();
    expect(safeColor('var(--accent)')).toBeNull();
    expect(safeColor('#12345')).toBeNull();
    expect(safeColor('')).toBeNull();
    expect(safeColor(null)).toBeNull();
  });
});

describe('dispositionText', () => {
  it('names the disposition, or says there is none', () => {
    expect(dispositionText('Quoted')).toBe('Quoted');
    expect(dispositionText(null)).toBe('No disposition');
    expect(dispositionText('  ')).toBe('No disposition');
  });
});

describe('dispositionAt', () => {
  const options: DispositionOption[] = [
    { id: 'default-1', name: 'New', color: '#888', emoji: '🆕' },
    { id: 'default-2', name: 'Quoted', color: '#2563eb', emoji: '💬' },
  ];
  it('finds the Nth disposition', () => {
    expect(dispositionAt(options, 0)?.name).toBe('New');
    expect(dispositionAt(options, 1)?.name).toBe('Quoted');
  });
  it('is null past the end', () => {
    expect(dispositionAt(options, 2)).toBeNull();
    expect(dispositionAt([], 0)).toBeNull();
  });
});

const LIST: DispositionOption[] = [
  { id: 'd1', name: 'New', color: '#888888', emoji: '🆕' },
  { id: 'd2', name: 'Quoted', color: '#2563EB', emoji: '💬' },
  { id: 'd3', name: 'Sold', color: '#16a34a', emoji: '' },
];

describe('colorInputValue', () => {
  it('gives a colour input #rrggbb in lower case', () => {
    expect(colorInputValue('#2563EB')).toBe('#2563eb');
    expect(colorInputValue(' #16a34a ')).toBe('#16a34a');
    expect(colorInputValue('#abc')).toBe('#aabbcc');
  });
  it('falls back for anything a colour input cannot show', () => {
    expect(colorInputValue('teal')).toBe(DEFAULT_DISPOSITION_COLOR);
    expect(colorInputValue('rgb(1, 2, 3)')).toBe(DEFAULT_DISPOSITION_COLOR);
    expect(colorInputValue('#2563eb80', '#000000')).toBe('#000000');
    expect(colorInputValue('#abcd')).toBe(DEFAULT_DISPOSITION_COLOR);
    expect(colorInputValue(null)).toBe(DEFAULT_DISPOSITION_COLOR);
    expect(DEFAULT_DISPOSITION_COLOR).toMatch(/^#[0-9a-f]{6}$/);
  });
});

describe('dispositionProblem', () => {
  it('accepts a new disposition the engine takes', () => {
    expect(dispositionProblem({ name: 'Callback', color: '#aa00ff', emoji: '📞' }, LIST)).toBeNull();
    expect(dispositionProblem({ name: 'x'.repeat(50), color: '#AA00FF', emoji: '' }, LIST)).toBeNull();
  });
  it('needs a name of at most 50 characters', () => {
    expect(dispositionProblem({ name: '   ' }, LIST)).toBe('A disposition needs a name.');
    expect(dispositionProblem({ name: 'x'.repeat(51) }, LIST)).toMatch(/at most 50/);
  });
  it("refuses another disposition's name, whatever its case, but lets one keep its own", () => {
    expect(dispositionProblem({ name: ' quoted ' }, LIST)).toBe('There is already a disposition named “Quoted”.');
    expect(dispositionProblem({ name: 'quoted' }, LIST, 'd1')).toMatch(/already/);
    expect(dispositionProblem({ name: 'QUOTED' }, LIST, 'd2')).toBeNull();
  });
  it('needs a #rrggbb colour', () => {
    for (const bad of ['#abc', 'blue', '#12345g', '2563eb', '', '#2563eb80', '#2563eb ;x']) {
      expect(dispositionProblem({ color: bad }, LIST), bad).toMatch(/#rrggbb/);
    }
  });
  it('counts an emoji in characters, as the engine does', () => {
    expect(dispositionProblem({ emoji: '😀'.repeat(8) }, LIST)).toBeNull();
    expect(dispositionProblem({ emoji: '😀'.repeat(9) }, LIST)).toMatch(/at most 8/);
  });
  it('checks only the fields given', () => {
    expect(dispositionProblem({}, LIST)).toBeNull();
    expect(dispositionProblem({ emoji: '' }, LIST)).toBeNull();
  });
});

describe('dispositionChange', () => {
  it('is the field changed, trimmed', () => {
    expect(dispositionChange(LIST[1], 'name', ' Quote sent ')).toEqual({ name: 'Quote sent' });
    expect(dispositionChange(LIST[1], 'emoji', '✅')).toEqual({ emoji: '✅' });
    expect(dispositionChange(LIST[1], 'emoji', '')).toEqual({ emoji: '' });
    expect(dispositionChange(LIST[1], 'color', '#FF0000')).toEqual({ color: '#ff0000' });
  });
  it('is null when nothing changed', () => {
    expect(dispositionChange(LIST[1], 'name', 'Quoted ')).toBeNull();
    expect(dispositionChange(LIST[1], 'color', '#2563eb')).toBeNull();
    expect(dispositionChange(LIST[2], 'emoji', ' ')).toBeNull();
  });
});

describe('movedIds', () => {
  it('swaps a disposition with the one above or below', () => {
    expect(movedIds(LIST, 1, -1)).toEqual(['d2', 'd1', 'd3']);
    expect(movedIds(LIST, 1, 1)).toEqual(['d1', 'd3', 'd2']);
    expect(LIST.map((o) => o.id)).toEqual(['d1', 'd2', 'd3']);
  });
  it('cannot move the first up or the last down', () => {
    expect(movedIds(LIST, 0, -1)).toBeNull();
    expect(movedIds(LIST, 2, 1)).toBeNull();
    expect(movedIds(LIST, 5, -1)).toBeNull();
    expect(movedIds([], 0, 1)).toBeNull();
  });
});

describe('removeQuestion', () => {
  it('names the disposition and says the leads keep it', () => {
    expect(removeQuestion(LIST[1])).toBe('Remove “Quoted”? Leads keep the name they have.');
  });
});
