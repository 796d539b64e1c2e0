import { describe, expect, it } from 'vitest';
import type { ClaimInfo, LeadEvent, LeadRow, RoutingInfo } from './bindings';
import { FEDERAL_HOURS } from './callingHours';
import { NO_CALLS } from './calls';
import {
  ROUTING_UNSUPPORTED,
  availabilityLabel,
  claimAnswerNote,
  claimBannerText,
  claimFailedNote,
  claimStatusText,
  claimedByText,
  connectedText,
  mergeMissed,
  missedSummary,
  movedOnNote,
  offerNote,
  routingChange,
  routingDraft,
  routingErrorText,
  routingModeHelp,
  routingModeLabel,
  withClaim,
  type RoutingDraft,
} from './routing';

const ann: ClaimInfo = { by: 'u-ann', name: 'Ann Lee', at: '2026-03-04T15:00:00Z' };

function lead(id: string, claim: ClaimInfo | null = null, name = `Lead ${id}`): LeadRow {
  return { id, name, phone: null, state: null, source: 'NextGen', disposition: null, receivedAt: null, claim, zone: null, hours: FEDERAL_HOURS, calls: NO_CALLS };
}

function received(offer: LeadEvent['offer']): LeadEvent {
  return {
    lead: lead('l1'),
    announced: false,
    hush: null,
    notificationHidden: null,
    latency: { serverMs: null, deliveryMs: null, soundMs: null },
    notAlerted: null,
    offer,
  };
}

describe('claims', () => {
  it('says "Yours" for the signed-in rep and names anyone else', () => {
    expect(claimedByText(ann, 'u-ann')).toBe('Yours');
    expect(claimedByText(ann, 'u-bo')).toBe('Claimed by Ann Lee');
    expect(claimedByText({ ...ann, name: ' ' }, 'u-bo')).toBe('Claimed by another rep');
  });

  it('tells the claim first, else where the offer is, else nothing', () => {
    const toBo = offerNote(received({ to: 'Bo Chan', mine: false }));
    const toMe = offerNote(received({ to: 'Ann Lee and Bo Chan', mine: true }));
    expect(claimStatusText(ann, 'u-bo', toMe)).toBe('Claimed by Ann Lee');
    expect(claimStatusText(ann, 'u-ann', null)).toBe('Yours');
    expect(claimStatusText(null, 'u-ann', toMe)).toBe('Offered to you');
    expect(claimStatusText(null, 'u-ann', toBo)).toBe('Offered to Bo Chan');
    expect(claimStatusText(null, 'u-ann', movedOnNote({ leadId: 'l1', to: 'Cy Diaz' }))).toBe('Now offered to Cy Diaz');
    expect(claimStatusText(null, 'u-ann', null)).toBeNull();
  });

  it('has no offer for a lead from a server that does not route leads', () => {
    expect(offerNote(received(null))).toBeNull();
  });

  it('shows the answer to a claim, with the name in a banner', () => {
    const mine = claimAnswerNote('l1', 'Rosa Diaz', { mine: true, message: 'Yours', lead: lead('l1') });
    expect(mine).toEqual({ leadId: 'l1', name: 'Rosa Diaz', text: 'Yours', outcome: 'mine' });
    const refused = claimAnswerNote('l1', 'Rosa Diaz', { mine: false, message: 'Claimed by Ann Lee', lead: null });
    expect(refused.outcome).toBe('refused');
    expect(claimBannerText(refused)).toBe('Rosa Diaz: Claimed by Ann Lee');
    expect(claimBannerText({ ...refused, name: ' ' })).toBe('Claimed by Ann Lee');
  });

  it('says why a claim failed, and plainly when the server does not route leads', () => {
    expect(claimFailedNote('l1', null, { code: 'network', message: 'The server cannot be reached.' })).toMatchObject({
      text: 'Could not claim: The server cannot be reached.',
      outcome: 'failed',
    });
    expect(claimFailedNote('l1', null, { code: 'unsupported', message: '' }).text).toBe(`Could not claim: ${ROUTING_UNSUPPORTED}`);
    expect(routingErrorText({ code: 'forbidden', message: 'Forbidden.' })).toBe('Forbidden. Only an admin can do this.');
  });
});

