// @ts-check
// Numbers, money, durations and instants as the page shows them (the viewer's locale and time zone).

/** A Decimal from the API (a string, exact) as dollars; tiny amounts keep all their digits. @param {string | null | undefined} usd */
export function formatCost(usd) {
  if (usd === null || usd === undefined) return '—';
  const n = Number(usd);
  if (n === 0) return '$0';
  return n < 0.01 ? `$${usd.replace(/0+$/, '')}` : `$${n.toFixed(4).replace(/0{1,2}$/, '')}`;
}

/** Dollars on a chart axis or tooltip, where the value is already a number. @param {number} usd */
export function formatUsd(usd) {
  if (usd === 0) return '$0';
  if (Math.abs(usd) >= 1) return `$${usd.toFixed(2)}`;
  return `$${Number(usd.toPrecision(3))}`;
}

/** @param {number | null | undefined} ms */
export function formatMs(ms) {
  if (ms === null || ms === undefined) return '—';
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(2)} s`;
}

/** @param {number} n */
export const formatInt = (n) => n.toLocaleString();

/** @param {number} bytes */
export function formatBytes(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${Number((bytes / 1024 / 1024).toFixed(2))} MB`;
}

/** @param {string} iso */
export const formatWhen = (iso) =>
  new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

/** A table's short form: the year only when it is not this one. @param {string} iso */
export function formatWhenShort(iso) {
  const date = new Date(iso);
  const thisYear = date.getFullYear() === new Date().getFullYear();
  return date.toLocaleString(undefined, {
    ...(thisYear ? {} : { year: 'numeric' }),
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
}

/** A price per million tokens from the catalog (a Decimal string). @param {string | number | null | undefined} price */
export const formatPrice = (price) => (price === null || price === undefined ? '?' : `$${Number(price)}`);

/** @param {number} part @param {number} whole */
export const formatPercent = (part, whole) =>
  whole === 0 ? '—' : `${(Math.round((part / whole) * 1000) / 10).toLocaleString()} %`;
