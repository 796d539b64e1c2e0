// Team lead routing as the UI shows it: who has a lead or was last offered it, the answer to a
// claim, what came while the rep was away, their availability, and the admin's routing form.
import type { setRouting } from './api';
import type { AppError, ClaimInfo, ClaimResult, ErrorCode, LeadEvent, LeadRow, RoutingInfo, RoutingMode, TeamPresence, Withdrawal } from './bindings';
import { withHint } from './errors';
import { formatCount, pluralize } from './format';

export const ROUTING_UNSUPPORTED = 'Lead routing is not offered by this server';

const ERROR_HINTS: Partial<Record<ErrorCode, string>> = {
  forbidden: 'Only an admin can do this.',
  unsupported: ROUTING_UNSUPPORTED,
};

export function routingErrorText(err: AppError): string {
  return withHint(err, ERROR_HINTS);
}

// --- Claims ---------------------------------------------------------------------------------

/** "Yours" when the signed-in rep (`selfId`) has it, else who does: "Claimed by Ann Lee". */
export function claimedByText(claim: ClaimInfo, selfId: string): string {
  if (claim.by === selfId) return 'Yours';
  return `Claimed by ${claim.name.trim() || 'another rep'}`;
}

/** What the rep last heard of a lead's offer. */
export interface OfferNote {
  /** Who it is offered to, by name ("Bo Chan", "Ann Lee and Bo Chan", "5 reps"). */
  to: string;
  /** Offered to this rep. */
  mine: boolean;
  /** It was offered to this rep and went on to `to` before they claimed it. */
  movedOn: boolean;
}

/** The offer a lead arrived with, if its server routes leads. */
export function offerNote(event: LeadEvent): OfferNote | null {
  return event.offer ? { to: event.offer.to, mine: event.offer.mine, movedOn: false } : null;
}

export function movedOnNote(withdrawal: Withdrawal): OfferNote {
  return { to: withdrawal.to, mine: false, movedOn: true };
}

/** The lead's claim state: who has it, else where its offer is; null when neither is known. */
export function claimStatusText(claim: ClaimInfo | null, selfId: string, offer: OfferNote | null): string | null {
  if (claim) return claimedByText(claim, selfId);
  if (offer === null) return null;
  if (offer.movedOn) return `Now offered to ${offer.to}`;
  return offer.mine ? 'Offered to you' : `Offered to ${offer.to}`;
}

/** The answer to a claim, as shown: with the lead when it is open, else in a banner with its name. */
export interface ClaimNote {
  leadId: string;
  /** The lead's name, for the banner. */
  name: string | null;
  /** "Yours", who has it ("Claimed by Ann Lee"), or why the claim failed. */
  text: string;
  outcome: 'mine' | 'refused' | 'failed';
}

export function claimAnswerNote(leadId: string, name: string | null, result: ClaimResult): ClaimNote {
  return { leadId, name, text: result.message, outcome: result.mine ? 'mine' : 'refused' };
}

export function claimFailedNote(leadId: string, name: string | null, err: AppError): ClaimNote {
  return { leadId, name, text: `Could not claim: ${routingErrorText(err)}`, outcome: 'failed' };
}

/** The banner of a claim of a lead that is not open: "Rosa Diaz: Claimed by Ann Lee". */
export function claimBannerText(note: ClaimNote): string {
  const name = note.name?.trim();
  return name ? `${name}: ${note.text}` : note.text;
}

// --- While the rep was away -----------------------------------------------------------------

/** "While you were away: 3 leads came, 1 unclaimed". */
export function missedSummary(leads: readonly Pick<LeadRow, 'claim'>[]): string {
  const unclaimed = leads.filter((lead) => !lead.claim).length;
  return `While you were away: ${pluralize(leads.length, 'lead')} came, ${formatCount(unclaimed)} unclaimed`;
}

