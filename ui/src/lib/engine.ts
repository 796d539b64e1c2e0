// The engine's states and lead events, as shared stores and streams (see live.ts). A store
// listens while any component shows it, and starts afresh at the next sign-in.
import * as api from './api';
import type {
  AlertSettings,
  AudioHealth,
  CallDesk,
  CallbackDue,
  ClaimEvent,
  ConnectionState,
  LeadEvent,
  LeadRow,
  SyncStatus,
  TextdripStatus,
  UpdateStatus,
  Withdrawal,
} from './bindings';
import { boardStore } from './followups';
import { fold, isObject, live, onChange, stream } from './live';
import { updatesFor, type LeadChange } from './refresh';
import { offlineBannerAfter } from './sync';
import { isUpdateStatus } from './updates';

export const connection = live<ConnectionState>({
  initial: { status: 'connecting', detail: null, lastEventAt: null, available: null },
  listen: api.onConnectionChanged,
  fetch: api.connectionState,
  accept: (state) => isObject(state) && typeof state.status === 'string',
});

/** Whether the offline banner shows: from going offline until live again. */
export const offline = fold(connection, false, (shown, state) => offlineBannerAfter(shown, state.status));

/** The cache and the outbox after the last sync (null until known). */
export const syncStatus = live<SyncStatus | null>({
  initial: null,
  listen: api.onLeadsSynced,
  fetch: api.syncStatus,
  accept: isObject,
});

/** Announced leads not seen yet; the engine only tells it when it changes. */
export const unread = live<number>({
  initial: 0,
  listen: api.onUnreadChanged,
  accept: (count) => typeof count === 'number',
});

export const alertSettings = live<AlertSettings | null>({
  initial: null,
  listen: api.onAlertSettingsChanged,
  fetch: () => api.alertPanel().then((panel) => panel.settings),
  accept: isObject,
});

/** Whether alerts can be heard (null until known). */
export const audio = live<AudioHealth | null>({
  initial: null,
  listen: api.onAudioChanged,
  fetch: () => api.alertPanel().then((panel) => panel.audio),
  accept: isObject,
});

export const updateStatus = live<UpdateStatus | null>({
  initial: null,
  listen: api.onUpdateStatus,
  fetch: api.updateStatus,
  accept: isUpdateStatus,
});

/** The rep's Textdrip connection (null until known); no event tells it, the dialog `set`s it. */
export const textdrip = live<TextdripStatus | null>({
  initial: null,
  fetch: api.textdripStatus,
  accept: (status) => isObject(status) && typeof status?.state === 'string',
});

/**
 * Dials today, the call waiting for its outcome and the outcomes to pick from (null until
 * known); no event tells it: `set` what a call command answered, `refresh` to read it again
 * (an answer older than a value set meanwhile is dropped).
 */
export const callDesk = live<CallDesk | null>({
  initial: null,
  fetch: api.callDesk,
  accept: (desk) => isObject(desk) && typeof desk?.dialsToday === 'number' && Array.isArray(desk.outcomes),
});

export const leadReceived = stream<LeadEvent>({
  listen: api.onLeadReceived,
  accept: (event) => isObject(event) && typeof event.lead?.id === 'string',
});

const leadClaimed = stream<ClaimEvent>({
  listen: api.onLeadClaimed,
  accept: (event) => isObject(event) && typeof event.lead?.id === 'string',
});

const leadWithdrawn = stream<Withdrawal>({
  listen: api.onLeadWithdrawn,
  accept: (withdrawal) => isObject(withdrawal) && typeof withdrawal.leadId === 'string',
});

const leadsMissed = stream<LeadRow[]>({
  listen: api.onLeadsMissed,
  accept: (leads) => Array.isArray(leads) && leads.every((lead) => isObject(lead) && typeof lead.id === 'string'),
});

/** Leads a notification or a crokodial:// link asks to open, the one asked before listening first. */
export const openLeadAsked = stream<string>({
  listen: api.onOpenLead,
  accept: (id) => typeof id === 'string' && id !== '',
  listening: (emit) => {
    api.takePendingLead().then(
      (id) => {
        if (id) emit(id);
      },
      () => {},
    );
  },
});

/** What happened to the leads, for the views to follow (lib/refresh.ts); `emit` the UI's own (an import, a claim). */
export const leadChanges = stream<LeadChange>({
  listen: (emit) => {
    const stops = [
      // A sync that ended before anyone listened comes as the status fetched at the start.
      onChange(syncStatus, (status) => {
        if (status) emit({ event: 'leads-synced' });
      }),
      leadReceived.on((lead) => emit({ event: 'lead-received', lead })),
      openLeadAsked.on((leadId) => emit({ event: 'open-lead', leadId })),
      leadClaimed.on((claim) => emit({ event: 'lead-claimed', claim })),
      leadWithdrawn.on((withdrawal) => emit({ event: 'lead-withdrawn', withdrawal })),
      leadsMissed.on((leads) => emit({ event: 'leads-missed', leads })),
    ];
    return Promise.resolve(() => stops.forEach((stop) => stop()));
  },
});

/** A callback came due: the engine has started its sound and shown its notification. */
export const callbackDue = stream<CallbackDue>({
  listen: api.onCallbackDue,
  accept: (due) => isObject(due) && typeof due.callback?.id === 'string' && typeof due.callback.leadId === 'string',
});

/**
 * The Callbacks view, the follow-up strip and the top bar's count (null until read): read when
 * first shown (after each sign-in), when a callback comes due and after a sync; `change` sends a
 * command answering the board and shows it, `refresh` reads it again (the minute ticker does).
 */
export const followupBoard = boardStore(api.followupBoard, (refresh) => {
  const stops = [
    callbackDue.on(refresh),
    leadChanges.on((change) => {
      if (updatesFor(change).has('followups')) refresh();
    }),
  ];
  return () => stops.forEach((stop) => stop());
});
