import { pino, type DestinationStream, type Logger } from 'pino';
import type { LogFormat } from '../config.js';
import { formatLogLine } from './formatLogLine.js';

/** Where log lines go: standard output, or a test's stream. */
export interface LogOutput {
  write(text: string): unknown;
  readonly isTTY?: boolean | undefined;
}

/**
 * Field paths whose values are secrets wherever they turn up in a log line (an SDK error's
 * request, a header set): pino replaces them before the line is written.
 */
export const REDACTED_PATHS = [
  'authorization',
  '*.authorization',
  '*.*.authorization',
  'cookie',
  '*.cookie',
  '*.*.cookie',
  'password',
  '*.password',
  'secretAccessKey',
  '*.secretAccessKey',
  'sessionToken',
  '*.sessionToken',
  'apiKey',
  '*.apiKey',
];

/**
 * The process's logger: pino writing JSON lines, or, on a terminal (LOG_FORMAT=auto) or when
 * asked (pretty), the same lines made readable by formatLogLine. pino-pretty would do that too but
 * is a development dependency of its own with a worker thread; one small formatter is enough here.
 */
export function createLogger(
  options: { readonly level: string; readonly format: LogFormat },
  output: LogOutput = process.stdout,
): Logger {
  const pretty = options.format === 'pretty' || (options.format === 'auto' && output.isTTY === true);
  const settings = { level: options.level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } };
  if (!pretty) {
    // Standard output as pino opens it itself (sonic-boom on fd 1): the fast path for production.
    return output === process.stdout ? pino(settings) : pino(settings, output as DestinationStream);
  }
  const colour = output.isTTY === true;
  const readable: DestinationStream = { write: (line: string) => output.write(formatLogLine(line, colour)) };
  return pino(settings, readable);
}
