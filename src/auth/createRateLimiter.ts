import { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Logger } from 'pino';
import { AppError } from '../errors.js';
import type { Caller } from './Caller.js';

export interface RateLimiter {
  /** Counts one request of the caller; throws RATE_LIMITED past its key's requests per minute. */
  consume(caller: Caller): Promise<void>;
  close(): Promise<void>;
}

export interface RateLimiterOptions {
  /** Shared counters across API instances when set; in-process counters otherwise. */
  readonly redisUrl: string | undefined;
  readonly logger: Logger;
}

const WINDOW_SECONDS = 60;

/**
 * Longest wait for Redis to answer one rate-limit command; past it the command fails and the
 * insurance limiter counts the request. A Redis that stops answering without closing the
 * connection (SIGSTOP, a partition) raises no error of its own, and rate-limiter-flexible has no
 * timeout, so without this every limited request would wait forever holding its admission slot.
 * The command is one small Lua script that a healthy Redis answers in well under a millisecond;
 * 500 ms is far past that, and short enough that a frozen Redis costs each request half a second
 * rather than its slot. A command that times out was already sent: if Redis wakes, it runs it, so
 * that request is counted in Redis too (an error toward refusing, not toward letting through).
 */
const REDIS_COMMAND_TIMEOUT_MS = 500;
/**
 * A timed-out command stays queued on its connection until Redis answers, so a connection that
 * keeps silent is dropped after this long without data while commands wait: what was queued on
 * it goes with it (a freeze would otherwise grow it by every limited request), and until the
 * connection is ready again each command fails at once to the insurance limiter.
 */
const REDIS_SOCKET_TIMEOUT_MS = 2 * REDIS_COMMAND_TIMEOUT_MS;

export const RATE_LIMITER_CONNECTION_NAME = 'bvg-rate-limiter';

/**
 * Requests per minute per API key (rate-limiter-flexible), over a fixed 60 s window. With
 * REDIS_URL every instance counts in the same Redis keys, so a key's limit holds across a
 * deployment; if Redis cannot be reached, each instance falls back to counting on its own
 * (the insurance limiter) rather than refusing everything or letting everything through.
 * Open mode and keys without `rpm` are not limited.
 */
export function createRateLimiter(options: RateLimiterOptions): RateLimiter {
  const redis =
    options.redisUrl === undefined
      ? undefined
      : new Redis(options.redisUrl, {
          // Fail fast to the insurance limiter instead of queueing commands while Redis is away.
          enableOfflineQueue: false,
          maxRetriesPerRequest: 1,
          connectTimeout: 2000,
          // Fail to the insurance limiter when a connected Redis stops answering, too.
          commandTimeout: REDIS_COMMAND_TIMEOUT_MS,
          socketTimeout: REDIS_SOCKET_TIMEOUT_MS,
          // Named in Redis's CLIENT LIST, so an operator (and a test) can tell its connections apart.
          connectionName: RATE_LIMITER_CONNECTION_NAME,
        });
  redis?.on('error', (error) => options.logger.warn({ err: error }, 'rate limiter: Redis unavailable'));
  // One limiter per distinct rpm (rate-limiter-flexible fixes points per limiter), keyed by key id.
  const limiters = new Map<number, RateLimiterAbstract>();
  const limiterFor = (rpm: number) => {
    let limiter = limiters.get(rpm);
    if (limiter === undefined) {
      const base = { points: rpm, duration: WINDOW_SECONDS, keyPrefix: `bvg_rpm_${rpm}` };
      const memory = new RateLimiterMemory(base);
      limiter =
        redis === undefined ? memory : new RateLimiterRedis({ ...base, storeClient: redis, insuranceLimiter: memory });
      limiters.set(rpm, limiter);
    }
    return limiter;
  };

  return {
    async consume(caller) {
      if (caller.kind !== 'key' || caller.key.rpm === null) return;
      try {
        await limiterFor(caller.key.rpm).consume(caller.key.id);
      } catch (rejection) {
        if (!(rejection instanceof RateLimiterRes)) throw rejection;
        throw new AppError('RATE_LIMITED', `This key is limited to ${caller.key.rpm} requests per minute`, {
          retryAfterSeconds: Math.max(1, Math.ceil(rejection.msBeforeNext / 1000)),
        });
      }
    },
    async close() {
      redis?.disconnect();
    },
  };
}
