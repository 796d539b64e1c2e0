import { describe, expect, it } from 'vitest';
import type { AppSettings } from './bindings';
import { LOG_LEVELS, appSettingsDraft, diagnosticsResultText, isLogLevel } from './appSettings';

function settings(overrides: Partial<AppSettings> = {}): AppSettings {
  return { startAtLogin: false, logLevel: 'info', checkForUpdates: true, updaterAvailable: true, ...overrides };
}

describe('log levels', () => {
  it('offers every level, least detail first', () => {
    expect(LOG_LEVELS.map((level) => level.value)).toEqual(['error', 'warn', 'info', 'debug', 'trace']);
  });
  it('labels each level once', () => {
    const labels = LOG_LEVELS.map((level) => level.label);
    expect(new Set(labels).size).toBe(labels.length);
    expect(labels.every((label) => label.trim() !== '')).toBe(true);
  });
  it('knows a level from anything else', () => {
    expect(isLogLevel('debug')).toBe(true);
    expect(isLogLevel('trace')).toBe(true);
    expect(isLogLevel('DEBUG')).toBe(false);
    expect(isLogLevel('verbose')).toBe(false);
    expect(isLogLevel(null)).toBe(false);
    expect(isLogLevel(3)).toBe(false);
  });
});

describe('appSettingsDraft', () => {
  it('copies the settings', () => {
    const saved = settings({ startAtLogin: true, logLevel: 'trace', checkForUpdates: false });
    const draft = appSettingsDraft(saved);
    expect(draft).toEqual(saved);
    draft.startAtLogin = false;
    expect(saved.startAtLogin).toBe(true);
  });
  it('falls back to info for a level it does not know', () => {
    const odd = { ...settings(), logLevel: 'loud' } as unknown as AppSettings;
    expect(appSettingsDraft(odd).logLevel).toBe('info');
  });
  it('keeps whether the updater is there', () => {
    expect(appSettingsDraft(settings({ updaterAvailable: false })).updaterAvailable).toBe(false);
  });
});

describe('diagnostics', () => {
  it('tells where the zip went', () => {
    expect(diagnosticsResultText('/home/rep/crokodial-diagnostics.zip')).toBe('Saved to /home/rep/crokodial-diagnostics.zip');
  });
  it('says nothing when the save was cancelled', () => {
    expect(diagnosticsResultText(null)).toBe('');
    expect(diagnosticsResultText('  ')).toBe('');
  });
});
