import { describe, expect, it } from 'vitest';
import type { LeadEvent, LeadRow } from './bindings';
import { FEDERAL_HOURS } from './callingHours';
import { NO_CALLS } from './calls';
import { formatMs, latencyRows, latestLatency } from './latency';

function lead(id: string, name = `Lead ${id}`): LeadRow {
  return { id, name, phone: null, state: null, source: null, disposition: null, receivedAt: null, claim: null, zone: null, hours: FEDERAL_HOURS, calls: NO_CALLS };
}

function event(overrides: Partial<LeadEvent> = {}): LeadEvent {
  return {
    lead: lead('a'),
    announced: true,
    hush: null,
    notificationHidden: null,
    latency: { serverMs: 2.345, deliveryMs: 48.6, soundMs: 12 },
    notAlerted: null,
    offer: null,
    ...overrides,
  };
}

describe('formatMs', () => {
  it('shows one decimal under 10 ms', () => {
    expect(formatMs(0)).toBe('0.0 ms');
    expect(formatMs(2.345)).toBe('2.3 ms');
    expect(formatMs(9.94)).toBe('9.9 ms');
  });
  it('shows whole milliseconds from 10 ms', () => {
    expect(formatMs(9.96)).toBe('10 ms');
    expect(formatMs(10)).toBe('10 ms');
    expect(formatMs(48.6)).toBe('49 ms');
    expect(formatMs(1234.4)).toBe('1234 ms');
  });
  it('shows a dash for missing values', () => {
    expect(formatMs(null)).toBe('—');
    expect(formatMs(undefined)).toBe('—');
    expect(formatMs(Number.NaN)).toBe('—');
  });
});

describe('latencyRows', () => {
  it('lists server, delivery and sound times', () => {
    expect(latencyRows(event())).toEqual([
      { label: 'Server processing', value: '2.3 ms' },
      { label: 'Delivery (webhook → this app)', value: '49 ms' },
      { label: 'Alert sound started', value: '12 ms after arrival' },
    ]);
  });
  it('shows dashes for unknown times', () => {
    const rows = latencyRows(event({ latency: { serverMs: null, deliveryMs: null, soundMs: null } }));
    expect(rows.map((r) => r.value)).toEqual(['—', '—', 'no sound']);
  });
  it('gives the reason for no sound', () => {
    const silent = { serverMs: 1, deliveryMs: 20, soundMs: null };
    expect(latencyRows(event({ hush: 'muted', latency: silent }))[2]).toEqual({
      label: 'Alert sound',
      value: 'no sound (muted)',
    });
    expect(latencyRows(event({ hush: 'quietHours', latency: silent }))[2].value).toBe('no sound (quiet hours)');
    expect(latencyRows(event({ announced: false, latency: silent }))[2].value).toMatch(/^no sound \(no alert/);
  });
  it('says why a routed lead did not alert this rep', () => {
    const silent = { serverMs: 1, deliveryMs: 20, soundMs: null };
    expect(latencyRows(event({ announced: false, notAlerted: 'offered to Bo Chan', latency: silent }))[2]).toEqual({
      label: 'Alert sound',
      value: 'no sound (offered to Bo Chan)',
    });
    expect(latencyRows(event({ announced: false, notAlerted: '', latency: silent }))[2].value).toMatch(/^no sound \(no alert/);
  });
});

describe('latestLatency', () => {
  it('takes the newest lead', () => {
    const first = event();
    const second = event({ lead: lead('b'), announced: false });
    expect(latestLatency(null, first)).toBe(first);
    expect(latestLatency(first, second)).toBe(second);
  });
  it('keeps the first arrival when the same lead is updated, with the new row', () => {
    const first = event();
    const update = event({ lead: lead('a', 'Updated'), announced: false, latency: { serverMs: null, deliveryMs: 900, soundMs: null } });
    const kept = latestLatency(first, update);
    expect(kept.latency).toEqual(first.latency);
    expect(kept.announced).toBe(true);
    expect(kept.lead.name).toBe('Updated');
  });
});
