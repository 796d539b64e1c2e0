// How the app talks about working offline: the offline banner, the outbox counts, and the state
// of each of the rep's edits.
import type { ConnectionStatus, EditStatus } from './bindings';
import { pluralize } from './format';

export const OFFLINE_TEXT =
  'Offline — showing the leads saved on this computer. Your changes are kept and sent when the connection is back.';

/**
 * Whether the offline banner shows after the connection changes to `status`: from going offline
 * until live again (reconnecting attempts included), never at start or once signed out.
 */
export function offlineBannerAfter(shown: boolean, status: ConnectionStatus): boolean {
  if (status === 'offline') return true;
  if (status === 'connecting') return shown;
  return false;
}

/** "2 changes not yet sent". */
export function pendingText(pending: number): string {
  return `${pluralize(pending, 'change')} not yet sent`;
}

/** "1 conflict". */
export function conflictText(conflicts: number): string {
  return pluralize(conflicts, 'conflict');
}

/** "1 change refused". */
export function failedText(failed: number): string {
  return `${pluralize(failed, 'change')} refused`;
}

const EDIT_STATUS_LABELS: Record<EditStatus, string> = {
  pending: 'Not sent yet',
  synced: 'Synced',
  conflict: "Conflict — kept the server's value",
  failed: 'Refused',
};

export function editStatusLabel(status: EditStatus): string {
  return EDIT_STATUS_LABELS[status] ?? String(status);
}
