// @ts-check
// Days as the viewer lives them: a `YYYY-MM-DD` from a date input is that day in the browser's
// time zone, from its first instant to the next day's first (23 or 25 hours across a DST change).

/** The browser's IANA time zone, which the dashboard asks the server to cut days in. */
export const viewerTimeZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

/** The first instant of a local day. @param {string} day YYYY-MM-DD */
export const startOfDay = (day) => new Date(`${day}T00:00:00`);

/** The local day after `day`. @param {string} day YYYY-MM-DD */
export function nextDay(day) {
  const date = startOfDay(day);
  date.setDate(date.getDate() + 1);
  return dayKey(date);
}

/** The local day an instant falls on, as YYYY-MM-DD. @param {Date} date */
export function dayKey(date) {
  const pad = (/** @type {number} */ n) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/** Today, or `offset` days from it (negative: earlier). @param {number} [offset] */
export function today(offset = 0) {
  const date = new Date();
  date.setDate(date.getDate() + offset);
  return dayKey(date);
}

/** Every local day from `from` to `to`, both included. @param {string} from @param {string} to */
export function daysFrom(from, to) {
  const days = [];
  for (let day = from; day <= to; day = nextDay(day)) days.push(day);
  return days;
}

/**
 * The history filter's bounds for local days `from` to `to` (either may be empty):
 * createdAfter is the first instant of `from`, createdBefore the first of the day after `to`.
 * @param {string} from @param {string} to
 * @returns {{ createdAfter?: string, createdBefore?: string }}
 */
export function dayBounds(from, to) {
  return {
    ...(from ? { createdAfter: startOfDay(from).toISOString() } : {}),
    ...(to ? { createdBefore: startOfDay(nextDay(to)).toISOString() } : {}),
  };
}
