import { describe, expect, it } from 'vitest';
import { connectionLabel, connectionTooltip, lastEventText } from './connection';

describe('connection labels', () => {
  it('has a human label per status', () => {
    expect(connectionLabel('connecting')).toBe('Connecting…');
    expect(connectionLabel('live')).toBe('Live');
    expect(connectionLabel('offline')).toBe('Offline');
    expect(connectionLabel('authFailed')).toBe('Signed out elsewhere / auth failed');
    expect(connectionLabel('idle')).toBe('Idle');
  });
  it('includes the detail in the tooltip when present', () => {
    expect(connectionTooltip({ status: 'offline', detail: 'retrying in 5 s', lastEventAt: null, available: null })).toBe('Offline: retrying in 5 s');
    expect(connectionTooltip({ status: 'live', detail: null, lastEventAt: null, available: null })).toBe('Live');
    expect(connectionTooltip({ status: 'shared', detail: 'your web app is open', lastEventAt: null, available: null })).toBe(
      'Live · web app open: your web app is open',
    );
    expect(connectionTooltip({ status: 'live', detail: ' ', lastEventAt: null, available: null })).toBe('Live');
  });
});

describe('lastEventText', () => {
  const now = Date.parse('2025-03-04T15:00:00Z');
  it('says how long ago the last lead arrived', () => {
    expect(lastEventText('2025-03-04T14:59:48Z', now)).toBe('last lead 12 s ago');
    expect(lastEventText('2025-03-04T09:57:00-05:00', now)).toBe('last lead 3 min ago');
  });
  it('is null without a (readable) time', () => {
    expect(lastEventText(null, now)).toBeNull();
    expect(lastEventText('', now)).toBeNull();
    expect(lastEventText('soon', now)).toBeNull();
  });
});
