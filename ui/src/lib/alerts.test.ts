import { describe, expect, it } from 'vitest';
import type { AlertSettings } from './bindings';
import {
  clockTime,
  draftFromSettings,
  muteEnd,
  muteLabel,
  settingsFromDraft,
  deviceDiffers,
  soundLabel,
  toggleSource,
  unreadTitle,
} from './alerts';

function settings(overrides: Partial<AlertSettings> = {}): AlertSettings {
  return {
    sound: 'chime',
    volume: 80,
    device: null,
    quietStart: null,
    quietEnd: null,
    mutedUntil: null,
    sources: ['NextGen'],
    taskbarAttention: true,
    ...overrides,
  };
}

describe('unreadTitle', () => {
  it('puts the unread count in front', () => {
    expect(unreadTitle(3)).toBe('(3) Crokodial');
    expect(unreadTitle(1)).toBe('(1) Crokodial');
  });
  it('is plain without unread leads or with junk', () => {
    expect(unreadTitle(0)).toBe('Crokodial');
    expect(unreadTitle(-1)).toBe('Crokodial');
    expect(unreadTitle(Number.NaN)).toBe('Crokodial');
  });
});

describe('mute', () => {
  // Local times, so the expectations hold in any time zone.
  const now = new Date(2025, 2, 4, 14, 7, 30).getTime();
  const inAnHour = new Date(2025, 2, 4, 15, 7, 30).toISOString();

  it('offers to mute when not muted', () => {
    expect(muteLabel(null, now)).toBe('Mute 1 h');
    expect(muteLabel(undefined, now)).toBe('Mute 1 h');
    expect(muteLabel('not a date', now)).toBe('Mute 1 h');
    expect(muteEnd(null, now)).toBeNull();
  });
  it('says until when while muted', () => {
    expect(muteLabel(inAnHour, now)).toBe('Muted until 15:07');
    expect(muteEnd(inAnHour, now)?.toISOString()).toBe(inAnHour);
  });
  it('ends at the expiry', () => {
    const end = Date.parse(inAnHour);
    expect(muteLabel(inAnHour, end - 1)).toBe('Muted until 15:07');
    expect(muteLabel(inAnHour, end)).toBe('Mute 1 h');
    expect(muteEnd(inAnHour, end + 1000)).toBeNull();
  });
  it('pads the clock time', () => {
    expect(clockTime(new Date(2025, 0, 1, 9, 5))).toBe('09:05');
    expect(clockTime(new Date(2025, 0, 1, 0, 0))).toBe('00:00');
    expect(clockTime(new Date(2025, 0, 1, 23, 59))).toBe('23:59');
  });
});

describe('soundLabel', () => {
  it('names the sounds', () => {
    expect(soundLabel('chime')).toBe('Chime');
    expect(soundLabel('bell')).toBe('Bell');
    expect(soundLabel('triple')).toBe('Triple beep');
  });
});

describe('alert settings draft', () => {
  it('round-trips settings', () => {
    const s = settings({ device: 'USB Headset', quietStart: '22:00', quietEnd: '07:30', sources: ['NextGen', 'CSV Import'] });
    expect(settingsFromDraft(draftFromSettings(s), null)).toEqual({ settings: s });
  });
  it('follows the system default device with an empty choice', () => {
    const draft = draftFromSettings(settings());
    expect(draft.device).toBe('');
    const out = settingsFromDraft({ ...draft, device: 'Speakers' }, null);
    expect('settings' in out && out.settings.device).toBe('Speakers');
  });
  it('offers default quiet hours but saves none while they are off', () => {
    const draft = draftFromSettings(settings());
    expect(draft.quietEnabled).toBe(false);
    expect(draft.quietStart).not.toBe('');
    const out = settingsFromDraft(draft, null);
    expect('settings' in out && [out.settings.quietStart, out.settings.quietEnd]).toEqual([null, null]);
    const on = settingsFromDraft({ ...draft, quietEnabled: true, quietStart: '20:00', quietEnd: '06:00' }, null);
    expect('settings' in on && [on.settings.quietStart, on.settings.quietEnd]).toEqual(['20:00', '06:00']);
  });
  it('needs both quiet-hour times when quiet hours are on', () => {
    const draft = { ...draftFromSettings(settings()), quietEnabled: true, quietEnd: '' };
    expect(settingsFromDraft(draft, null)).toEqual({ error: 'Quiet hours need both a start and an end.' });
  });
  it('clamps and rounds the volume, and keeps the mute', () => {
    const draft = draftFromSettings(settings());
    const until = '2025-03-04T15:00:00.000Z';
    const out = settingsFromDraft({ ...draft, volume: 140.4 }, until);
    expect('settings' in out && [out.settings.volume, out.settings.mutedUntil]).toEqual([100, until]);
  });
  it('does not share the sources array', () => {
    const s = settings();
    const draft = draftFromSettings(s);
    draft.sources.push('CSV Import');
    expect(s.sources).toEqual(['NextGen']);
  });
  it('tells when the test sound would differ from the draft', () => {
    const s = settings();
    const draft = draftFromSettings(s);
    expect(deviceDiffers(draft, s)).toBe(false);
    expect(deviceDiffers({ ...draft, sound: 'bell', volume: 10 }, s)).toBe(false);
    expect(deviceDiffers({ ...draft, device: 'Speakers' }, s)).toBe(true);
  });
  it('toggles one source', () => {
    expect(toggleSource(['NextGen'], 'CSV Import', true)).toEqual(['NextGen', 'CSV Import']);
    expect(toggleSource(['NextGen', 'CSV Import'], 'NextGen', false)).toEqual(['CSV Import']);
    expect(toggleSource(['NextGen'], 'NextGen', true)).toEqual(['NextGen']);
    expect(toggleSource([], 'NextGen', false)).toEqual([]);
  });
});
