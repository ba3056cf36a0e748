import type { Logger } from 'pino';
import type { Drain } from './createDrain.js';

/** How often a stop looks again whether the last subscriptions have been answered. */
const QUIET_POLL_MS = 10;
/** How long the requests cancelled at the end of the grace may take to send their INTERRUPTED answer. */
const INTERRUPTED_ANSWER_MS = 2_000;

export interface GracefulStop {
  readonly drain: Drain;
  /** Model calls in flight on every transport (HTTP and WebSocket alike); resolves when none runs. */
  readonly calls: { idle(): Promise<void> };
  /**
   * Whether nothing admitted is in flight. A subscription's last messages (its final event, `complete`, or `error`)
   * are sent after its model call has ended, so closing the sockets when the calls are done cut them off.
   */
  readonly quiet: () => boolean;
  readonly graceMs: number;
  /** Cancels the calls still running; each closes its row INTERRUPTED, then `calls.idle()` resolves. */
  readonly interrupt: () => void;
  /** Closes the transports: the listener, the sockets left, the WebSocket server. */
  readonly closeTransports: () => Promise<void>;
  readonly logger: Logger;
}

/**
 * A server's one way to stop: refuse new work at once (/readyz 503), let requests and streams in flight finish for
 * `graceMs`, then cancel what still runs and wait until its rows are closed INTERRUPTED, and only then close the
 * transports. An idle server goes straight to the last step.
 */
export async function stopGracefully(stop: GracefulStop): Promise<void> {
  stop.drain.begin();
  let timer: NodeJS.Timeout | undefined;
  const graceOver = new Promise<'grace over'>((resolve) => {
    timer = setTimeout(() => resolve('grace over'), stop.graceMs);
  });
  const deadline = { passed: false };
  const finished = (async () => {
    await Promise.all([stop.drain.idle(), stop.calls.idle()]);
    await untilQuiet(stop, deadline);
    return 'finished' as const;
  })();
  const outcome = await Promise.race([finished, graceOver]);
  deadline.passed = true;
  clearTimeout(timer);
  if (outcome === 'grace over') {
    stop.logger.warn({ graceMs: stop.graceMs }, 'stopping: cancelling the requests still running (INTERRUPTED)');
    stop.interrupt();
    await stop.calls.idle();
    // Their clients are told INTERRUPTED; a request that is not a model call (an export) is cut below.
    const flush = { passed: false };
    const flushTimer = setTimeout(() => (flush.passed = true), INTERRUPTED_ANSWER_MS);
    await untilQuiet(stop, flush);
    clearTimeout(flushTimer);
  }
  await stop.closeTransports();
}

/** Resolves once nothing admitted is in flight (or the deadline passed), and the last answers had a turn to be sent. */
async function untilQuiet(stop: GracefulStop, deadline: { readonly passed: boolean }): Promise<void> {
  while (!stop.quiet() && !deadline.passed) await new Promise((resolve) => setTimeout(resolve, QUIET_POLL_MS));
  // graphql-ws sends a subscription's `complete` or `error` right after releasing it: let that write happen.
  await new Promise((resolve) => setImmediate(resolve));
}
