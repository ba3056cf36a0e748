import type { Logger } from 'pino';

/**
 * Node prints a process warning (a deprecation, a listener leak, the AWS SDK's notice that its releases after
 * January 2027 need Node 22) to stderr as several lines of text, outside the JSON log a collector parses line by
 * line. This takes over from Node's own printer and makes each warning one `warn` line of `logger`. Only the process
 * entry points call it: it changes the whole process.
 */
export function routeProcessWarnings(logger: Logger): void {
  // Node's own printer only (`onWarning`, as Node 20 names it); a library's listener stays. Were it renamed, warnings would
  // be printed twice, not lost, and the test would say so.
  for (const listener of process.listeners('warning')) {
    if (listener.name === 'onWarning') process.removeListener('warning', listener);
  }
  process.on('warning', (warning: Error & { code?: unknown }) => {
    const { name, message, code } = warning;
    logger.warn(
      { warning: { name, message, ...(typeof code === 'string' ? { code } : {}) } },
      `process warning: ${name}`,
    );
  });
}
