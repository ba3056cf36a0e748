import type { IncomingMessage } from 'node:http';
import { AppError } from '../errors.js';

export interface AdmissionLimits {
  /** Requests admitted and not yet answered, at most. */
  readonly maxInFlight: number;
  /** Request body bytes that admitted requests may hold in memory at once, at most. */
  readonly maxBufferedBytes: number;
  /** The most one body may expand to (the body parser's limit): what a body of unknown size may take. */
  readonly maxBodyBytes: number;
  /** Event-loop delay past which new requests are refused: the process is out of CPU. */
  readonly maxEventLoopDelayMs: number;
  /** How long statements may all have waited for a database connection before new requests are refused; 0: off. */
  readonly maxDatabaseWaitMs: number;
}

/** Which bound a refusal hit: a fixed set, so it can label a metric. */
export type RefusalReason = 'in_flight' | 'buffered_bytes' | 'event_loop' | 'database_wait';

/** Told of every refusal (the metrics count them); it must not throw. */
export type OnRefusal = (reason: RefusalReason) => void;

/** What a refusal tells the client: a slot is usually free again within a model call or two. */
export const OVERLOAD_RETRY_AFTER_SECONDS = 1;

/** An admitted request's share of the bounds; `release` gives it back (once, however often it is called). */
export interface Ticket {
  release(): void;
}

export interface Admission {
  /** Admits a request, or throws SERVICE_UNAVAILABLE without touching its body. */
  admit(req: IncomingMessage): Ticket;
  /** Admits an operation over a socket already open, holding the bytes of the message that carried it. */
  admitMessage(bytes: number): Ticket;
  readonly inFlight: number;
  readonly bufferedBytes: number;
  /** Stops the event-loop sampler. */
  close(): void;
}

/** How often the event loop's lateness is sampled. */
const LAG_SAMPLE_MS = 25;

/**
 * Bytes a request may come to hold in memory. A plain body with a Content-Length holds that
 * much; a compressed or chunked one can only be bounded by what the body parser allows it
 * to expand to, so it is counted at that limit.
 */
export function bodyReservation(req: IncomingMessage, maxBodyBytes: number): number {
  const encoding = req.headers['content-encoding'];
  const length = Number(req.headers['content-length']);
  if ((encoding === undefined || encoding === 'identity') && Number.isSafeInteger(length) && length >= 0) {
    return Math.min(length, maxBodyBytes);
  }
  return req.method === 'GET' || req.method === 'HEAD' ? 0 : maxBodyBytes;
}

/**
 * Admission control: past any bound (requests in flight, bytes buffered, event-loop delay, the database pool's
 * queue) a request is refused at once, before its body is read or parsed, with SERVICE_UNAVAILABLE (HTTP 503,
 * Retry-After), instead of queueing without bound and running the process out of memory. A refusal writes no row
 * and makes no model call, because nothing of the request has run.
 */
export function createAdmission(
  limits: AdmissionLimits,
  onRefusal: OnRefusal = () => {},
  /** How long the database's statements have all waited for a connection lately (PoolUsage.queueDelayMs). */
  databaseWaitMs: () => number = () => 0,
): Admission {
  let inFlight = 0;
  let bufferedBytes = 0;
  // When the CPU is the bound, requests in flight stay few (each waits for the event loop, not
  // for Bedrock) while every new one adds to a queue nobody sees: the loop's lateness is that
  // queue. A timer that fires late by more than the bound says so; until one fires on time
  // again, new requests are refused, which is cheap, and the admitted ones finish.
  // One long stall (a large body, a heavy query on the embedded database) is not overload: the
  // loop is free again once it ends. Two late samples in a row are.
  let lagMs = 0;
  let previousLagMs = 0;
  let expected = performance.now() + LAG_SAMPLE_MS;
  const sampler = setInterval(() => {
    const now = performance.now();
    previousLagMs = lagMs;
    lagMs = Math.max(0, now - expected);
    expected = now + LAG_SAMPLE_MS;
  }, LAG_SAMPLE_MS);
  sampler.unref();

  function refuse(reason: RefusalReason, what: string): AppError {
    onRefusal(reason);
    return new AppError('SERVICE_UNAVAILABLE', `The server is at capacity (${what}); retry shortly`, {
      retryAfterSeconds: OVERLOAD_RETRY_AFTER_SECONDS,
    });
  }

  function take(bytes: number): Ticket {
    if (inFlight >= limits.maxInFlight) throw refuse('in_flight', `${limits.maxInFlight} requests in flight`);
    // The last sample was late, and so is the one before it or the one overdue now.
    const behind = Math.min(lagMs, Math.max(previousLagMs, performance.now() - expected));
    if (behind > limits.maxEventLoopDelayMs) throw refuse('event_loop', `event loop ${Math.round(behind)} ms behind`);
    // Every request waits on the database at least twice. While a queue for its connections stands, a new
    // request only lengthens it, and the admitted requests' completions wait in it: their answers get late.
    const waitedMs = limits.maxDatabaseWaitMs > 0 ? databaseWaitMs() : 0;
    if (waitedMs > limits.maxDatabaseWaitMs) {
      throw refuse('database_wait', `database connections ${Math.round(waitedMs)} ms away`);
    }
    if (bytes > 0 && bufferedBytes + bytes > limits.maxBufferedBytes) {
      throw refuse('buffered_bytes', `${limits.maxBufferedBytes} request bytes buffered`);
    }
    inFlight += 1;
    bufferedBytes += bytes;
    let released = false;
    return {
      release() {
        if (released) return;
        released = true;
        inFlight -= 1;
        bufferedBytes -= bytes;
      },
    };
  }

  return {
    admit: (req) => take(bodyReservation(req, limits.maxBodyBytes)),
    admitMessage: (bytes) => take(bytes),
    get inFlight() {
      return inFlight;
    },
    get bufferedBytes() {
      return bufferedBytes;
    },
    close() {
      clearInterval(sampler);
    },
  };
}
