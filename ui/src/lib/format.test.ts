import { describe, expect, it } from 'vitest';
import {
  ago,
  formatAbsolute,
  formatCount,
  formatLocalTime,
  formatReceived,
  formatSpan,
  isJustNow,
  orDash,
  pluralize,
  receivedTooltip,
  zoneClock,
} from './format';

describe('formatReceived', () => {
  const now = Date.parse('2025-03-04T15:00:00Z');
  const ago = (ms: number) => new Date(now - ms).toISOString();

  it('shows a dash for null or blank', () => {
    expect(formatReceived(null, now)).toBe('—');
    expect(formatReceived('', now)).toBe('—');
  });
  it('says "just now" under a minute, including small clock skew', () => {
    expect(formatReceived(ago(0), now)).toBe('just now');
    expect(formatReceived(ago(59_000), now)).toBe('just now');
    expect(formatReceived(ago(-30_000), now)).toBe('just now');
  });
  it('counts minutes under an hour', () => {
    expect(formatReceived(ago(60_000), now)).toBe('1 min ago');
    expect(formatReceived(ago(2 * 60_000 + 5_000), now)).toBe('2 min ago');
    expect(formatReceived(ago(59 * 60_000 + 59_000), now)).toBe('59 min ago');
  });
  it('uses a local date-time from one hour on, and for the far future', () => {
    const hourAgo = ago(60 * 60_000);
    expect(formatReceived(hourAgo, now)).toBe(formatAbsolute(new Date(hourAgo)));
    expect(formatReceived(hourAgo, now)).not.toMatch(/ago|just now/);
    const future = ago(-10 * 60_000);
    expect(formatReceived(future, now)).toBe(formatAbsolute(new Date(future)));
  });
  it('understands timestamps with offsets', () => {
    expect(formatReceived('2025-03-04T09:58:00-05:00', now)).toBe('2 min ago');
  });
  it('shows unparseable values as given', () => {
    expect(formatReceived('yesterday-ish', now)).toBe('yesterday-ish');
  });
  it('gives a tooltip only for real dates', () => {
    expect(receivedTooltip(null)).toBeUndefined();
    expect(receivedTooltip('nope')).toBeUndefined();
    expect(receivedTooltip(ago(0))).toEqual(expect.any(String));
  });
});

describe('ago', () => {
  const now = new Date('2025-03-04T15:00:00Z');
  const before = (ms: number) => new Date(now.getTime() - ms);

  it('says "just now" under a second', () => {
    expect(ago(before(0), now)).toBe('just now');
    expect(ago(before(999), now)).toBe('just now');
  });
  it('counts seconds under a minute', () => {
    expect(ago(before(1_000), now)).toBe('1 s ago');
    expect(ago(before(12_500), now)).toBe('12 s ago');
    expect(ago(before(59_999), now)).toBe('59 s ago');
  });
  it('counts minutes under an hour', () => {
    expect(ago(before(60_000), now)).toBe('1 min ago');
    expect(ago(before(3 * 60_000 + 59_000), now)).toBe('3 min ago');
    expect(ago(before(60 * 60_000 - 1), now)).toBe('59 min ago');
  });
  it('counts hours, then days', () => {
    expect(ago(before(60 * 60_000), now)).toBe('1 h ago');
    expect(ago(before(2 * 60 * 60_000 + 30 * 60_000), now)).toBe('2 h ago');
    expect(ago(before(24 * 60 * 60_000 - 1), now)).toBe('23 h ago');
    expect(ago(before(3 * 24 * 60 * 60_000), now)).toBe('3 d ago');
  });
  it('clamps future times to "just now"', () => {
    expect(ago(before(-5_000), now)).toBe('just now');
    expect(ago(before(-2 * 60 * 60_000), now)).toBe('just now');
  });
});

describe('formatSpan', () => {
  it('says a span in its largest whole unit', () => {
    expect(formatSpan(0)).toBe('0 s');
    expect(formatSpan(59_999)).toBe('59 s');
    expect(formatSpan(60_000)).toBe('1 min');
    expect(formatSpan(60 * 60_000 - 1)).toBe('59 min');
    expect(formatSpan(60 * 60_000)).toBe('1 h');
    expect(formatSpan(24 * 60 * 60_000 - 1)).toBe('23 h');
    expect(formatSpan(50 * 60 * 60_000)).toBe('2 d');
  });
});

describe('isJustNow', () => {
  it('is under a minute old, or up to a minute ahead', () => {
    expect(isJustNow(0)).toBe(true);
    expect(isJustNow(59_999)).toBe(true);
    expect(isJustNow(-60_000)).toBe(true);
    expect(isJustNow(60_000)).toBe(false);
    expect(isJustNow(-60_001)).toBe(false);
  });
});

describe('small helpers', () => {
  it('orDash', () => {
    expect(orDash(null)).toBe('—');
    expect(orDash(' ')).toBe('—');
    expect(orDash('FL')).toBe('FL');
  });
  it('pluralize', () => {
    expect(pluralize(0, 'lead')).toBe('0 leads');
    expect(pluralize(1, 'lead')).toBe('1 lead');
    expect(pluralize(2, 'lead')).toBe('2 leads');
    expect(pluralize(1234, 'lead')).toBe('1,234 leads');
    expect(pluralize(2, 'change', 'changes')).toBe('2 changes');
  });
  it('formatCount groups digits the US way', () => {
    expect(formatCount(0)).toBe('0');
    expect(formatCount(999)).toBe('999');
    expect(formatCount(100000)).toBe('100,000');
  });
});

describe('formatLocalTime', () => {
  // 2026-12-10T02:30:00Z: 8:30 PM in Chicago, 7:30 PM in El Paso (Mountain), 9:30 PM in New York.
  const now = Date.parse('2026-12-10T02:30:00Z');
  it('tells the time in the lead zone', () => {
    expect(formatLocalTime('America/Chicago', now)).toBe('8:30 PM');
    expect(formatLocalTime('America/Denver', now)).toBe('7:30 PM');
    expect(formatLocalTime('America/New_York', now)).toBe('9:30 PM');
  });
  it('says nothing for an unknown or bad zone', () => {
    expect(formatLocalTime(null, now)).toBe('');
    expect(formatLocalTime('Mars/Olympus', now)).toBe('');
  });
});

describe('zoneClock', () => {
  it('tells the weekday and hour in the lead zone, across midnight', () => {
    // Thursday 2026-12-10T02:30:00Z is still Wednesday evening in the US.
    const now = Date.parse('2026-12-10T02:30:00Z');
    expect(zoneClock('America/New_York', now)).toEqual({ weekday: 'Wednesday', hour: 21 });
    expect(zoneClock('America/Los_Angeles', now)).toEqual({ weekday: 'Wednesday', hour: 18 });
    expect(zoneClock('Pacific/Guam', now)).toEqual({ weekday: 'Thursday', hour: 12 });
  });
  it('counts midnight as hour 0', () => {
    expect(zoneClock('America/Chicago', Date.parse('2026-12-13T06:00:00Z'))).toEqual({ weekday: 'Sunday', hour: 0 });
  });
  it('knows nothing of an unknown or bad zone', () => {
    expect(zoneClock(null, 0)).toBeNull();
    expect(zoneClock('', 0)).toBeNull();
    expect(zoneClock('Mars/Olympus', 0)).toBeNull();
    expect(zoneClock('America/Chicago', Number.NaN)).toBeNull();
  });
});
