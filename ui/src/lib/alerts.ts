import type { AlertSettings, AlertSound } from './bindings';
import { parseTimestamp } from './format';

export const APP_TITLE = 'Crokodial';

/** The window title: "(3) Crokodial" with unread leads, plain "Crokodial" without. */
export function unreadTitle(unread: number): string {
  return Number.isInteger(unread) && unread > 0 ? `(${unread}) ${APP_TITLE}` : APP_TITLE;
}

/** How long the mute button mutes for. */
export const MUTE_MINUTES = 60;

/** The end of the mute, while it is still in the future; otherwise null. */
export function muteEnd(mutedUntil: string | null | undefined, now: number): Date | null {
  const end = parseTimestamp(mutedUntil);
  return end !== null && end.getTime() > now ? end : null;
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

/** Local time as "HH:MM" (24-hour). */
export function clockTime(date: Date): string {
  return `${pad2(date.getHours())}:${pad2(date.getMinutes())}`;
}

/** The mute button's text: "Mute 1 h", or "Muted until 15:07" while muted. */
export function muteLabel(mutedUntil: string | null | undefined, now: number): string {
  const end = muteEnd(mutedUntil, now);
  return end === null ? 'Mute 1 h' : `Muted until ${clockTime(end)}`;
}

const SOUND_LABELS: Record<AlertSound, string> = {
  chime: 'Chime',
  bell: 'Bell',
  triple: 'Triple beep',
  reminder: 'Callback reminder',
};

export function soundLabel(sound: AlertSound): string {
  return SOUND_LABELS[sound] ?? String(sound);
}

/** What the settings form edits. The times are kept while quiet hours are off. */
export interface AlertDraft {
  sound: AlertSound;
  volume: number;
  /** '' follows the system default. */
  device: string;
  quietEnabled: boolean;
  quietStart: string;
  quietEnd: string;
  sources: string[];
  taskbarAttention: boolean;
}

/** Offered when quiet hours are switched on for the first time. */
export const DEFAULT_QUIET_START = '21:00';
export const DEFAULT_QUIET_END = '08:00';

export function draftFromSettings(settings: AlertSettings): AlertDraft {
  return {
    sound: settings.sound,
    volume: settings.volume,
    device: settings.device ?? '',
    quietEnabled: settings.quietStart !== null && settings.quietEnd !== null,
    quietStart: settings.quietStart ?? DEFAULT_QUIET_START,
    quietEnd: settings.quietEnd ?? DEFAULT_QUIET_END,
    sources: [...settings.sources],
    taskbarAttention: settings.taskbarAttention,
  };
}

/**
 * The settings to save, or what is wrong with the draft. The Rust side checks the rest
 * (time format, known sources) and ignores `mutedUntil`.
 */
export function settingsFromDraft(
  draft: AlertDraft,
  mutedUntil: string | null,
): { settings: AlertSettings } | { error: string } {
  const quietStart = draft.quietStart.trim();
  const quietEnd = draft.quietEnd.trim();
  if (draft.quietEnabled && (quietStart === '' || quietEnd === '')) {
    return { error: 'Quiet hours need both a start and an end.' };
  }
  const volume = Math.round(Number(draft.volume));
  return {
    settings: {
      sound: draft.sound,
      volume: Number.isFinite(volume) ? Math.min(100, Math.max(0, volume)) : 0,
      device: draft.device === '' ? null : draft.device,
      quietStart: draft.quietEnabled ? quietStart : null,
      quietEnd: draft.quietEnabled ? quietEnd : null,
      mutedUntil,
      sources: [...draft.sources],
      taskbarAttention: draft.taskbarAttention,
    },
  };
}

/** Whether the output device on screen differs from the saved one (a test plays on the saved one). */
export function deviceDiffers(draft: AlertDraft, saved: AlertSettings): boolean {
  return (draft.device || null) !== saved.device;
}

/** Add or remove one source, keeping the others (and their order). */
export function toggleSource(sources: readonly string[], source: string, on: boolean): string[] {
  const rest = sources.filter((s) => s !== source);
  return on ? [...rest, source] : rest;
}
