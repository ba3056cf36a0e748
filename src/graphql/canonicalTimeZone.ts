/** The zones Node's ICU knows, under its canonical names (read once: the list has ~420 entries). */
let supported: ReadonlySet<string> | undefined;

/**
 * An IANA time zone name as both ICU and PostgreSQL know it, or undefined. Browsers report
 * today's names ("Asia/Kolkata", "Europe/Kyiv", "Etc/UTC") that Node's ICU lists under older
 * canonical ones ("Asia/Calcutta", "Europe/Kiev", "UTC"); PostgreSQL's tz database has both, so
 * the canonical one is passed on. Offsets ("+05:30") and POSIX strings are refused, since
 * PostgreSQL would read them as POSIX zones, whose signs are inverted.
 */
export function canonicalTimeZone(name: string): string | undefined {
  let canonical: string;
  try {
    canonical = new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
  supported ??= new Set(Intl.supportedValuesOf('timeZone'));
  return canonical === 'UTC' || supported.has(canonical) ? canonical : undefined;
}
