import type { UpdateState, UpdateStatus } from './bindings';

const UPDATE_STATES: readonly UpdateState[] = ['disabled', 'idle', 'checking', 'up_to_date', 'downloading', 'ready', 'failed'];

/** Shown instead of the update controls in builds for distribution packages (no updater in them). */
export const DISTRIBUTION_UPDATES_TEXT = "Updates come from your distribution's package manager";

/** Whether an event's payload is an UpdateStatus (anything else is ignored). */
export function isUpdateStatus(value: unknown): value is UpdateStatus {
  if (typeof value !== 'object' || value === null) return false;
  const { state, version } = value as { state?: unknown; version?: unknown };
  return (
    typeof state === 'string' &&
    (UPDATE_STATES as readonly string[]).includes(state) &&
    (version === null || version === undefined || typeof version === 'string')
  );
}

function versionName(version: string | null | undefined): string {
  const v = version?.trim() ?? '';
  return v === '' ? 'Crokodial' : `Crokodial ${v}`;
}

/** "Crokodial 1.4.0 is ready." */
export function readyText(version: string | null | undefined): string {
  const v = version?.trim() ?? '';
  return v === '' ? 'A new version of Crokodial is ready.' : `Crokodial ${v} is ready.`;
}

/** The Updates section's status line. */
export function updateStatusText(status: UpdateStatus | null, updaterAvailable: boolean): string {
  if (!updaterAvailable) return DISTRIBUTION_UPDATES_TEXT;
  if (status === null) return '';
  switch (status.state) {
    case 'disabled':
      return 'Updates are off.';
    case 'idle':
      return 'Not checked yet.';
    case 'checking':
      return 'Checking for updates…';
    case 'up_to_date':
      return 'Crokodial is up to date.';
    case 'downloading':
      return `Downloading ${versionName(status.version)}…`;
    case 'ready':
      return `${readyText(status.version)} Restart Crokodial to install it.`;
    case 'failed': {
      const message = status.message?.trim() ?? '';
      return message === '' ? 'The update check failed.' : `The update check failed: ${message}`;
    }
    default:
      return '';
  }
}

/** Whether "Check now" can start a check (not while one runs or a download is under way). */
export function canCheckNow(status: UpdateStatus | null, updaterAvailable: boolean): boolean {
  if (!updaterAvailable) return false;
  return status?.state !== 'checking' && status?.state !== 'downloading';
}

/** The update banner: the last status, and whether "Later" hid it. */
export interface UpdateBanner {
  status: UpdateStatus | null;
  dismissed: boolean;
}

export const NO_UPDATE_BANNER: UpdateBanner = { status: null, dismissed: false };

function sameUpdate(a: UpdateStatus, b: UpdateStatus): boolean {
  return a.state === b.state && (a.version ?? null) === (b.version ?? null);
}

/** A status arrived: "Later" holds while it is the same update (state and version), no longer. */
export function receiveUpdate(banner: UpdateBanner, next: UpdateStatus): UpdateBanner {
  const same = banner.status !== null && sameUpdate(banner.status, next);
  return { status: next, dismissed: same && banner.dismissed };
}

/** "Later": hidden until the status changes. */
export function dismissUpdate(banner: UpdateBanner): UpdateBanner {
  return { ...banner, dismissed: true };
}

/** The banner's text while an update is ready and not put off; otherwise null (no banner). */
export function updateBannerText(banner: UpdateBanner): string | null {
  if (banner.dismissed || banner.status?.state !== 'ready') return null;
  return readyText(banner.status.version);
}
