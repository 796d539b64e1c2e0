import { describe, expect, it } from 'vitest';
import { focusKind, keyAction, type FocusKind } from './keys';

const press = (key: string, modifiers: Partial<{ ctrlKey: boolean; metaKey: boolean; altKey: boolean }> = {}) => ({
  key,
  ctrlKey: false,
  metaKey: false,
  altKey: false,
  ...modifiers,
});

describe('keyAction', () => {
  it('moves the selection with the arrows', () => {
    expect(keyAction(press('ArrowDown'), 'other')).toEqual({ kind: 'move', by: 1 });
    expect(keyAction(press('ArrowUp'), 'control')).toEqual({ kind: 'move', by: -1 });
  });
  it('opens the selected lead with Enter, unless a button or link has the focus', () => {
    expect(keyAction(press('Enter'), 'other')).toEqual({ kind: 'open' });
    expect(keyAction(press('Enter'), 'control')).toBeNull();
  });
  it('focuses the search with /', () => {
    expect(keyAction(press('/'), 'other')).toEqual({ kind: 'focusSearch' });
  });
  it('maps digits 1–9 to the dispositions, from 0', () => {
    expect(keyAction(press('1'), 'other')).toEqual({ kind: 'disposition', index: 0 });
    expect(keyAction(press('9'), 'control')).toEqual({ kind: 'disposition', index: 8 });
    expect(keyAction(press('0'), 'other')).toBeNull();
  });
  it('claims with c (C with Caps Lock), even when a button has the focus', () => {
    expect(keyAction(press('c'), 'other')).toEqual({ kind: 'claim' });
    expect(keyAction(press('c'), 'control')).toEqual({ kind: 'claim' });
    expect(keyAction(press('C'), 'other')).toEqual({ kind: 'claim' });
  });
  it('leaves Ctrl+C and Cmd+C to copying', () => {
    expect(keyAction(press('c', { ctrlKey: true }), 'other')).toBeNull();
    expect(keyAction(press('c', { metaKey: true }), 'control')).toBeNull();
  });
  it('closes the detail with Escape, or first leaves the field being typed in', () => {
    expect(keyAction(press('Escape'), 'other')).toEqual({ kind: 'closeDetail' });
    expect(keyAction(press('Escape'), 'control')).toEqual({ kind: 'closeDetail' });
    expect(keyAction(press('Escape'), 'field')).toEqual({ kind: 'leaveField' });
  });
  it('leaves every other key to a field being typed in', () => {
    for (const key of ['ArrowDown', 'ArrowUp', 'Enter', '/', '3', 'a', 'c']) {
      expect(keyAction(press(key), 'field')).toBeNull();
    }
  });
  it('ignores keys with Ctrl, Cmd or Alt, and unknown keys', () => {
    expect(keyAction(press('1', { ctrlKey: true }), 'other')).toBeNull();
    expect(keyAction(press('ArrowDown', { metaKey: true }), 'other')).toBeNull();
    expect(keyAction(press('/', { altKey: true }), 'other')).toBeNull();
    expect(keyAction(press('a'), 'other')).toBeNull();
  });
});

describe('focusKind', () => {
  const cases: [string, boolean, FocusKind][] = [
    ['input', false, 'field'],
    ['TEXTAREA', false, 'field'],
    ['SELECT', false, 'field'],
    ['DIV', true, 'field'],
    ['BUTTON', false, 'control'],
    ['A', false, 'control'],
    ['BODY', false, 'other'],
    ['TD', false, 'other'],
  ];
  it.each(cases)('%s (editable: %s) is a %s', (tagName, isContentEditable, kind) => {
    expect(focusKind({ tagName, isContentEditable })).toBe(kind);
  });
  it('treats no focus as other', () => {
    expect(focusKind(null)).toBe('other');
  });
});
