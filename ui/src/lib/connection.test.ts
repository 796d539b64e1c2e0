import { describe, expect, it } from 'vitest';
import { connectionLabel, connectionTooltip } from './connection';

describe('connection labels', () => {
  it('has a human label per status', () => {
    expect(connectionLabel('connecting')).toBe('Connecting…');
    expect(connectionLabel('live')).toBe('Live');
    expect(connectionLabel('offline')).toBe('Offline');
    expect(connectionLabel('authFailed')).toBe('Signed out elsewhere / auth failed');
    expect(connectionLabel('idle')).toBe('Idle');
  });
  it('includes the detail in the tooltip when present', () => {
    expect(connectionTooltip({ status: 'offline', detail: 'retrying in 5 s' })).toBe('Offline: retrying in 5 s');
    expect(connectionTooltip({ status: 'live', detail: null })).toBe('Live');
    expect(connectionTooltip({ status: 'live', detail: ' ' })).toBe('Live');
  });
});
