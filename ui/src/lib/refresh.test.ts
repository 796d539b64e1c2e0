import { describe, expect, it } from 'vitest';
import type { LeadEvent, LeadRow } from './bindings';
import { FEDERAL_HOURS } from './callingHours';
import { NO_CALLS } from './calls';
import { UPDATES, leadToOpen, updatesFor, type LeadChange } from './refresh';

function row(id: string): LeadRow {
  return { id, name: 'Rosa Diaz', phone: null, state: null, source: 'NextGen', disposition: null, receivedAt: null, claim: null, zone: null, hours: FEDERAL_HOURS, calls: NO_CALLS };
}

function received(id: string, extra: Partial<LeadEvent> = {}): LeadChange {
  return {
    event: 'lead-received',
    lead: {
      lead: row(id),
      announced: false,
      hush: null,
      notificationHidden: null,
      latency: { serverMs: 1, deliveryMs: 2, soundMs: null },
      notAlerted: null,
      offer: null,
      ...extra,
    },
  };
}

const sorted = (updates: Set<string>) => [...updates].sort();

describe('updatesFor', () => {
  it('reloads the rows, the filters, the dispositions, the open lead and the follow-ups after a sync', () => {
    expect(sorted(updatesFor({ event: 'leads-synced' }, 'lead-1'))).toEqual(
      ['followups', 'reloadDispositions', 'reloadFacets', 'reloadOpenLead', 'reloadRows'],
    );
  });

  it('reads the follow-ups again only after a sync', () => {
    const changes: LeadChange[] = [
      received('lead-1'),
      { event: 'open-lead', leadId: 'lead-1' },
      { event: 'imported' },
      { event: 'called', leadId: 'lead-1' },
      { event: 'leads-missed', leads: [row('lead-1')] },
    ];
    for (const change of changes) expect(updatesFor(change, 'lead-1').has('followups')).toBe(false);
    expect(updatesFor({ event: 'leads-synced' }, null).has('followups')).toBe(true);
  });

  it('reloads no open lead when none is open', () => {
    expect(updatesFor({ event: 'leads-synced' }, null).has('reloadOpenLead')).toBe(false);
    expect(updatesFor(received('lead-1'), null).has('reloadOpenLead')).toBe(false);
  });

  it('adds the row of a lead received, and reloads the open lead only when it is that lead', () => {
    const change = received('lead-1');
    expect(updatesFor(change, 'lead-2').has('reloadOpenLead')).toBe(false);
    expect(sorted(updatesFor(change, 'lead-1'))).toEqual(['addRow', 'latency', 'reloadOpenLead', 'reloadWebhook']);
    expect(updatesFor(change, 'lead-1').has('reloadRows')).toBe(false);
    expect(updatesFor(change, 'lead-1').has('reloadFacets')).toBe(false);
  });

  it('shows whether the notification was hidden only for an announced lead', () => {
    expect(updatesFor(received('lead-1'), null).has('notificationHidden')).toBe(false);
    expect(updatesFor(received('lead-1', { announced: true }), null).has('notificationHidden')).toBe(true);
  });

  it('keeps the latency shown when the event has none', () => {
    const change = received('lead-1', { latency: null as unknown as LeadEvent['latency'] });
    expect(updatesFor(change, null).has('latency')).toBe(false);
  });

  it('selects and opens the lead a notification asks for', () => {
    expect(sorted(updatesFor({ event: 'open-lead', leadId: 'lead-9' }, null))).toEqual(['openLead', 'selectLead']);
    expect(sorted(updatesFor({ event: 'open-lead', leadId: 'lead-9' }, 'lead-1'))).toEqual(['openLead', 'selectLead']);
  });

  it('remembers the offer of a lead from a server that routes leads', () => {
    expect(updatesFor(received('lead-1'), null).has('offer')).toBe(false);
    const offered = received('lead-1', { offer: { to: 'Bo Chan', mine: false } });
    expect(updatesFor(offered, null).has('offer')).toBe(true);
  });

  it("takes a claim everywhere, and ends the new highlight only when it is someone else's", () => {
    const claimed = (mine: boolean): LeadChange => ({ event: 'lead-claimed', claim: { lead: row('lead-1'), mine } });
    expect(sorted(updatesFor(claimed(false), 'lead-1'))).toEqual(['claim', 'clearNew']);
    expect(sorted(updatesFor(claimed(true), 'lead-1'))).toEqual(['claim']);
  });

  it('ends the new highlight of a lead that went to others, and says where it went', () => {
    const change: LeadChange = { event: 'lead-withdrawn', withdrawal: { leadId: 'lead-1', to: 'Bo Chan' } };
    expect(sorted(updatesFor(change, 'lead-2'))).toEqual(['clearNew', 'offer']);
  });

  it('shows the missed leads only when some came', () => {
    const missed = (leads: LeadRow[]): LeadChange => ({ event: 'leads-missed', leads });
    expect(sorted(updatesFor(missed([row('lead-1')]), null))).toEqual(['missed']);
    expect(updatesFor(missed([]), null).size).toBe(0);
  });

  it('reloads the rows and the filters after an import, and nothing else', () => {
    expect(sorted(updatesFor({ event: 'imported' }, 'lead-1'))).toEqual(['reloadFacets', 'reloadRows']);
  });

  it("reloads the rows after a call, and the open lead only when it is the one called", () => {
    const called: LeadChange = { event: 'called', leadId: 'lead-1' };
    expect(sorted(updatesFor(called, 'lead-1'))).toEqual(['reloadOpenLead', 'reloadRows']);
    expect(sorted(updatesFor(called, 'lead-2'))).toEqual(['reloadRows']);
    expect(sorted(updatesFor(called, null))).toEqual(['reloadRows']);
  });

  it('lists and opens a lead typed in here, whichever lead is open', () => {
    const created: LeadChange = { event: 'lead-created', lead: row('lead-7') };
    expect(sorted(updatesFor(created, 'lead-1'))).toEqual(['openLead', 'reloadFacets', 'reloadRows', 'selectLead']);
    expect(sorted(updatesFor(created, null))).toEqual(['openLead', 'reloadFacets', 'reloadRows', 'selectLead']);
  });

  it('drops a deleted lead from the list, the selection, the detail and the follow-ups', () => {
    const deleted: LeadChange = { event: 'lead-deleted', leadId: 'lead-1' };
    expect(sorted(updatesFor(deleted, 'lead-1'))).toEqual(['dropLead', 'followups', 'reloadFacets', 'reloadRows']);
    expect(updatesFor(deleted, 'lead-1').has('reloadOpenLead')).toBe(false);
  });

  it('reloads only the dispositions when an admin changed them', () => {
    expect(sorted(updatesFor({ event: 'dispositions-changed' }, 'lead-1'))).toEqual(['reloadDispositions']);
    expect(sorted(updatesFor({ event: 'dispositions-changed' }, null))).toEqual(['reloadDispositions']);
  });

  it('does not change the map', () => {
    const change = received('lead-1', { announced: true });
    updatesFor(change, null).clear();
    expect(UPDATES['lead-received']).toContain('reloadOpenLead');
    expect(UPDATES['lead-received']).toContain('notificationHidden');
  });
});

describe('leadToOpen', () => {
  it('is the lead a notification asks for, or the one typed in', () => {
    expect(leadToOpen({ event: 'open-lead', leadId: 'lead-9' })).toBe('lead-9');
    expect(leadToOpen({ event: 'lead-created', lead: row('lead-7') })).toBe('lead-7');
  });
  it('is none for the other changes, a deleted lead least of all', () => {
    expect(leadToOpen({ event: 'lead-deleted', leadId: 'lead-1' })).toBeNull();
    expect(leadToOpen({ event: 'called', leadId: 'lead-1' })).toBeNull();
    expect(leadToOpen({ event: 'leads-synced' })).toBeNull();
    expect(leadToOpen(received('lead-1'))).toBeNull();
  });
});
