/** pino's numeric levels and how a terminal shows them. */
const LEVELS: Record<number, { readonly name: string; readonly colour: string }> = {
  10: { name: 'TRACE', colour: '\x1b[90m' },
  20: { name: 'DEBUG', colour: '\x1b[36m' },
  30: { name: 'INFO ', colour: '\x1b[32m' },
  40: { name: 'WARN ', colour: '\x1b[33m' },
  50: { name: 'ERROR', colour: '\x1b[31m' },
  60: { name: 'FATAL', colour: '\x1b[41m' },
};
const RESET = '\x1b[0m';
const DIM = '\x1b[2m';

/** Fields every pino line has, shown in the line's own layout or not at all. */
const LAYOUT_FIELDS = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'err']);

function clock(time: unknown): string {
  const date = typeof time === 'number' ? new Date(time) : new Date();
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}`;
}

function show(value: unknown): string {
  if (typeof value === 'string') return /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  return JSON.stringify(value);
}

/**
 * One of pino's JSON lines as a person reads it on a terminal:
 * `12:04:05.123 INFO  graphql operation requestId=… operation=describeImage status=200 latencyMs=812`,
 * with an error's stack indented below. A line that is not JSON is passed through as it is.
 */
export function formatLogLine(json: string, colour: boolean): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json.endsWith('\n') ? json : `${json}\n`;
  }
  const level = LEVELS[entry.level as number] ?? { name: String(entry.level).padEnd(5), colour: '' };
  const fields = Object.entries(entry)
    .filter(([key]) => !LAYOUT_FIELDS.has(key))
    .map(([key, value]) => `${key}=${show(value)}`);
  const head = colour
    ? `${DIM}${clock(entry.time)}${RESET} ${level.colour}${level.name}${RESET}`
    : `${clock(entry.time)} ${level.name}`;
  const message = typeof entry.msg === 'string' ? entry.msg : '';
  let line = [head, message, ...fields].filter((part) => part !== '').join(' ');
  const err = entry.err as { message?: string; stack?: string } | undefined;
  if (err !== undefined) line += `\n    ${(err.stack ?? err.message ?? show(err)).split('\n').join('\n    ')}`;
  return `${line}\n`;
}
