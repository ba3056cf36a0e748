/**
 * Runs the emulator as a process, for developing the API against it by hand:
 * `node dist/src/emulator/main.js --port 4010 --host 127.0.0.1 --latency-ms 300 --stream-chunk-delay-ms 50`, then
 * point the API at it with `AWS_ENDPOINT_URL_BEDROCK_RUNTIME=http://127.0.0.1:4010`. Configuration comes from argv
 * only; the project reads the environment in `src/config.ts` alone.
 *
 * A process serves benchmarks and soaks for hours, so its record of calls (`GET /_emulator/calls`) keeps the last
 * `--max-recorded-calls` (default 1 000) without image data; `--record-image-data` keeps the images' base64 too.
 * `--quiet` drops the log line per call (about 20 µs of CPU each, and 250 MB an hour at 1 000 calls/s).
 */
import { parseArgs } from 'node:util';

import { pino } from 'pino';

import { startEmulator } from './startEmulator.js';

const DEFAULT_PORT = 4010;

function integerOption<T extends number | undefined>(value: string | undefined, name: string, fallback: T): number | T {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0)
    throw new Error(`--${name} must be a non-negative integer, got "${value}"`);
  return parsed;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      'latency-ms': { type: 'string' },
      'stream-chunk-delay-ms': { type: 'string' },
      'max-recorded-calls': { type: 'string' },
      'record-image-data': { type: 'boolean' },
      quiet: { type: 'boolean' },
    },
  });
  const logger = pino({ name: 'bedrock-emulator' });
  const emulator = await startEmulator({
    host: values.host ?? '127.0.0.1',
    port: integerOption(values.port, 'port', DEFAULT_PORT),
    latencyMs: integerOption(values['latency-ms'], 'latency-ms', 0),
    // Absent, the emulator's own default applies.
    streamChunkDelayMs: integerOption(values['stream-chunk-delay-ms'], 'stream-chunk-delay-ms', undefined),
    maxRecordedCalls: integerOption(values['max-recorded-calls'], 'max-recorded-calls', undefined),
    recordImageData: values['record-image-data'] ?? false,
    logger: values.quiet ? undefined : logger,
  });
  logger.info({ url: emulator.url }, `Bedrock Runtime emulator listening at ${emulator.url}`);
  const stop = (signal: NodeJS.Signals): void => {
    logger.info({ signal }, 'closing the emulator');
    // No process.exit: once the server and its sockets are closed the event loop empties and Node exits by itself,
    // which also proves nothing was left open.
    emulator.close().then(
      () => logger.info('emulator closed'),
      (error: unknown) => {
        logger.error({ err: error }, 'closing the emulator failed');
        process.exitCode = 1;
      },
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
