// Times arrive as milliseconds since the Unix epoch (UTC) and are shown in the user's own
// locale and time zone.

const dateTimeFormat = new Intl.DateTimeFormat(undefined, {
  day: "numeric",
  month: "short",
  year: "numeric",
  hour: "2-digit",
  minute: "2-digit",
});

const dateFormat = new Intl.DateTimeFormat(undefined, { day: "numeric", month: "short", year: "numeric" });

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });

const fullFormat = new Intl.DateTimeFormat(undefined, {
  dateStyle: "full",
  timeStyle: "long",
});

const relativeFormat = new Intl.RelativeTimeFormat(undefined, { numeric: "auto", style: "long" });

/** "22 Nov 2026, 13:05" in the user's locale. */
export function formatDateTime(ms: number): string {
  return dateTimeFormat.format(ms);
}

/** "22 Nov 2026". */
export function formatDate(ms: number): string {
  return dateFormat.format(ms);
}

/** "13:05". */
export function formatTime(ms: number): string {
  return timeFormat.format(ms);
}

/** Every detail, with the time zone: for tooltips. */
export function formatFull(ms: number): string {
  return fullFormat.format(ms);
}

/** "13:05" when `ms` is today, otherwise the date and time. */
export function formatMoment(ms: number, now: number): string {
  const a = new Date(ms);
  const b = new Date(now);
  const sameDay = a.getFullYear() === b.getFullYear() && a.getMonth() === b.getMonth() && a.getDate() === b.getDate();
  return sameDay ? timeFormat.format(ms) : dateTimeFormat.format(ms);
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const WEEK = 7 * DAY;
const MONTH = 30 * DAY;
const YEAR = 365 * DAY;

/** "just now", "5 minutes ago", "yesterday", "in 3 hours". */
export function formatRelative(ms: number, now: number): string {
  const diff = ms - now;
  const size = Math.abs(diff);
  if (size < 45_000) return "just now";
  const [unit, length]: [Intl.RelativeTimeFormatUnit, number] =
    size < HOUR
      ? ["minute", MINUTE]
      : size < DAY
        ? ["hour", HOUR]
        : size < WEEK
          ? ["day", DAY]
          : size < MONTH
            ? ["week", WEEK]
            : size < YEAR
              ? ["month", MONTH]
              : ["year", YEAR];
  return relativeFormat.format(Math.round(diff / length), unit);
}

/**
 * Local midnight at the start of an `<input type="date">` value ("2026-11-22"), plus
 * `addDays` days; null for an empty or malformed value.
 */
export function localMidnight(value: string, addDays = 0): number | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return null;
  const [, year, month, day] = match;
  const date = new Date(Number(year), Number(month) - 1, Number(day) + addDays);
  return Number.isNaN(date.getTime()) ? null : date.getTime();
}
