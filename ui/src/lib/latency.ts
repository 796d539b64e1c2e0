import type { AlertHush, LeadEvent } from './bindings';
import { EMPTY } from './format';

/** Milliseconds: one decimal under 10 ms ("3.4 ms"), whole numbers from there ("12 ms"); null → "—". */
export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return EMPTY;
  const tenths = Math.round(ms * 10) / 10;
  return Math.abs(tenths) < 10 ? `${tenths.toFixed(1)} ms` : `${Math.round(ms)} ms`;
}

const HUSH_LABELS: Record<AlertHush, string> = {
  muted: 'muted',
  quietHours: 'quiet hours',
};

export function hushLabel(hush: AlertHush): string {
  return HUSH_LABELS[hush] ?? String(hush);
}

export interface LatencyRow {
  label: string;
  value: string;
}

/** The latency details of one lead event, as label/value rows. */
export function latencyRows(event: LeadEvent): LatencyRow[] {
  const { latency, hush, announced, notAlerted } = event;
  let sound: LatencyRow;
  if (hush) {
    sound = { label: 'Alert sound', value: `no sound (${hushLabel(hush)})` };
  } else if (latency.soundMs !== null) {
    sound = { label: 'Alert sound started', value: `${formatMs(latency.soundMs)} after arrival` };
  } else if (notAlerted) {
    // Why it did not alert this rep: "offered to Bo Chan", "claimed by Ann Lee"…
    sound = { label: 'Alert sound', value: `no sound (${notAlerted})` };
  } else if (announced) {
    sound = { label: 'Alert sound', value: 'no sound' };
  } else {
    sound = { label: 'Alert sound', value: 'no sound (no alert for an update, a replay or this source)' };
  }
  return [
    { label: 'Server processing', value: formatMs(latency.serverMs) },
    { label: 'Delivery (webhook → this app)', value: formatMs(latency.deliveryMs) },
    sound,
  ];
}

/**
 * The event whose latency to show after `next` arrives. A later event for the same lead that
 * is not announced (an update, a replay) keeps the first arrival's latency but refreshes the row.
 */
export function latestLatency(previous: LeadEvent | null, next: LeadEvent): LeadEvent {
  if (previous !== null && previous.lead.id === next.lead.id && !next.announced) {
    return { ...previous, lead: next.lead };
  }
  return next;
}