/** The missed leads after more are told: a lead told again is replaced as it is now, new ones follow. */
export function mergeMissed(shown: readonly LeadRow[], told: readonly LeadRow[]): LeadRow[] {
  const byId = new Map(told.map((lead) => [lead.id, lead]));
  const merged = shown.map((lead) => byId.get(lead.id) ?? lead);
  const kept = new Set(shown.map((lead) => lead.id));
  return [...merged, ...told.filter((lead) => !kept.has(lead.id))];
}

/** `leads` with `claimed`'s claim on the lead of its id, if it is among them. */
export function withClaim(leads: readonly LeadRow[], claimed: LeadRow): LeadRow[] {
  return leads.map((lead) => (lead.id === claimed.id ? { ...lead, claim: claimed.claim } : lead));
}

// --- Availability ---------------------------------------------------------------------------

export function availabilityLabel(available: boolean): string {
  return available ? 'Available' : 'Away';
}

export function availabilityTitle(available: boolean): string {
  return available
    ? 'You are offered new leads. Click to go away.'
    : 'You are away: no leads are offered to you. Click to be available.';
}

/** Whether a team member's app is connected to the server now. */
export function connectedText(member: Pick<TeamPresence, 'connected'>): string {
  return member.connected ? 'Connected' : 'Not connected';
}

// --- The admin's routing form ---------------------------------------------------------------

export const ROUTING_MODES: readonly RoutingMode[] = ['everyone', 'roundRobin', 'owner'];

const MODE_LABELS: Record<RoutingMode, string> = {
  everyone: 'Everyone',
  roundRobin: 'Round robin',
  owner: 'Owner',
};

export function routingModeLabel(mode: RoutingMode): string {
  return MODE_LABELS[mode] ?? String(mode);
}

const MODE_HELP: Record<RoutingMode, string> = {
  everyone: 'Every available rep is offered each new lead at once; the first to claim it has it.',
  roundRobin: 'Each new lead is offered to one available rep at a time, in turn, and then to everyone.',
  owner: 'Every new lead is offered to the owner alone.',
};

export function routingModeHelp(mode: RoutingMode): string {
  return MODE_HELP[mode] ?? '';
}

/** The bounds the server accepts, in seconds. */
export const OFFER_SECONDS = { min: 5, max: 600 } as const;
export const POOL_AFTER_SECONDS = { min: 10, max: 3600 } as const;

/** The form's values; a number input left empty is null. */
export interface RoutingDraft {
  mode: RoutingMode;
  offerSeconds: number | null;
  poolAfterSeconds: number | null;
  /** A user id, or '' for none chosen. */
  owner: string;
}

export type RoutingChange = Parameters<typeof setRouting>[0];

export function routingDraft(info: RoutingInfo): RoutingDraft {
  return { mode: info.mode, offerSeconds: info.offerSeconds, poolAfterSeconds: info.poolAfterSeconds, owner: info.ownerId ?? '' };
}

function within(value: number | null, bounds: { min: number; max: number }): value is number {
  return value !== null && Number.isInteger(value) && value >= bounds.min && value <= bounds.max;
}

/** What to save for `draft`: the mode and the settings it uses; or why it cannot be saved. */
export function routingChange(draft: RoutingDraft): { change: RoutingChange } | { problem: string } {
  switch (draft.mode) {
    case 'everyone':
      return { change: { mode: 'everyone' } };
    case 'roundRobin': {
      const { offerSeconds, poolAfterSeconds } = draft;
      if (!within(offerSeconds, OFFER_SECONDS)) {
        return { problem: `Offer each lead to a rep for ${OFFER_SECONDS.min} to ${OFFER_SECONDS.max} seconds.` };
      }
      if (!within(poolAfterSeconds, POOL_AFTER_SECONDS)) {
        return { problem: `Offer a lead to everyone after ${POOL_AFTER_SECONDS.min} to ${POOL_AFTER_SECONDS.max} seconds.` };
      }
      return { change: { mode: 'roundRobin', offerSeconds, poolAfterSeconds } };
    }
    case 'owner':
      if (draft.owner === '') return { problem: 'Choose who owns the leads.' };
      return { change: { mode: 'owner', owner: draft.owner } };
  }
}
