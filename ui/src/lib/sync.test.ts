import { describe, expect, it } from 'vitest';
import type { ConnectionStatus } from './bindings';
import { conflictText, editStatusLabel, failedText, offlineBannerAfter, pendingText } from './sync';

describe('offlineBannerAfter', () => {
  const replay = (statuses: ConnectionStatus[]) =>
    statuses.reduce<boolean[]>((shown, status) => [...shown, offlineBannerAfter(shown[shown.length - 1] ?? false, status)], []);

  it('is hidden while first connecting and when live', () => {
    expect(replay(['connecting', 'live'])).toEqual([false, false]);
  });
  it('shows from going offline through reconnecting, until live', () => {
    expect(replay(['live', 'offline', 'connecting', 'offline', 'connecting', 'live'])).toEqual([
      false,
      true,
      true,
      true,
      true,
      false,
    ]);
  });
  it('is hidden once signed out or refused', () => {
    expect(offlineBannerAfter(true, 'idle')).toBe(false);
    expect(offlineBannerAfter(true, 'authFailed')).toBe(false);
  });
});

describe('outbox texts', () => {
  it('counts changes not yet sent', () => {
    expect(pendingText(1)).toBe('1 change not yet sent');
    expect(pendingText(2)).toBe('2 changes not yet sent');
    expect(pendingText(1200)).toBe('1,200 changes not yet sent');
  });
  it('counts conflicts and refusals', () => {
    expect(conflictText(1)).toBe('1 conflict');
    expect(conflictText(3)).toBe('3 conflicts');
    expect(failedText(1)).toBe('1 change refused');
  });
  it('names every edit status', () => {
    expect(editStatusLabel('pending')).toBe('Not sent yet');
    expect(editStatusLabel('synced')).toBe('Synced');
    expect(editStatusLabel('conflict')).toBe("Conflict — kept the server's value");
    expect(editStatusLabel('failed')).toBe('Refused');
  });
});
