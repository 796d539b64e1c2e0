import { describe, expect, it } from 'vitest';
import type { UpdateState, UpdateStatus } from './bindings';
import {
  DISTRIBUTION_UPDATES_TEXT,
  NO_UPDATE_BANNER,
  canCheckNow,
  dismissUpdate,
  isUpdateStatus,
  readyText,
  receiveUpdate,
  updateBannerText,
  updateStatusText,
} from './updates';

function status(state: UpdateState, overrides: Partial<UpdateStatus> = {}): UpdateStatus {
  return { state, version: null, notes: null, message: null, ...overrides };
}

const ready = (version: string) => status('ready', { version });

describe('update banner', () => {
  it('shows when an update is ready', () => {
    const banner = receiveUpdate(NO_UPDATE_BANNER, ready('1.4.0'));
    expect(updateBannerText(banner)).toBe('Crokodial 1.4.0 is ready.');
  });
  it('does not show for any other state', () => {
    for (const state of ['disabled', 'idle', 'checking', 'up_to_date', 'downloading', 'failed'] as const) {
      expect(updateBannerText(receiveUpdate(NO_UPDATE_BANNER, status(state, { version: '1.4.0' })))).toBeNull();
    }
    expect(updateBannerText(NO_UPDATE_BANNER)).toBeNull();
  });
  it('hides after Later, while the same update is announced again', () => {
    const later = dismissUpdate(receiveUpdate(NO_UPDATE_BANNER, ready('1.4.0')));
    expect(updateBannerText(later)).toBeNull();
    expect(updateBannerText(receiveUpdate(later, ready('1.4.0')))).toBeNull();
  });
  it('shows again for another version', () => {
    const later = dismissUpdate(receiveUpdate(NO_UPDATE_BANNER, ready('1.4.0')));
    expect(updateBannerText(receiveUpdate(later, ready('1.5.0')))).toBe('Crokodial 1.5.0 is ready.');
  });
  it('shows again after the status changed in between', () => {
    let banner = dismissUpdate(receiveUpdate(NO_UPDATE_BANNER, ready('1.4.0')));
    banner = receiveUpdate(banner, status('checking'));
    expect(banner.dismissed).toBe(false);
    banner = receiveUpdate(banner, ready('1.4.0'));
    expect(updateBannerText(banner)).toBe('Crokodial 1.4.0 is ready.');
  });
  it('does not change the banner it was given', () => {
    const shown = receiveUpdate(NO_UPDATE_BANNER, ready('1.4.0'));
    dismissUpdate(shown);
    expect(updateBannerText(shown)).toBe('Crokodial 1.4.0 is ready.');
    expect(NO_UPDATE_BANNER).toEqual({ status: null, dismissed: false });
  });
  it('names no version it does not know', () => {
    expect(readyText(null)).toBe('A new version of Crokodial is ready.');
    expect(readyText(' ')).toBe('A new version of Crokodial is ready.');
  });
});

describe('updateStatusText', () => {
  it('points to the package manager without an updater, whatever the state', () => {
    expect(updateStatusText(status('disabled'), false)).toBe(DISTRIBUTION_UPDATES_TEXT);
    expect(updateStatusText(null, false)).toBe(DISTRIBUTION_UPDATES_TEXT);
  });
  it('tells each state', () => {
    expect(updateStatusText(status('idle'), true)).toBe('Not checked yet.');
    expect(updateStatusText(status('checking'), true)).toBe('Checking for updates…');
    expect(updateStatusText(status('up_to_date'), true)).toBe('Crokodial is up to date.');
    expect(updateStatusText(status('downloading', { version: '1.4.0' }), true)).toBe('Downloading Crokodial 1.4.0…');
    expect(updateStatusText(status('downloading'), true)).toBe('Downloading Crokodial…');
    expect(updateStatusText(ready('1.4.0'), true)).toBe('Crokodial 1.4.0 is ready. Restart Crokodial to install it.');
    expect(updateStatusText(status('disabled'), true)).toBe('Updates are off.');
    expect(updateStatusText(null, true)).toBe('');
  });
  it('says why a check failed', () => {
    expect(updateStatusText(status('failed', { message: 'network unreachable' }), true)).toBe(
      'The update check failed: network unreachable',
    );
    expect(updateStatusText(status('failed'), true)).toBe('The update check failed.');
  });
});

describe('canCheckNow', () => {
  it('lets a check start unless one runs or a download is under way', () => {
    expect(canCheckNow(status('idle'), true)).toBe(true);
    expect(canCheckNow(status('failed'), true)).toBe(true);
    expect(canCheckNow(null, true)).toBe(true);
    expect(canCheckNow(status('checking'), true)).toBe(false);
    expect(canCheckNow(status('downloading'), true)).toBe(false);
    // A ready update can be checked past (a newer one may be out; the check replaces it).
    expect(canCheckNow(status('ready'), true)).toBe(true);
  });
  it('never without an updater', () => {
    expect(canCheckNow(status('idle'), false)).toBe(false);
  });
});

describe('isUpdateStatus', () => {
  it('accepts a status', () => {
    expect(isUpdateStatus(ready('1.4.0'))).toBe(true);
    expect(isUpdateStatus(status('idle'))).toBe(true);
  });
  it('refuses anything else', () => {
    expect(isUpdateStatus(null)).toBe(false);
    expect(isUpdateStatus('ready')).toBe(false);
    expect(isUpdateStatus({ state: 'installed', version: null })).toBe(false);
    expect(isUpdateStatus({ state: 'ready', version: 14 })).toBe(false);
  });
});
