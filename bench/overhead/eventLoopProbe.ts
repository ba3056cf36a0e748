/**
 * Preloaded into the API process (`node --import <this file> dist/src/main.js`) so the benchmark can look inside the
 * API without a line of the app changing. Listens on 127.0.0.1:$BENCH_EVENT_LOOP_PROBE_PORT:
 *
 *   GET /reset            starts a new event-loop delay histogram (between phases)
 *   GET /report           → EventLoopReport (JSON)
 *   GET /profile/start    starts a CPU profile (inspector), with --cpu-prof
 *   GET /profile/stop     writes it to $BENCH_PHASE_PROFILE_DIR/phase-<time>.cpuprofile → { path }
 *
 * The phase profile covers exactly the measured phase and is written while the API runs, so it exists even when
 * the API cannot stop cleanly (`--cpu-prof` itself writes only on a clean exit). The server and the histogram's
 * timer are unref'd, so the app still exits by itself when it stops.
 */
import { writeFile } from 'node:fs/promises';
import { createServer, type ServerResponse } from 'node:http';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';

/** Timer period of the histogram, in ms: Node records each period's full length, so this is subtracted. */
export const PROBE_RESOLUTION_MS = 10;

/** Delays beyond the timer period, in ms. */
export interface EventLoopReport {
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly samples: number;
}

const port = Number(process.env['BENCH_EVENT_LOOP_PROBE_PORT']);
const profileDir = process.env['BENCH_PHASE_PROFILE_DIR'];

function startProbe(): void {
  const histogram = monitorEventLoopDelay({ resolution: PROBE_RESOLUTION_MS });
  histogram.enable();
  const beyond = (ns: number) => Math.max(0, ns / 1e6 - PROBE_RESOLUTION_MS);
  let session: Session | undefined;

  const json = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const profile = async (action: 'start' | 'stop'): Promise<unknown> => {
    if (profileDir === undefined) throw new Error('BENCH_PHASE_PROFILE_DIR is not set');
    if (action === 'start') {
      session ??= new Session();
      session.connect();
      await session.post('Profiler.enable');
      await session.post('Profiler.start');
      return {};
    }
    if (session === undefined) throw new Error('no profile started');
    const { profile: taken } = await session.post('Profiler.stop');
    session.disconnect();
    session = undefined;
    const path = join(profileDir, `phase-${Date.now()}.cpuprofile`);
    await writeFile(path, JSON.stringify(taken));
    return { path };
  };

  const server = createServer((req, res) => {
    // No keep-alive: an open socket from the benchmark would keep the app's event loop alive after it stops.
    res.setHeader('connection', 'close');
    if (req.url === '/reset') {
      histogram.reset();
      json(res, 200, {});
    } else if (req.url === '/report') {
      const report: EventLoopReport = {
        p50Ms: beyond(histogram.percentile(50)),
        p99Ms: beyond(histogram.percentile(99)),
        maxMs: beyond(histogram.max),
        samples: histogram.count,
      };
      json(res, 200, report);
    } else if (req.url === '/profile/start' || req.url === '/profile/stop') {
      profile(req.url === '/profile/start' ? 'start' : 'stop').then(
        (body) => json(res, 200, body),
        (error: unknown) => json(res, 500, { error: String(error) }),
      );
    } else {
      json(res, 404, {});
    }
  });
  server.listen(port, '127.0.0.1');
  server.unref();
}

if (Number.isInteger(port) && port > 0) startProbe();
