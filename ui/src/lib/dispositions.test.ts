import { describe, expect, it } from 'vitest';
import type { DispositionOption } from './bindings';
import { dispositionAt, dispositionText, safeColor } from './dispositions';

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
