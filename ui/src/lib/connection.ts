import type { ConnectionState, ConnectionStatus } from './bindings';

const LABELS: Record<ConnectionStatus, string> = {
  idle: 'Idle',
  connecting: 'Connecting…',
  live: 'Live',
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
