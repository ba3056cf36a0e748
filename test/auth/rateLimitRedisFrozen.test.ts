import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createRateLimiter, type Caller, type RateLimiter } from '../../src/auth/index.js';
import { RATE_LIMITER_CONNECTION_NAME } from '../../src/auth/createRateLimiter.js';
import { startTcpProxy, type TcpProxy } from '../helpers/tcpProxy.js';

const REDIS_PORT = 6379;
/** Far above the limiter's Redis command timeout: only keeps a hang from passing (or blocking the run). */
const HANG_BOUND_MS = 5_000;

/** What a promise settled to, or 'hung' if it had not settled within `ms`. */
async function settledWithin<T>(promise: Promise<T>, ms: number): Promise<PromiseSettledResult<T> | 'hung'> {
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<'hung'>((resolve) => {
    timer = setTimeout(() => resolve('hung'), ms);
  });
  try {
    return await Promise.race([Promise.allSettled([promise]).then(([result]) => result!), hung]);
  } finally {
    clearTimeout(timer);
  }
}

/** A new key's caller, and the Redis key its count is kept in (createRateLimiter's `bvg_rpm_<rpm>` prefix). */
function keyCaller(rpm: number): { readonly caller: Caller; readonly counter: string } {
  const id = randomUUID();
  const caller: Caller = {
    kind: 'key',
    key: {
      id,
      name: 'frozen-redis',
      prefix: 'bvg_test',
      admin: false,
      rpm,
      dailyUsd: null,
      monthlyUsd: null,
      spentTodayUsd: '0',
      spentThisMonthUsd: '0',
      createdAt: new Date(),
      revokedAt: null,
    },
  };
  return { caller, counter: `bvg_rpm_${rpm}:${id}` };
}

describe('requests per minute while Redis is frozen (connection open, nothing answered)', () => {
  let proxy: TcpProxy;
  let limiter: RateLimiter;
  // Straight to Redis, not through the proxy: reads the shared counter the way another instance would.
  let direct: Redis;
  beforeAll(async () => {
    proxy = await startTcpProxy(REDIS_PORT);
    limiter = createRateLimiter({
      redisUrl: `redis://127.0.0.1:${proxy.port}`,
      logger: pino({ level: 'silent' }),
    });
    direct = new Redis(`redis://127.0.0.1:${REDIS_PORT}`);
  });

  /** Until the limiter's connection is ready its requests go to the insurance limiter: waits for Redis. */
  async function untilCountingInRedis(): Promise<void> {
    const warmUp = keyCaller(1_000);
    await vi.waitFor(async () => {
      await limiter.consume(warmUp.caller);
      expect(await direct.get(warmUp.counter)).not.toBeNull();
    });
  }
  afterEach(() => proxy.restore());
  // A freeze that outlasts the socket timeout drops the connection: each test starts on a ready one.
  beforeEach(() => untilCountingInRedis());
  afterAll(async () => {
    await limiter?.close();
    direct?.disconnect();
    await proxy?.close();
  });

  it('settles each request on the instance’s own counters, then counts in Redis again once it answers', async () => {
    const { caller, counter } = keyCaller(100);
    await limiter.consume(caller);
    expect(await direct.get(counter)).toBe('1');

    // A SIGSTOPped Redis or a partition: the socket stays open and no error ever arrives.
    proxy.freeze();
    expect(await settledWithin(limiter.consume(caller), HANG_BOUND_MS)).toEqual({
      status: 'fulfilled',
      value: undefined,
    });

    await proxy.restore();
    await limiter.consume(caller);
    // The timed-out command was already on the wire, so Redis runs it when it wakes: that
    // request is counted in Redis as well as in the insurance limiter (an error toward refusing).
    // The request after the thaw is counted in Redis, not only in this instance.
    expect(await direct.get(counter)).toBe('3');
  });

  it('refuses past the key’s limit on the instance’s own count while Redis is frozen', async () => {
    const { caller, counter } = keyCaller(2);
    await limiter.consume(caller);
    expect(await direct.get(counter)).toBe('1');

    proxy.freeze();
    // The insurance limiter starts from nothing: two more pass, the next is refused.
    for (let i = 0; i < 2; i++) {
      expect(await settledWithin(limiter.consume(caller), HANG_BOUND_MS)).toMatchObject({ status: 'fulfilled' });
    }
    expect(await settledWithin(limiter.consume(caller), HANG_BOUND_MS)).toMatchObject({
      status: 'rejected',
      reason: { code: 'RATE_LIMITED' },
    });
  });

  it('drops a connection that stops answering, so requests sent meanwhile do not pile up on it', async () => {
    // The ids of the limiter's connections in Redis (it names them), as CLIENT LIST shows them.
    const connections = async () =>
      String(await direct.client('LIST'))
        .split('\n')
        .filter((line) => line.includes(` name=${RATE_LIMITER_CONNECTION_NAME} `))
        .map((line) => /\bid=(\d+)/.exec(line)![1]);
    const before = await connections();
    expect(before.length).toBeGreaterThan(0);

    const { caller } = keyCaller(1_000);
    proxy.freeze();
    // Each request times out to the insurance limiter; its command stays queued on the silent
    // connection, which ioredis keeps (and every later command with it) for as long as the freeze
    // lasts, unless the connection is dropped.
    for (let i = 0; i < 5; i++) {
      expect(await settledWithin(limiter.consume(caller), HANG_BOUND_MS)).toMatchObject({ status: 'fulfilled' });
    }
    await proxy.restore();
    await untilCountingInRedis();
    const after = await connections();
    expect(after.some((id) => before.includes(id))).toBe(false);
  });
});
