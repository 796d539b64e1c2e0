import { describe, expect, it } from 'vitest';
import { TextDrafts } from './drafts';

describe('TextDrafts', () => {
  it('keeps the text typed for each id', () => {
    const drafts = new TextDrafts();
    expect(drafts.get('lead-a')).toBe('');
    drafts.set('lead-a', 'ask about the quote');
    drafts.set('lead-b', 'spouse decides');
    expect(drafts.get('lead-a')).toBe('ask about the quote');
    expect(drafts.get('lead-b')).toBe('spouse decides');
    drafts.set('lead-a', '');
    expect(drafts.get('lead-a')).toBe('');
    expect(drafts.get('lead-b')).toBe('spouse decides');
  });

  it('forgets the text sent, but not text typed on since', () => {
    const drafts = new TextDrafts();
    drafts.set('lead-a', 'quote');
    expect(drafts.sent('lead-a', 'quote')).toBe(true);
    expect(drafts.get('lead-a')).toBe('');

    drafts.set('lead-b', 'quote');
    drafts.set('lead-b', 'quote ready, call at 5'); // typed while it was being sent
    expect(drafts.sent('lead-b', 'quote')).toBe(false);
    expect(drafts.get('lead-b')).toBe('quote ready, call at 5');
  });

  it('forgets everything on clear', () => {
    const drafts = new TextDrafts();
    drafts.set('a', 'x');
    drafts.set('b', 'y');
    drafts.clear();
    expect(drafts.get('a')).toBe('');
    expect(drafts.get('b')).toBe('');
  });
});
