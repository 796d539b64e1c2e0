// Whether a lead may be called now: its state's calling hours (from Rust, in the lead's own
// time) against the lead's weekday and hour now, in its zone. The engine has the last word
// before a call (the Call button's caution); this is what a row shows at a glance.
import type { CallingHours } from './bindings';
import { zoneClock, type WeekdayName } from './format';

/** The federal window (8 AM–9 PM every day), where no state is stricter. */
export const FEDERAL_HOURS: CallingHours = { weekdays: [8, 21], saturday: [8, 21], sunday: [8, 21] };

const HOUR = 3_600_000;

export interface Callable {
  /** Inside today's hours, outside them, or unknown (no zone, or no hours). */
  state: 'open' | 'closed' | 'unknown';
  /** Today's hours, e.g. "8 AM–9 PM" or "no calls on Sunday"; null when unknown. */
  hours: string | null;
}

const UNKNOWN: Callable = { state: 'unknown', hours: null };

/** `8` → "8 AM", `21` → "9 PM", `12` → "noon", `0` → "midnight" (as the engine writes them). */
export function clockHour(hour: number): string {
  if (hour === 0 || hour === 24) return 'midnight';
  if (hour === 12) return 'noon';
  return hour < 12 ? `${hour} AM` : `${hour - 12} PM`;
}

function isWindow(value: unknown): value is [number, number] {
  return Array.isArray(value) && value.length === 2 && value.every((h) => typeof h === 'number' && Number.isFinite(h));
}

/** The hours that apply on `weekday`: null when no calls are allowed that day. */
function hoursOn(hours: CallingHours, weekday: WeekdayName): [number, number] | null {
  const today = weekday === 'Saturday' ? hours.saturday : weekday === 'Sunday' ? hours.sunday : hours.weekdays;
  return isWindow(today) ? today : null;
}

/** Whether a lead with `hours` in `zone` may be called at `now` (`[from, until)` in its own time). */
export function callableAt(hours: CallingHours | null | undefined, zone: string | null | undefined, now: number): Callable {
  if (typeof hours !== 'object' || hours === null) return UNKNOWN;
  const clock = zoneClock(zone, now);
  if (clock === null) return UNKNOWN;
  const today = hoursOn(hours, clock.weekday);
  if (today === null) return { state: 'closed', hours: `no calls on ${clock.weekday}` };
  const [from, until] = today;
  const open = clock.hour >= from && clock.hour < until;
  return { state: open ? 'open' : 'closed', hours: `${clockHour(from)}–${clockHour(until)}` };
}

/** The row mark's tooltip: "Outside calling hours (8 AM–9 PM)"; null when unknown (no mark). */
export function callableTitle(callable: Callable): string | null {
  if (callable.state === 'unknown') return null;
  const hours = callable.hours === null ? '' : ` (${callable.hours})`;
  return callable.state === 'open' ? `Within calling hours${hours}` : `Outside calling hours${hours}`;
}

/**
 * Changes when the leads callable now may change: every hour (calling hours are whole hours, and
 * the leads' zones whole hours from UTC), and only while the list is narrowed to them; null otherwise.
 */
export function callableRefreshKey(callableNow: boolean, now: number): number | null {
  return callableNow ? Math.floor(now / HOUR) : null;
}
