export const EMPTY = '—';

/** Null, undefined or blank → em dash; anything else as given. */
export function orDash(value: string | null | undefined): string {
  if (value === null || value === undefined) return EMPTY;
  return value.trim() === '' ? EMPTY : value;
}

const absoluteFormat = new Intl.DateTimeFormat(undefined, {
  year: 'numeric',
  month: 'short',
  day: 'numeric',
  hour: 'numeric',
  minute: '2-digit',
});

const fullFormat = new Intl.DateTimeFormat(undefined, {
  dateStyle: 'full',
  timeStyle: 'medium',
});

/** Absolute local date-time, e.g. "Mar 4, 2025, 3:07 PM". */
export function formatAbsolute(date: Date): string {
  return absoluteFormat.format(date);
}

export function parseTimestamp(value: string | null | undefined): Date | null {
  if (value === null || value === undefined || value.trim() === '') return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/**
 * A time `age` ms old is "just now" to the texts that refresh by the minute: under a minute old,
 * or up to a minute ahead (clock skew).
 */
export function isJustNow(age: number): boolean {
  return age >= -MINUTE && age < MINUTE;
}

/**
 * "Received" column text. Under one hour old: "just now" / "N min ago"; otherwise a local
 * date-time. null → "—"; an unparseable value is shown as given.
 * A timestamp slightly in the future (clock skew, up to one minute) counts as "just now".
 */
export function formatReceived(receivedAt: string | null | undefined, now: number): string {
  if (receivedAt === null || receivedAt === undefined || receivedAt.trim() === '') return EMPTY;
  const date = parseTimestamp(receivedAt);
  if (date === null) return receivedAt;
  const age = now - date.getTime();
  if (isJustNow(age)) return 'just now';
  if (age >= MINUTE && age < HOUR) return `${Math.floor(age / MINUTE)} min ago`;
  return formatAbsolute(date);
}

const SECOND = 1000;
const DAY = 24 * HOUR;

/** A span of `ms` (0 or more), coarsely: "12 s", "3 min", "2 h", "4 d". */
export function formatSpan(ms: number): string {
  if (ms < MINUTE) return `${Math.floor(ms / SECOND)} s`;
  if (ms < HOUR) return `${Math.floor(ms / MINUTE)} min`;
  if (ms < DAY) return `${Math.floor(ms / HOUR)} h`;
  return `${Math.floor(ms / DAY)} d`;
}

/**
 * How long ago `from` was, coarsely: "just now", "12 s ago", "3 min ago", "2 h ago", "4 d ago".
 * A time in the future (clock skew) is "just now".
 */
export function ago(from: Date, now: Date): string {
  const age = now.getTime() - from.getTime();
  return age >= SECOND ? `${formatSpan(age)} ago` : 'just now';
}

/** Tooltip for the "Received" cell: full local date-time, or undefined when there is nothing better. */
export function receivedTooltip(receivedAt: string | null | undefined): string | undefined {
  const date = parseTimestamp(receivedAt);
  return date === null ? undefined : fullFormat.format(date);
}

const countFormat = new Intl.NumberFormat('en-US');

/** A count with US digit grouping, whatever the system locale: "100,000". */
export function formatCount(count: number): string {
  return countFormat.format(count);
}

/** "1 lead", "1,234 leads". */
export function pluralize(count: number, singular: string, plural = `${singular}s`): string {
  return `${formatCount(count)} ${count === 1 ? singular : plural}`;
}

/** One formatter per zone and kind (a list shows a few zones, every second); null for a zone that is not one. */
const zoneFormats = new Map<string, Intl.DateTimeFormat | null>();

function zoneFormat(kind: string, zone: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat | null {
  const key = `${kind} ${zone}`;
  if (!zoneFormats.has(key)) {
    try {
      zoneFormats.set(key, new Intl.DateTimeFormat('en-US', { ...options, timeZone: zone }));
    } catch {
      zoneFormats.set(key, null);
    }
  }
  return zoneFormats.get(key) ?? null;
}

/** The time now in `zone` (IANA), e.g. "3:05 PM"; '' when the zone is unknown or not one. */
export function formatLocalTime(zone: string | null | undefined, now: number): string {
  if (!zone) return '';
  return zoneFormat('time', zone, { hour: 'numeric', minute: '2-digit' })?.format(now) ?? '';
}

export type WeekdayName = 'Monday' | 'Tuesday' | 'Wednesday' | 'Thursday' | 'Friday' | 'Saturday' | 'Sunday';

const WEEKDAYS: Record<string, WeekdayName> = {
  Mon: 'Monday',
  Tue: 'Tuesday',
  Wed: 'Wednesday',
  Thu: 'Thursday',
  Fri: 'Friday',
  Sat: 'Saturday',
  Sun: 'Sunday',
};

/** The day of the week and the hour (0–23) now in `zone` (IANA); null when the zone is unknown or not one. */
export function zoneClock(zone: string | null | undefined, now: number): { weekday: WeekdayName; hour: number } | null {
  if (!zone || !Number.isFinite(now)) return null;
  const format = zoneFormat('clock', zone, { weekday: 'short', hour: 'numeric', hourCycle: 'h23' });
  if (format === null) return null;
  const parts = format.formatToParts(now);
  const weekday = WEEKDAYS[parts.find((p) => p.type === 'weekday')?.value ?? ''];
  const hour = Number(parts.find((p) => p.type === 'hour')?.value);
  if (weekday === undefined || !Number.isInteger(hour)) return null;
  // Some engines say 24 for midnight even in the 0–23 cycle.
  return { weekday, hour: hour % 24 };
}
