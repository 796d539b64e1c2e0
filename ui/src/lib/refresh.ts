// Which events bring which views up to date. The engine's states themselves (connection, outbox
// counts, unread count, alert settings, sound output, updater) are live stores (engine.ts):
// whatever shows one follows it.
import type { ClaimEvent, LeadEvent, LeadRow, Withdrawal } from './bindings';

export type LeadChange =
  /** A sync ended, edits were sent (or tried), or leads changed elsewhere (`leads-synced`). */
  | { event: 'leads-synced' }
  /** A lead arrived or was updated live (`lead-received`). */
  | { event: 'lead-received'; lead: LeadEvent }
  /** A notification or a crokodial:// link asked for a lead (`open-lead`), or the missed leads' panel. */
  | { event: 'open-lead'; leadId: string }
  /** A lead was claimed, by this rep or another (`lead-claimed`), or the rep claimed it here. */
  | { event: 'lead-claimed'; claim: ClaimEvent }
  /** A lead offered to this rep went to others before they claimed it (`lead-withdrawn`). */
  | { event: 'lead-withdrawn'; withdrawal: Withdrawal }
  /** Back after an outage or from away: the new leads that came meanwhile (`leads-missed`). */
  | { event: 'leads-missed'; leads: LeadRow[] }
  /** An import ran here (finished, queued, cancelled or failed part way). */
  | { event: 'imported' }
  /** The rep placed a call to lead `leadId` here, or told how one went: its count and list changed. */
  | { event: 'called'; leadId: string }
  /** An admin typed in a lead here (`create_lead` answered its row): listed, then opened. */
  | { event: 'lead-created'; lead: LeadRow }
  /** Lead `leadId` was deleted here: it is no longer listed, selected or open. */
  | { event: 'lead-deleted'; leadId: string }
  /** An admin changed the dispositions here (added, renamed, recoloured, moved or removed one). */
  | { event: 'dispositions-changed' };

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
  /** No longer selected in the list, and closed when open (it was deleted). */
  | 'dropLead'
  /** The top bar's latency details. */
  | 'latency'
  /** The banner saying the OS hid the notification. */
  | 'notificationHidden'
  /** The admin page's last NextGen lead. */
  | 'reloadWebhook'
  /** The lead's claim, wherever it shows (its row, the open lead, the missed leads). */
  | 'claim'
  /** The lead's "new" highlight ends: it is someone else's. */
  | 'clearNew'
  /** Where the lead is offered, as the rep last heard it. */
  | 'offer'
  /** The "While you were away" panel. */
  | 'missed'
  /** The callbacks and pinned leads (a sync brings those made on the rep's other computers). */
  | 'followups';

export const UPDATES: { readonly [E in LeadChange['event']]: readonly Update[] } = {
  // Notes written and uploads made elsewhere come this way too, so the open lead is read again
  // whatever the counts say.
  'leads-synced': ['reloadRows', 'reloadFacets', 'reloadDispositions', 'reloadOpenLead', 'followups'],
  'lead-received': ['addRow', 'reloadOpenLead', 'latency', 'notificationHidden', 'reloadWebhook', 'offer'],
  'open-lead': ['selectLead', 'openLead'],
  'lead-claimed': ['claim', 'clearNew'],
  'lead-withdrawn': ['clearNew', 'offer'],
  'leads-missed': ['missed'],
  imported: ['reloadRows', 'reloadFacets'],
  called: ['reloadRows', 'reloadOpenLead'],
  'lead-created': ['reloadRows', 'reloadFacets', 'selectLead', 'openLead'],
  // Its callbacks and pin go with it.
  'lead-deleted': ['reloadRows', 'reloadFacets', 'dropLead', 'followups'],
  'dispositions-changed': ['reloadDispositions'],
};

/** The lead `change` asks to select and open (a notification's, or one just typed in); null for none. */
export function leadToOpen(change: LeadChange): string | null {
  if (change.event === 'open-lead') return change.leadId;
  if (change.event === 'lead-created') return change.lead.id;
  return null;
}

/** What `change` updates, given the lead open now (if any). */
export function updatesFor(change: LeadChange, openId: string | null = null): Set<Update> {
  const updates = new Set(UPDATES[change.event]);
  if (change.event === 'lead-received') {
    // Only the lead's own detail, and only an announced lead says whether its notification showed.
    if (change.lead.lead.id !== openId) updates.delete('reloadOpenLead');
    if (!change.lead.latency) updates.delete('latency');
    if (!change.lead.announced) updates.delete('notificationHidden');
    if (!change.lead.offer) updates.delete('offer');
  }
  if (change.event === 'called' && change.leadId !== openId) updates.delete('reloadOpenLead');
  if (change.event === 'lead-claimed' && change.claim.mine) updates.delete('clearNew');
  if (change.event === 'leads-missed' && change.leads.length === 0) updates.delete('missed');
  if (openId === null) updates.delete('reloadOpenLead');
  return updates;
}
