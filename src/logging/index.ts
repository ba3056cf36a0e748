/**
 * The process's logger: pino, JSON lines in production, readable lines on a terminal.
 */
export { createLogger, REDACTED_PATHS, type LogOutput } from './createLogger.js';
export { formatLogLine } from './formatLogLine.js';
export { routeProcessWarnings } from './routeProcessWarnings.js';
