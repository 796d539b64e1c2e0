import type { AppSettings, LogLevel } from './bindings';

/** The log levels, least detail first, as the Logs section offers them. */
export const LOG_LEVELS: readonly { value: LogLevel; label: string }[] = [
  { value: 'error', label: 'Errors only' },
  { value: 'warn', label: 'Warnings and errors' },
  { value: 'info', label: 'Info' },
  { value: 'debug', label: 'Debug' },
  { value: 'trace', label: 'Trace (everything)' },
];

export function isLogLevel(value: unknown): value is LogLevel {
  return typeof value === 'string' && LOG_LEVELS.some((level) => level.value === value);
}

/** What the section edits: a copy, so the saved settings stay as they were until saved. */
export function appSettingsDraft(settings: AppSettings): AppSettings {
  return {
    startAtLogin: settings.startAtLogin === true,
    logLevel: isLogLevel(settings.logLevel) ? settings.logLevel : 'info',
    checkForUpdates: settings.checkForUpdates === true,
    updaterAvailable: settings.updaterAvailable === true,
  };
}

export const DIAGNOSTICS_TEXT =
  'Saves a zip of logs, versions and settings — never passwords or tokens — to attach to a support request.';

/** What the export says: where the zip went; nothing when the user cancelled the save dialog. */
export function diagnosticsResultText(path: string | null): string {
  if (typeof path !== 'string' || path.trim() === '') return '';
  return `Saved to ${path}`;
}
