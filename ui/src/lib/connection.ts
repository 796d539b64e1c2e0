import type { ConnectionState, ConnectionStatus } from './bindings';
import { ago, parseTimestamp } from './format';

const LABELS: Record<ConnectionStatus, string> = {
  idle: 'Idle',
  connecting: 'Connecting…',
  live: 'Live',
  shared: 'Live · web app open',
  offline: 'Offline',
  authFailed: 'Signed out elsewhere / auth failed',
};

export function connectionLabel(status: ConnectionStatus): string {
  return LABELS[status] ?? String(status);
}

export function connectionTooltip(state: ConnectionState): string {
  const label = connectionLabel(state.status);
  const detail = state.detail?.trim();
  return detail ? `${label}: ${detail}` : label;
}

/** "last lead 12 s ago", or null when no lead event has arrived (or the time is unreadable). */
export function lastEventText(lastEventAt: string | null | undefined, now: number): string | null {
  const at = parseTimestamp(lastEventAt);
  return at === null ? null : `last lead ${ago(at, new Date(now))}`;
}
