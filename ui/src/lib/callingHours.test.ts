import { describe, expect, it } from 'vitest';
import type { CallingHours } from './bindings';
import { FEDERAL_HOURS, callableAt, callableRefreshKey, callableTitle, clockHour } from './callingHours';

// Alabama's rules: 8 AM–8 PM Monday to Saturday, no calls on Sunday.
const ALABAMA: CallingHours = { weekdays: [8, 20], saturday: [8, 20], sunday: null };
const at = (iso: string) => Date.parse(iso);

describe('callableAt', () => {
  it('opens at the first hour and closes at the last, on a weekday (federal hours)', () => {
    // Wednesday 2026-12-09 in Chicago (CST, UTC−6).
    expect(callableAt(FEDERAL_HOURS, 'America/Chicago', at('2026-12-09T13:59:00Z'))).toEqual({ state: 'closed', hours: '8 AM–9 PM' });
    expect(callableAt(FEDERAL_HOURS, 'America/Chicago', at('2026-12-09T14:00:00Z'))).toEqual({ state: 'open', hours: '8 AM–9 PM' });
    expect(callableAt(FEDERAL_HOURS, 'America/Chicago', at('2026-12-10T02:59:00Z')).state).toBe('open'); // 8:59 PM
    expect(callableAt(FEDERAL_HOURS, 'America/Chicago', at('2026-12-10T03:00:00Z')).state).toBe('closed'); // 9 PM
  });

  it('tells zones apart at the same instant', () => {
    // 2026-12-10T02:30Z: 9:30 PM Wednesday in New York, 8:30 PM in Chicago, 6:30 PM in Los Angeles.
    const now = at('2026-12-10T02:30:00Z');
    expect(callableAt(FEDERAL_HOURS, 'America/New_York', now).state).toBe('closed');
    expect(callableAt(FEDERAL_HOURS, 'America/Chicago', now).state).toBe('open');
    expect(callableAt(ALABAMA, 'America/Chicago', now).state).toBe('closed'); // past Alabama's 8 PM
    expect(callableAt(FEDERAL_HOURS, 'America/Los_Angeles', now).state).toBe('open');
    // 8:30 AM in New York, 5:30 AM in Los Angeles.
    const morning = at('2026-12-09T13:30:00Z');
    expect(callableAt(FEDERAL_HOURS, 'America/New_York', morning).state).toBe('open');
    expect(callableAt(FEDERAL_HOURS, 'America/Los_Angeles', morning).state).toBe('closed');
    expect(callableAt(FEDERAL_HOURS, 'Pacific/Honolulu', morning).state).toBe('closed'); // 3:30 AM
  });

  it('keeps Saturday hours of their own', () => {
    const saturday: CallingHours = { weekdays: [8, 21], saturday: [9, 17], sunday: null };
    // Saturday 2026-12-12 in New York (EST, UTC−5).
    expect(callableAt(saturday, 'America/New_York', at('2026-12-12T13:30:00Z'))).toEqual({ state: 'closed', hours: '9 AM–5 PM' }); // 8:30 AM
    expect(callableAt(saturday, 'America/New_York', at('2026-12-12T17:00:00Z'))).toEqual({ state: 'open', hours: '9 AM–5 PM' }); // noon
    expect(callableAt(saturday, 'America/New_York', at('2026-12-12T22:00:00Z')).state).toBe('closed'); // 5 PM
    expect(callableAt(ALABAMA, 'America/Chicago', at('2026-12-12T18:00:00Z'))).toEqual({ state: 'open', hours: '8 AM–8 PM' });
  });

  it('closes all day on a Sunday without hours, and opens on one with them', () => {
    // Noon on Sunday 2026-12-13 in Chicago.
    const noon = at('2026-12-13T18:00:00Z');
    expect(callableAt(ALABAMA, 'America/Chicago', noon)).toEqual({ state: 'closed', hours: 'no calls on Sunday' });
    expect(callableAt(FEDERAL_HOURS, 'America/Chicago', noon)).toEqual({ state: 'open', hours: '8 AM–9 PM' });
  });

  it("uses the lead's own weekday, not this computer's nor UTC's", () => {
    // 2026-12-13T23:00Z: 5 PM Sunday in Chicago, 9 AM Monday in Guam.
    const now = at('2026-12-13T23:00:00Z');
    const officeHours: CallingHours = { weekdays: [9, 17], saturday: null, sunday: null };
    expect(callableAt(officeHours, 'America/Chicago', now)).toEqual({ state: 'closed', hours: 'no calls on Sunday' });
    expect(callableAt(officeHours, 'Pacific/Guam', now)).toEqual({ state: 'open', hours: '9 AM–5 PM' });
    // 2026-12-14T05:30Z: Monday in UTC, still 7:30 PM Sunday in Honolulu.
    expect(callableAt(officeHours, 'Pacific/Honolulu', at('2026-12-14T05:30:00Z')).hours).toBe('no calls on Sunday');
  });

  it('follows daylight saving time', () => {
    // 2026-07-08T12:30Z: 8:30 AM EDT (UTC−4) in New York; 7:30 AM in winter time.
    expect(callableAt(FEDERAL_HOURS, 'America/New_York', at('2026-07-08T12:30:00Z')).state).toBe('open');
    // Arizona keeps standard time: 5:30 AM there.
    expect(callableAt(FEDERAL_HOURS, 'America/Phoenix', at('2026-07-08T12:30:00Z')).state).toBe('closed');
  });

  it('does not know without a zone or hours', () => {
    const now = at('2026-12-09T18:00:00Z');
    expect(callableAt(FEDERAL_HOURS, null, now)).toEqual({ state: 'unknown', hours: null });
    expect(callableAt(FEDERAL_HOURS, 'Mars/Olympus', now)).toEqual({ state: 'unknown', hours: null });
    expect(callableAt(null, 'America/Chicago', now)).toEqual({ state: 'unknown', hours: null });
    expect(callableAt(undefined, 'America/Chicago', now).state).toBe('unknown');
  });
});

describe('callableTitle', () => {
  it('says whether it is within the hours, and which they are', () => {
    expect(callableTitle({ state: 'closed', hours: '8 AM–9 PM' })).toBe('Outside calling hours (8 AM–9 PM)');
    expect(callableTitle({ state: 'open', hours: '8 AM–9 PM' })).toBe('Within calling hours (8 AM–9 PM)');
    expect(callableTitle({ state: 'closed', hours: 'no calls on Sunday' })).toBe('Outside calling hours (no calls on Sunday)');
    expect(callableTitle({ state: 'unknown', hours: null })).toBeNull();
  });
  it('writes hours as the engine does', () => {
    expect([0, 8, 12, 13, 20, 21].map(clockHour)).toEqual(['midnight', '8 AM', 'noon', '1 PM', '8 PM', '9 PM']);
  });
});

describe('callableRefreshKey', () => {
  it('changes on the hour while the list shows only callable leads', () => {
    const before = callableRefreshKey(true, at('2026-12-09T13:59:59Z'));
    expect(callableRefreshKey(true, at('2026-12-09T13:00:00Z'))).toBe(before);
    expect(callableRefreshKey(true, at('2026-12-09T14:00:00Z'))).not.toBe(before);
    expect(callableRefreshKey(false, at('2026-12-09T14:00:00Z'))).toBeNull();
  });
});