describe('missed leads', () => {
  it('counts the leads and the unclaimed ones', () => {
    expect(missedSummary([lead('a'), lead('b', ann), lead('c')])).toBe('While you were away: 3 leads came, 2 unclaimed');
    expect(missedSummary([lead('a', ann)])).toBe('While you were away: 1 lead came, 0 unclaimed');
  });

  it('merges leads told again in place and appends new ones', () => {
    const merged = mergeMissed([lead('a'), lead('b')], [lead('b', ann), lead('c')]);
    expect(merged.map((l) => [l.id, l.claim?.name ?? null])).toEqual([
      ['a', null],
      ['b', 'Ann Lee'],
      ['c', null],
    ]);
  });

  it('takes a claim onto the lead of its id only', () => {
    const leads = [lead('a'), lead('b')];
    const next = withClaim(leads, lead('b', ann, 'Other name'));
    expect(next.map((l) => l.claim?.by ?? null)).toEqual([null, 'u-ann']);
    expect(next[1].name).toBe('Lead b');
    expect(leads[1].claim).toBeNull();
  });
});

describe('availability and presence', () => {
  it('labels the states', () => {
    expect(availabilityLabel(true)).toBe('Available');
    expect(availabilityLabel(false)).toBe('Away');
    expect(connectedText({ connected: true })).toBe('Connected');
    expect(connectedText({ connected: false })).toBe('Not connected');
  });
});

describe('routing form', () => {
  const info: RoutingInfo = {
    mode: 'roundRobin',
    offerSeconds: 30,
    poolAfterSeconds: 120,
    ownerId: null,
    available: true,
    team: [],
  };
  const draft = (overrides: Partial<RoutingDraft>): RoutingDraft => ({ ...routingDraft(info), ...overrides });

  it('labels the modes', () => {
    expect(routingModeLabel('everyone')).toBe('Everyone');
    expect(routingModeLabel('roundRobin')).toBe('Round robin');
    expect(routingModeLabel('owner')).toBe('Owner');
    expect(routingModeHelp('roundRobin')).toMatch(/one available rep at a time/);
    expect(routingModeHelp('everyone')).not.toBe(routingModeHelp('owner'));
  });

  it('starts from the saved settings', () => {
    expect(routingDraft(info)).toEqual({ mode: 'roundRobin', offerSeconds: 30, poolAfterSeconds: 120, owner: '' });
    expect(routingDraft({ ...info, mode: 'owner', ownerId: 'u-ann' }).owner).toBe('u-ann');
  });

  it('saves the mode with only the settings it uses', () => {
    expect(routingChange(draft({ mode: 'everyone', offerSeconds: null }))).toEqual({ change: { mode: 'everyone' } });
    expect(routingChange(draft({}))).toEqual({ change: { mode: 'roundRobin', offerSeconds: 30, poolAfterSeconds: 120 } });
    expect(routingChange(draft({ mode: 'owner', owner: 'u-ann', offerSeconds: 1 }))).toEqual({
      change: { mode: 'owner', owner: 'u-ann' },
    });
  });

  it('keeps the offer and pool times within what the server accepts', () => {
    expect(routingChange(draft({ offerSeconds: 5, poolAfterSeconds: 10 }))).toHaveProperty('change');
    expect(routingChange(draft({ offerSeconds: 600, poolAfterSeconds: 3600 }))).toHaveProperty('change');
    expect(routingChange(draft({ offerSeconds: 4 }))).toEqual({ problem: 'Offer each lead to a rep for 5 to 600 seconds.' });
    expect(routingChange(draft({ offerSeconds: 601 }))).toHaveProperty('problem');
    expect(routingChange(draft({ offerSeconds: 12.5 }))).toHaveProperty('problem');
    expect(routingChange(draft({ offerSeconds: null }))).toHaveProperty('problem');
    expect(routingChange(draft({ poolAfterSeconds: 9 }))).toEqual({
      problem: 'Offer a lead to everyone after 10 to 3600 seconds.',
    });
    expect(routingChange(draft({ poolAfterSeconds: 3601 }))).toHaveProperty('problem');
  });

  it('needs an owner in owner mode', () => {
    expect(routingChange(draft({ mode: 'owner', owner: '' }))).toEqual({ problem: 'Choose who owns the leads.' });
  });
});
