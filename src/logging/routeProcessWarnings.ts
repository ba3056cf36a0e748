import type { Logger } from 'pino';

/**
 * Node prints a process warning (a deprecation, a listener leak, the AWS SDK's notice that its releases after
 * January 2027 need Node 22) to stderr as several lines of text, outside the JSON log a collector parses line by
 * line. This takes over from Node's own printer and makes each warning one `warn` line of `logger`, with its stack
 * where `--trace-warnings` (or `--trace-deprecation`, for a deprecation) asks for it. Where Node prints none
 * (`--no-warnings`, `NODE_NO_WARNINGS=1`) the log stays silent too. Only the process entry points call it: it changes
 * the whole process.
 */
export function routeProcessWarnings(logger: Logger): void {
  // Node's own printer only (`onWarning`, as Node 20 names it); a library's listener stays. Were it renamed, warnings
  // would be printed twice, not lost, and the test would say so.
  const printers = process.listeners('warning').filter((listener) => listener.name === 'onWarning');
  if (printers.length === 0) return;
  for (const printer of printers) process.removeListener('warning', printer);
  process.on('warning', (warning: unknown) => {
    // Node's printer ignores anything else, and so does this: a throw here would end the process.
    if (!(warning instanceof Error)) return;
    const { name, message } = warning;
    const { code, detail } = warning as Error & { code?: unknown; detail?: unknown };
    // Node sets these from --trace-warnings and --trace-deprecation; @types/node types only the second.
    const flags = process as NodeJS.Process & { traceProcessWarnings?: boolean };
    const traced =
      flags.traceProcessWarnings === true || (name === 'DeprecationWarning' && flags.traceDeprecation === true);
    logger.warn(
      {
        warning: {
          name,
          message,
          ...(typeof code === 'string' ? { code } : {}),
          ...(typeof detail === 'string' ? { detail } : {}),
          ...(traced && warning.stack !== undefined ? { stack: warning.stack } : {}),
        },
      },
      `process warning: ${name}`,
    );
  });
}
