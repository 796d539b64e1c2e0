// Which events bring which views up to date. The engine's states themselves (connection, outbox
// counts, unread count, alert settings, sound output, updater) are live stores (engine.ts):
// whatever shows one follows it.
import type { LeadEvent } from './bindings';

export type LeadChange =
  /** A sync ended, edits were sent (or tried), or leads changed elsewhere (`leads-synced`). */
  | { event: 'leads-synced' }
  /** A lead arrived or was updated live (`lead-received`). */
  | { event: 'lead-received'; lead: LeadEvent }
  /** A notification or a crokodial:// link asked for a lead (`open-lead`). */
  | { event: 'open-lead'; leadId: string }
  /** An import ran here (finished, queued, cancelled or failed part way). */
  | { event: 'imported' };

export type Update =
  /** The list's rows and count, read again. */
  | 'reloadRows'
  /** The lead put in the list (on top when new), highlighted a moment. */
  | 'addRow'
  /** The filters' choices and counts. */
  | 'reloadFacets'
  | 'reloadDispositions'
  /** The open lead's detail and history, read again. */
  | 'reloadOpenLead'
  /** Selected and shown in the list; the filters are cleared when they hide it. */
  | 'selectLead'
  /** Opened in the detail pane. */
  | 'openLead'
  /** The top bar's latency details. */
  | 'latency'
  /** The banner saying the OS hid the notification. */
  | 'notificationHidden'
  /** The admin page's last NextGen lead. */
  | 'reloadWebhook';

export const UPDATES: { readonly [E in LeadChange['event']]: readonly Update[] } = {
  // Notes written and uploads made elsewhere come this way too, so the open lead is read again
  // whatever the counts say.
  'leads-synced': ['reloadRows', 'reloadFacets', 'reloadDispositions', 'reloadOpenLead'],
  'lead-received': ['addRow', 'reloadOpenLead', 'latency', 'notificationHidden', 'reloadWebhook'],
  'open-lead': ['selectLead', 'openLead'],
  imported: ['reloadRows', 'reloadFacets'],
};

/** What `change` updates, given the lead open now (if any). */
export function updatesFor(change: LeadChange, openId: string | null = null): Set<Update> {
  const updates = new Set(UPDATES[change.event]);
  if (change.event === 'lead-received') {
    // Only the lead's own detail, and only an announced lead says whether its notification showed.
    if (change.lead.lead.id !== openId) updates.delete('reloadOpenLead');
    if (!change.lead.latency) updates.delete('latency');
    if (!change.lead.announced) updates.delete('notificationHidden');
  }
  if (openId === null) updates.delete('reloadOpenLead');
  return updates;
}
