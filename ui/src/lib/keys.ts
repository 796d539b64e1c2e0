// The lead list's keyboard shortcuts: which key does what, given where the focus is.

export type KeyAction =
  | { kind: 'move'; by: 1 | -1 }
  | { kind: 'open' }
  | { kind: 'focusSearch' }
  /** The Nth disposition of the tenant's list, from 0. */
  | { kind: 'disposition'; index: number }
  | { kind: 'closeDetail' }
  | { kind: 'leaveField' }
  /** Claim the selected (else the open) lead. */
  | { kind: 'claim' };

export interface KeyPress {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
}

/** Where the focus is: in a text field or select, on a button or link, or anywhere else. */
export type FocusKind = 'field' | 'control' | 'other';

const FIELDS = new Set(['INPUT', 'TEXTAREA', 'SELECT']);
const CONTROLS = new Set(['BUTTON', 'A', 'SUMMARY']);

export function focusKind(element: { tagName: string; isContentEditable?: boolean } | null): FocusKind {
  if (element === null) return 'other';
  const tag = element.tagName.toUpperCase();
  if (FIELDS.has(tag) || element.isContentEditable === true) return 'field';
  return CONTROLS.has(tag) ? 'control' : 'other';
}

/** The action for a key press, or null to leave the key alone. In a field only Escape acts. */
export function keyAction(press: KeyPress, focus: FocusKind): KeyAction | null {
  if (press.ctrlKey || press.metaKey || press.altKey) return null;
  if (press.key === 'Escape') return focus === 'field' ? { kind: 'leaveField' } : { kind: 'closeDetail' };
  if (focus === 'field') return null;
  switch (press.key) {
    case 'ArrowDown':
      return { kind: 'move', by: 1 };
    case 'ArrowUp':
      return { kind: 'move', by: -1 };
    case 'Enter':
      // Enter on a button or link presses it.
      return focus === 'control' ? null : { kind: 'open' };
    case '/':
      return { kind: 'focusSearch' };
    case 'c':
    case 'C': // Caps Lock on
      return { kind: 'claim' };
  }
  if (/^[1-9]$/.test(press.key)) return { kind: 'disposition', index: Number(press.key) - 1 };
  return null;
}
